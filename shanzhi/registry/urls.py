from django.urls import path

from . import changes_views, views

app_name = "registry"
urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("persons/", views.person_list, name="person_list"),
    path("export/", views.export, name="export"),
    path("print/blank/", views.blank_form, name="blank_form"),
    path("regions/<str:code>/", views.region, name="region"),
    path("regions/<str:code>/print/", views.region_print, name="region_print"),
    path("buildings/<int:pk>/", views.building, name="building"),
    path("buildings/<int:pk>/print/", views.building_print, name="building_print"),
    path("dwellings/<int:pk>/", views.dwelling, name="dwelling"),
    path("households/<int:pk>/", views.household, name="household"),
    path("households/<int:pk>/print/", views.household_print, name="household_print"),
    path("persons/<int:pk>/", views.person, name="person"),
    path("persons/<int:pk>/reveal/", views.person_reveal, name="person_reveal"),
]
urlpatterns += [
    path("moves/", views.move_requests, name="move_requests"),
    path("moves/<int:pk>/decide/", views.move_request_decide, name="move_request_decide"),
    path("regions/<str:code>/buildings/new/", views.building_new, name="building_new"),
    path("buildings/<int:pk>/edit/", views.building_edit, name="building_edit"),
    path("buildings/<int:pk>/dwellings/new/", views.dwelling_new, name="dwelling_new"),
    path("dwellings/<int:pk>/edit/", views.dwelling_edit, name="dwelling_edit"),
    path("dwellings/<int:pk>/act/", views.dwelling_act, name="dwelling_act"),
    path("households/<int:pk>/edit/", views.household_edit, name="household_edit"),
    path("households/<int:pk>/act/", views.household_act, name="household_act"),
    path("persons/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("persons/<int:pk>/act/", views.person_act, name="person_act"),
    path("persons/<int:pk>/care-tags/add/", views.care_tag_add, name="care_tag_add"),
    path("care-tags/<int:pk>/remove/", views.care_tag_remove, name="care_tag_remove"),
    path("persons/<int:pk>/merge/", views.person_merge, name="person_merge"),
    path("needs/", views.needs, name="needs"),
    path("needs/<int:pk>/status/", views.need_status, name="need_status"),
]
urlpatterns += [
]
urlpatterns += [
    path("changes/", changes_views.change_list, name="changes"),
    path("changes/<int:pk>/", changes_views.change_detail, name="change"),
    path("changes/<int:pk>/decide/", changes_views.change_decide, name="change_decide"),
    path("changes/<int:pk>/withdraw/", changes_views.change_withdraw, name="change_withdraw"),
    path("changes/<int:pk>/reveal/", changes_views.change_reveal, name="change_reveal"),
    path("changes/propose/person/<int:pk>/", changes_views.propose_person, name="propose_person"),
    path("changes/propose/household/<int:pk>/", changes_views.propose_household, name="propose_household"),
    path("changes/propose/dwelling/<int:pk>/", changes_views.propose_dwelling, name="propose_dwelling"),
    path("roundtrip/", changes_views.roundtrip_home, name="roundtrip"),
    path("roundtrip/export/", changes_views.roundtrip_export, name="roundtrip_export"),
    path("roundtrip/<int:pk>/", changes_views.roundtrip_batch, name="roundtrip_batch"),
    path("roundtrip/<int:pk>/confirm/", changes_views.roundtrip_confirm, name="roundtrip_confirm"),
    path("roundtrip/<int:pk>/discard/", changes_views.roundtrip_discard, name="roundtrip_discard"),
]

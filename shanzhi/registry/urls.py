from django.urls import path

from . import views

app_name = "registry"
urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("persons/", views.person_list, name="person_list"),
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

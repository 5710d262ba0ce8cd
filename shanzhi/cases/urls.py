from django.urls import path

from . import duplicate_views, photo_views, print_views, views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("export/", views.case_export, name="export"),
    path("new/", views.case_create, name="create"),
    path("bulk/", views.case_bulk, name="bulk"),
    path("bulk/<uuid:pk>/", views.case_bulk_report, name="bulk_report"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/act/", views.case_act, name="act"),
    path("<int:pk>/category/", views.case_recategorise, name="recategorise"),
    path("<int:pk>/reveal-phone/", views.case_reveal_phone, name="reveal_phone"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("patrol/", views.patrol, name="patrol"),
    path("visits/", views.home_visit, name="home_visit"),
    path("inspections/", views.inspection, name="inspection"),
    path("report/", views.report, name="report"),
    path("report/nearby/", views.nearby, name="nearby"),
    path("report/similar/", duplicate_views.similar, name="similar"),
    path("<int:pk>/follow/", duplicate_views.follow, name="follow"),
    path("track/", views.track, name="track"),
    path("mine/", views.my_cases, name="my_list"),
    path("mine/<int:pk>/", views.my_detail, name="my_detail"),
    path("mine/<int:pk>/act/", views.my_act, name="my_act"),
    path("photos/<int:pk>/", views.case_photo, name="photo"),
    path("photos/<int:pk>/review/", photo_views.photo_review, name="photo_review"),
    path("photos/<int:pk>/review/save/", photo_views.photo_review_save, name="photo_review_save"),
    path("<int:pk>/print/", print_views.case_print, name="print"),
    path("print/blank/", print_views.case_print_blank, name="print_blank"),
    path("visits/<int:pk>/print/", print_views.visit_print, name="visit_print"),
]

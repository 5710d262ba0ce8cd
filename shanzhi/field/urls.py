from django.urls import path

from . import views

app_name = "field"

urlpatterns = [
    path("", views.home, name="home"),
    path("household/new/", views.household_new, name="household_new"),
    path("visit/new/", views.visit_new, name="visit_new"),
    path("case/new/", views.case_new, name="case_new"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
]

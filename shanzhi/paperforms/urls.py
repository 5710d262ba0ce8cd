from django.urls import path

from . import views

app_name = "paperforms"
urlpatterns = [
    path("scan/", views.scan, name="scan"),
    path("households/<int:pk>/", views.household_entry, name="household"),
]

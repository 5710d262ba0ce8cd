from django.urls import path

from . import views

app_name = "open_data"
urlpatterns = [
    path("", views.open_index, name="index"),
    path("csv/", views.open_csv, name="csv"),
]

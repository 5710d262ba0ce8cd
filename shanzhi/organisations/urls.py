from django.urls import path

from . import views

app_name = "organisations"
urlpatterns = [
    path("", views.index, name="index"),
    path("directory/", views.directory, name="directory"),
    path("new/", views.new, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/act/", views.act, name="act"),
    path("<int:pk>/complain/", views.complain, name="complain"),
    path("<int:pk>/grade/", views.grade, name="grade"),
]

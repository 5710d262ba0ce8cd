from django.urls import path

from . import views

app_name = "replies"
urlpatterns = [
    path("", views.template_list, name="list"),
]

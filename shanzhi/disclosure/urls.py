from django.urls import path

from . import views

app_name = "disclosure"
urlpatterns = [
    path("", views.index, name="index"),
    path("manage/", views.manage, name="manage"),
    path("manage/bulk/", views.bulk, name="bulk"),
    path("manage/<int:pk>/", views.entry, name="entry"),
    path("manage/<int:pk>/act/", views.entry_act, name="entry_act"),
]

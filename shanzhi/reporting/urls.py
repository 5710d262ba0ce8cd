from django.urls import path

from . import views

app_name = "reporting"
urlpatterns = [
    path("", views.index, name="index"),
    path("prepare/", views.prepare, name="prepare"),
    path("kinds/", views.kinds, name="kinds"),
    path("<int:pk>/", views.report, name="report"),
    path("<int:pk>/act/", views.report_act, name="report_act"),
    path("approve-all/", views.approve_all, name="approve_all"),
    path("<int:pk>/diff/", views.report_diff, name="diff"),
]

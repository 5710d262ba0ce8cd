from django.urls import path

from . import views

app_name = "projects"
urlpatterns = [
    path("", views.index, name="index"),
    path("public/", views.public, name="public"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("needs/", views.needs, name="needs"),
    path("programmes/", views.programmes, name="programmes"),
    path("programmes/<int:pk>/call/", views.call_new, name="call_new"),
    path("calls/<int:pk>/", views.call_detail, name="call"),
    path("calls/<int:pk>/fields/", views.call_fields, name="call_fields"),
    path("calls/<int:pk>/apply/", views.apply, name="apply"),
    path("applications/<int:pk>/", views.application_detail, name="application"),
    path("applications/<int:pk>/act/", views.application_act, name="application_act"),
    path("reviews/<int:pk>/", views.review, name="review"),
    path("projects/<int:pk>/", views.project_detail, name="project"),
    path("projects/<int:pk>/act/", views.project_act, name="project_act"),
    path("projects/<int:pk>/file/", views.project_file, name="project_file"),
    path("evaluations/<int:pk>/", views.evaluation, name="evaluation"),
]

from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("tasks/<uuid:pk>/", views.task_progress, name="task_progress"),
    path("healthz/", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("elder/", views.elder_mode, name="elder_mode"),
    path("session/extend/", views.session_extend, name="session_extend"),
]

from django.urls import path

from . import views

app_name = "configuration"
urlpatterns = [
    path("", views.home, name="home"),
    path("checklist/", views.checklist_page, name="checklist"),
    path("categories/", views.categories, name="categories"),
    path("bodies/", views.bodies, name="bodies"),
    path("routing/", views.routing, name="routing"),
    path("rules/", views.rules, name="rules"),
    path("deadlines/", views.deadlines, name="deadlines"),
    path("channels/", views.channels, name="channels"),
    path("store/", views.store, name="store"),
    path("points/", views.points, name="points"),
    path("disclosure/", views.disclosure, name="disclosure"),
    path("file/", views.transfer_page, name="transfer"),
    path("file/export/", views.export, name="export"),
]

from django.urls import path

from . import views

app_name = "regions"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("import/", views.import_start, name="import"),
    path("import/<uuid:pk>/", views.import_result, name="import_result"),
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/edit/", views.edit, name="edit"),
    path("<str:code>/geojson/", views.geojson, name="geojson"),
]

from django.urls import path

from . import views

app_name = "admission"
urlpatterns = [
    path("", views.index, name="index"),
    path("push/", views.push, name="push"),
    path("items/<int:pk>/", views.item, name="item"),
    path("items/<int:pk>/review/", views.item_review, name="item_review"),
    path("deliveries/<int:pk>/handle/", views.delivery_handle, name="delivery_handle"),
    path("lists/", views.lists, name="lists"),
    path("lists/new/", views.list_new, name="list_new"),
    path("lists/<int:pk>/items/", views.list_item_add, name="list_item_add"),
    path("lists/<int:pk>/publish/", views.list_publish, name="list_publish"),
    path("departments/", views.departments, name="departments"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("public/", views.public, name="public"),
]

"""The resident's own 代办记录, under /me/ beside the portal's pages."""

from django.urls import path

from . import views

app_name = "assisted_me"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("dispute/", views.mine_dispute, name="dispute"),
]

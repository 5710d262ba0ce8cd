from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("bind/", views.bind, name="bind"),
    path("household/", views.household, name="household"),
    path("household/correction/", views.correction_new, name="correction_new"),
    path("household/proxy/", views.proxy, name="proxy"),
    path("account/", views.account, name="account"),
    path("account/unbind/", views.unbind, name="unbind"),
    path("account/delete/", views.delete, name="delete"),
    path("building/", views.building, name="building"),
    path("collect/", views.collect, name="collect"),
    path("desk/bindings/", views.bindings, name="bindings"),
    path("desk/bindings/<int:pk>/", views.binding_decide, name="binding_decide"),
    path("desk/corrections/", views.corrections, name="corrections"),
]

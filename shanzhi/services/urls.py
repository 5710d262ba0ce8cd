from django.urls import path

from . import views

app_name = "services"
urlpatterns = [
    path("", views.index, name="index"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("map/", views.service_map, name="map"),
    path("map/points.json", views.map_points, name="map_points"),
    path("requests/", views.requests, name="requests"),
    path("requests/new/", views.request_new, name="request_new"),
    path("requests/desk/", views.request_desk, name="request_desk"),
    path("requests/<int:pk>/", views.request_detail, name="request"),
    path("requests/<int:pk>/act/", views.request_act, name="request_act"),
    path("requests/<int:pk>/own/", views.request_own, name="request_own"),
    path("requests/<int:pk>/signature/", views.request_signature, name="request_signature"),
    path("items/", views.items, name="items"),
    path("venues/", views.venues, name="venues"),
    path("venues/<int:pk>/", views.venue_detail, name="venue"),
    path("venues/<int:pk>/book/", views.venue_book, name="venue_book"),
    path("bookings/", views.bookings, name="bookings"),
    path("bookings/<int:pk>/decide/", views.booking_decide, name="booking_decide"),
    path("bookings/<int:pk>/cancel/", views.booking_cancel, name="booking_cancel"),
    path("checkin/<str:token>/", views.booking_checkin, name="checkin"),
    path("points/", views.points, name="points"),
    path("needs/<int:pk>/match/", views.need_match, name="need_match"),
]

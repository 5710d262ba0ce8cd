from django.urls import path

from . import views

app_name = "elections"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.election_new, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/roll/", views.roll, name="roll"),
    path("<int:pk>/roll/build/", views.roll_build, name="roll_build"),
    path("<int:pk>/roll/add/", views.voter_add, name="voter_add"),
    path("<int:pk>/roll/remove/", views.voter_remove, name="voter_remove"),
    path("<int:pk>/cards/", views.cards, name="cards"),
    path("<int:pk>/nominate/", views.nominate, name="nominate"),
    path("<int:pk>/stations/", views.station_add, name="station_add"),
    path("<int:pk>/proxies/", views.proxy, name="proxy"),
    path("<int:pk>/transition/", views.transition, name="transition"),
    path("<int:pk>/count/", views.count, name="count"),
    path("stations/<int:pk>/", views.station, name="station"),
    path("stations/<int:pk>/vote/", views.vote, name="vote"),
    path("stations/<int:pk>/find/", views.voter_find, name="voter_find"),
    path("stations/<int:pk>/tally/", views.tally, name="tally"),
    path("stations/<int:pk>/ballots/print/", views.ballots_print, name="ballots_print"),
    path("stations/<int:pk>/ballots/", views.ballots, name="ballots"),
]

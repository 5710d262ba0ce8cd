from django.urls import path

from . import views

app_name = "property"
urlpatterns = [
    path("", views.index, name="index"),
    path("companies/new/", views.company_new, name="company_new"),
    path("companies/<int:pk>/", views.company_detail, name="company"),
    path("companies/<int:pk>/act/", views.company_act, name="company_act"),
    path("complain/", views.complain, name="complain"),
    path("votes/new/", views.vote_new, name="vote_new"),
    path("votes/<int:pk>/", views.vote_detail, name="vote"),
    path("votes/<int:pk>/ballot/", views.vote_ballot, name="vote_ballot"),
    path("votes/<int:pk>/manage/", views.vote_manage, name="vote_manage"),
    path("estates/<int:pk>/", views.sme_detail, name="estate"),
    path("estates/<int:pk>/act/", views.sme_act, name="estate_act"),
    path("renovations/<int:pk>/", views.renovation_detail, name="renovation"),
    path("renovations/<int:pk>/act/", views.renovation_act, name="renovation_act"),
]

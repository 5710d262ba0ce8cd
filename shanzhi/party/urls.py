from django.urls import path

from . import views

app_name = "party"
urlpatterns = [
    path("", views.index, name="index"),
    path("orgs/<int:pk>/", views.org_detail, name="org"),
    path("orgs/<int:pk>/members/", views.member_add, name="member_add"),
    path("members/", views.members, name="members"),
    path("members/export.xlsx", views.members_export, name="members_export"),
    path("members/<int:pk>/", views.member_detail, name="member"),
    path("members/<int:pk>/records/", views.record_add, name="record_add"),
    path("members/<int:pk>/dual-check-in/", views.dual_check_in, name="dual_check_in"),
    path("records/", views.records, name="records"),
    path("records/<int:pk>/decide/", views.record_decide, name="record_decide"),
    path("meetings/", views.meetings, name="meetings"),
    path("mine/", views.mine, name="mine"),
]

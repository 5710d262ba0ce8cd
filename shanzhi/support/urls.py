from django.urls import path

from . import views

app_name = "support"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.record_new, name="record_new"),
    path("visits/", views.visits, name="visits"),
    path("stats/", views.stats, name="stats"),
    path("glass/", views.glass_log, name="glass_log"),
    path("glass/<int:pk>/review/", views.glass_review, name="glass_review"),
    path("records/<int:pk>/", views.record, name="record"),
    path("records/<int:pk>/glass/", views.glass_break, name="glass_break"),
    path("records/<int:pk>/team/", views.team_add, name="team_add"),
    path("records/<int:pk>/team/remove/", views.team_remove, name="team_remove"),
    path("records/<int:pk>/plan/", views.plan_add, name="plan_add"),
    path("records/<int:pk>/review/", views.review_add, name="review_add"),
    path("records/<int:pk>/transition/", views.transition, name="transition"),
    path("visits/<int:pk>/log/", views.visit_log, name="visit_log"),
]

from django.urls import path

from . import duplicate_views, views

app_name = "consultation"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.topic_new, name="topic_new"),
    path("new/similar/", duplicate_views.similar, name="similar"),
    path("topics/<int:pk>/", views.topic_detail, name="topic"),
    path("topics/<int:pk>/act/", views.topic_act, name="topic_act"),
    path("from-case/<int:pk>/", views.case_to_topic, name="case_to_topic"),
    path("rules/", views.rules, name="rules"),
    path("meetings/", views.meetings, name="meetings"),
    path("meetings/new/", views.meeting_new, name="meeting_new"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/act/", views.meeting_act, name="meeting_act"),
    path("meetings/<int:pk>/print/", views.meeting_print, name="meeting_print"),
    path("evaluations/", views.evaluations, name="evaluations"),
    path("evaluations/<int:pk>/", views.evaluation_detail, name="evaluation"),
    path("evaluations/<int:pk>/act/", views.evaluation_act, name="evaluation_act"),
]

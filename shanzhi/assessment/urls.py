from django.urls import path

from . import views

app_name = "assessment"
urlpatterns = [
    path("", views.index, name="index"),
    path("schemes/new/", views.scheme_new, name="scheme_new"),
    path("schemes/<int:pk>/", views.scheme, name="scheme"),
    path("schemes/<int:pk>/rounds/", views.round_new, name="round_new"),
    path("rounds/<int:pk>/", views.round_detail, name="round"),
    path("rounds/<int:pk>/compute/", views.round_compute, name="round_compute"),
    path("rounds/<int:pk>/publish/", views.round_publish, name="round_publish"),
    path("rounds/<int:pk>/assign/", views.round_assign, name="round_assign"),
    path("rounds/<int:pk>/results.xlsx", views.round_export, name="round_export"),
    path("rounds/<int:pk>/surveys/", views.survey_draw, name="survey_draw"),
    path("surveys/<int:pk>/", views.survey, name="survey"),
    path("samples/<int:pk>/answer/", views.answer, name="answer"),
    path("samples/<int:pk>/answer/online/", views.answer_own, name="answer_own"),
    path("my/", views.my_survey, name="my_survey"),
    path("targets/<int:pk>/", views.target, name="target"),
    path("results/<int:pk>/", views.result, name="result"),
    path("results/<int:pk>/pdf/", views.result_pdf, name="result_pdf"),
    path("results/<int:pk>/appeal/", views.appeal_submit, name="appeal_submit"),
    path("appeals/<int:pk>/decide/", views.appeal_decide, name="appeal_decide"),
    path("merits/", views.merits, name="merits"),
    path("merits/<int:pk>/decide/", views.merit_decide, name="merit_decide"),
    path("public/", views.public, name="public"),
]

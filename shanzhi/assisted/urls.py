from django.urls import path

from . import views

app_name = "assisted"

urlpatterns = [
    path("", views.index, name="index"),
    path("review/", views.review_list, name="review"),
    path("sessions/<int:pk>/", views.session, name="session"),
    path("sessions/<int:pk>/act/", views.act, name="act"),
    path("sessions/<int:pk>/end/", views.end, name="end"),
    path("sessions/<int:pk>/receipt/", views.receipt, name="receipt"),
    path("sessions/<int:pk>/dispute/", views.dispute, name="dispute"),
    path("sessions/<int:pk>/review/", views.review, name="session_review"),
]

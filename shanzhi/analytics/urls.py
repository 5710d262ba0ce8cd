from django.urls import path

from . import views

app_name = "analytics"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("compare/", views.compare, name="compare"),
    path("pivot/", views.pivot, name="pivot"),
    path("pivot/xlsx/", views.pivot_xlsx, name="pivot_xlsx"),
    path("screen/", views.screen, name="screen"),
    path("screen/data/", views.screen_data, name="screen_data"),
    path("resources/", views.resources, name="resources"),
    path("reports/", views.reports, name="reports"),
    path("reports/<int:pk>/pdf/", views.report_pdf, name="report_pdf"),
    path("refresh/", views.refresh, name="refresh"),
]

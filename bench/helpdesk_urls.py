from django.urls import include, path

from shanzhi.urls import urlpatterns as project_urls

urlpatterns = [*project_urls, path("helpdesk/", include("helpdesk.urls"))]

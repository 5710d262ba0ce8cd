from django.urls import path, re_path

from . import open311 as v
from . import photo_views

app_name = "open311"
FMT = r"(?P<fmt>json|xml)"
urlpatterns = [
    path("discovery.json", v.discovery, {"fmt": "json"}, name="discovery"),
    path("discovery.xml", v.discovery, {"fmt": "xml"}, name="discovery_xml"),
    path("v2/services.json", v.services, {"fmt": "json"}, name="services"),
    path("v2/services.xml", v.services, {"fmt": "xml"}, name="services_xml"),
    re_path(rf"^v2/services/(?P<code>[\w.\-]+)\.{FMT}$", v.service_definition, name="service"),
    path("v2/requests.json", v.requests_view, {"fmt": "json"}, name="requests"),
    path("v2/requests.xml", v.requests_view, {"fmt": "xml"}, name="requests_xml"),
    re_path(rf"^v2/requests/(?P<pk>\d+)\.{FMT}$", v.request_detail, name="request"),
    re_path(rf"^v2/tokens/(?P<token_id>\w+)\.{FMT}$", v.token, name="token"),
    path("v2/media/<int:pk>.jpg", photo_views.public_photo, name="media"),
    path("v2/servicerequestupdates.json", v.request_updates, {"fmt": "json"}, name="updates"),
    path("v2/servicerequestupdates.xml", v.request_updates, {"fmt": "xml"}, name="updates_xml"),
]

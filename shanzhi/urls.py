from django.contrib import admin
from django.urls import include, path

from shanzhi.api.main import api

admin.site.site_header = "善治 系统配置"
admin.site.site_title = "善治"

urlpatterns = [
    path("", include("shanzhi.core.urls")),
    path("accounts/", include("shanzhi.accounts.urls")),
    path("imports/", include("shanzhi.core.import_urls")),
    path("regions/", include("shanzhi.regions.urls")),
    path("registry/", include("shanzhi.registry.urls")),
    path("cases/", include("shanzhi.cases.urls")),
    path("consultation/", include("shanzhi.consultation.urls")),
    path("public/", include("shanzhi.disclosure.urls")),
    path("volunteering/", include("shanzhi.volunteering.urls")),
    path("party/", include("shanzhi.party.urls")),
    path("me/", include("shanzhi.portal.urls")),
    path("me/assisted/", include("shanzhi.assisted.resident_urls")),
    path("assisted/", include("shanzhi.assisted.urls")),
    path("config/", include("shanzhi.configuration.urls")),
    path("admission/", include("shanzhi.admission.urls")),
    path("assessment/", include("shanzhi.assessment.urls")),
    path("organisations/", include("shanzhi.organisations.urls")),
    path("projects/", include("shanzhi.projects.urls")),
    path("property/", include("shanzhi.property.urls")),
    path("services/", include("shanzhi.services.urls")),
    path("support/", include("shanzhi.support.urls")),
    path("elections/", include("shanzhi.elections.urls")),
    path("ledger/", include("shanzhi.ledger.urls")),
    path("analytics/", include("shanzhi.analytics.urls")),
    path("open-data/", include("shanzhi.analytics.open_urls")),
    path("audit/", include("shanzhi.accounts.auditlog.urls")),
    path("inbox/", include("shanzhi.notifications.urls")),
    path("open311/", include("shanzhi.cases.open311_urls")),
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "善治 系统配置"
admin.site.site_title = "善治"

urlpatterns = [
    path("", include("shanzhi.core.urls")),
    path("accounts/", include("shanzhi.accounts.urls")),
    path("regions/", include("shanzhi.regions.urls")),
    path("audit/", include("shanzhi.audit.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

"""The API's Swagger UI page, served from our own static files (the npm package swagger-ui-dist, copied
by `shanzhi assets`) instead of a CDN, with no inline script so that it runs under the site's CSP."""

from django.shortcuts import render
from ninja.openapi.docs import Swagger, _csrf_needed


class LocalSwagger(Swagger):
    template = "api/swagger.html"

    def render_page(self, request, api, **kwargs):
        settings = {**self.settings, "url": self.get_openapi_url(api, kwargs)}
        context = {"swagger_settings": settings, "api": api, "add_csrf": _csrf_needed(api)}
        return render(request, self.template, context)

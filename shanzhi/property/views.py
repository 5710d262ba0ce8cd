from django.shortcuts import render

from shanzhi.core.access import role_view

from .models import COMMITTEE, PROPERTY, RESIDENTS, STAFF


@role_view(STAFF | PROPERTY | COMMITTEE | RESIDENTS)
def index(request):
    return render(request, "property/index.html", {})

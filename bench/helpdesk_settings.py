"""Settings for bench/cases_throughput.py's peer only: the project's settings plus django-helpdesk."""

from shanzhi.settings import *  # noqa: F403
from shanzhi.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "django.contrib.sites", "rest_framework", "helpdesk"]
SITE_ID = 1
HELPDESK_TEAMS_MODE_ENABLED = False
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
ROOT_URLCONF = "bench.helpdesk_urls"

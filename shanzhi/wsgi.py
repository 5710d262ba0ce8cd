import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shanzhi.settings")
application = get_wsgi_application()

from django.conf import settings  # noqa: E402

if settings.PRODUCTION:
    from shanzhi.core.checks import raise_on_errors

    raise_on_errors()

from shanzhi.core.heap import freeze_loaded  # noqa: E402
from shanzhi.core.similarity import load_dictionary  # noqa: E402

load_dictionary()  # the duplicate engine's and the privacy scan's word list, shared by the forked workers

freeze_loaded()  # last: everything loaded so far lives as long as the process

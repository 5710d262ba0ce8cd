"""The REST API (django-ninja, OpenAPI at /api/docs).

Each app that offers endpoints has an `api.py` with `router = Router(...)`; they are mounted here
under /api/<app>/. Authentication: the signed-in session (CSRF-checked) or a department token
(`Authorization: Bearer …`, see shanzhi/api/auth.py), rate-limited per token, user and anonymous IP
(shanzhi/api/throttling.py). Every endpoint reads through the app's selectors with the authenticated
user as actor, so API scope equals page scope.
"""

import importlib

from django.conf import settings
from ninja import NinjaAPI
from ninja.security import SessionAuth

from . import errors, throttling
from .auth import TokenAuth
from .docs import LocalSwagger

api = NinjaAPI(
    title="善治 shanzhi API",
    version="1",
    description="社区治理平台接口：基础信息（一次采集、多次使用）、民情、协商、参与。",
    auth=[SessionAuth(), TokenAuth()],
    throttle=throttling.THROTTLES,
    urls_namespace="api",
    docs=LocalSwagger(),
)
throttling.install_handlers(api)
errors.install_handlers(api)

for app in [a.split(".")[-1] for a in settings.INSTALLED_APPS if a.startswith("shanzhi.")]:
    try:
        module = importlib.import_module(f"shanzhi.{app}.api")
    except ModuleNotFoundError as e:
        if e.name != f"shanzhi.{app}.api":
            raise
        continue
    router = getattr(module, "router", None)
    if router is not None:
        api.add_router(f"/{app}/", router)

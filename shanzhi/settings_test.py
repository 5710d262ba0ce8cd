"""Settings for the test suite (pytest's DJANGO_SETTINGS_MODULE): the base settings with fast, local,
deterministic pieces. Nothing here is chosen by guessing whether pytest is running."""

import os

from .settings import *  # noqa: F403
from .settings import DATABASES, PASSWORD_HASHERS, ROOT_DIR

TESTING = True
SECRET_KEY = "shanzhi-tests-only-not-a-secret"  # noqa: S105
# Fixed test keys, read only; tests that rotate keys point SHANZHI_KEY_FILE at a temporary copy.
SHANZHI_KEY_FILE = ROOT_DIR / "tests" / "keys.json"

DATABASES["default"]["CONN_MAX_AGE"] = 0
TASKS = {"default": {"BACKEND": os.environ.get("SHANZHI_TASK_BACKEND",
                                               "django_tasks.backends.immediate.ImmediateBackend")}}
PASSWORD_HASHERS = ["shanzhi.core.testing.FastArgon2PasswordHasher", *PASSWORD_HASHERS[1:]]
STATIC_ROOT = None  # whitenoise serves from the finders; no var/static is needed
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405

# Rate limits no suite reaches; the tests of the limits set small ones.
_NO_LIMIT = "100000/min"
SHANZHI_API_RATE_TOKEN = os.environ.get("SHANZHI_API_RATE_TOKEN", _NO_LIMIT)
SHANZHI_API_RATE_USER = os.environ.get("SHANZHI_API_RATE_USER", _NO_LIMIT)
SHANZHI_API_RATE_ANON = os.environ.get("SHANZHI_API_RATE_ANON", _NO_LIMIT)
SHANZHI_OPEN311_RATE_KEY = os.environ.get("SHANZHI_OPEN311_RATE_KEY", _NO_LIMIT)
SHANZHI_OPEN311_RATE_POST_IP = os.environ.get("SHANZHI_OPEN311_RATE_POST_IP", _NO_LIMIT)
SHANZHI_OPEN311_RATE_GET_IP = os.environ.get("SHANZHI_OPEN311_RATE_GET_IP", _NO_LIMIT)

"""Settings, driven by environment variables.

SHANZHI_ENV=production switches on the deployment hardening; everything else has a safe
development default so that the README's run command works on a fresh machine.

Importing this module reads files but never writes any: `shanzhi init` creates the var folder, the
development secret key and the personal-data key file (scripts/run calls it). Tests use
shanzhi.settings_test (named in pyproject's pytest configuration).
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
ROOT_DIR = BASE_DIR.parent
VAR_DIR = Path(os.environ.get("SHANZHI_VAR_DIR", ROOT_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).lower() in {"1", "true", "yes", "on"}


PRODUCTION = os.environ.get("SHANZHI_ENV", "development") == "production"
DEBUG = env_bool("SHANZHI_DEBUG", False)
TESTING = False  # shanzhi.settings_test sets it
SECRET_KEY_FILE = VAR_DIR / "secret_key"  # development only; written by `shanzhi init`


def _secret_key() -> str:
    if key := os.environ.get("SHANZHI_SECRET_KEY"):
        return key
    if PRODUCTION:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("SHANZHI_SECRET_KEY must be set in production")
    # Empty until `shanzhi init` wrote the file; the system check "shanzhi.E001" says so.
    return SECRET_KEY_FILE.read_text().strip() if SECRET_KEY_FILE.exists() else ""


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = [h for h in os.environ.get("SHANZHI_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("SHANZHI_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.admin",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "shanzhi.core",
    "shanzhi.audit",
    "shanzhi.accounts",
    "shanzhi.regions",
    "shanzhi.registry",
    "shanzhi.ledger",
    "shanzhi.replies",
    "shanzhi.cases",
    "shanzhi.consultation",
    "shanzhi.disclosure",
    "shanzhi.volunteering",
    "shanzhi.party",
    "shanzhi.portal",
    "shanzhi.assisted",
    "shanzhi.configuration",
    "shanzhi.admission",
    "shanzhi.assessment",
    "shanzhi.organisations",
    "shanzhi.projects",
    "shanzhi.property",
    "shanzhi.services",
    "shanzhi.support",
    "shanzhi.elections",
    "shanzhi.analytics",
    "shanzhi.paperforms",
    "shanzhi.reporting",
    "shanzhi.field",
    "shanzhi.notifications",
    "shanzhi.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "shanzhi.audit.middleware.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "shanzhi.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "shanzhi.core.replica.ReadYourWritesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "shanzhi.core.middleware.InputGuardMiddleware",
    "shanzhi.accounts.middleware.SessionTimeoutMiddleware",
    "shanzhi.accounts.middleware.TwoFactorRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "shanzhi.urls"
WSGI_APPLICATION = "shanzhi.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "shanzhi.core.context_processors.navigation",
            ],
            "builtins": ["django.templatetags.i18n", "template_partials.templatetags.partials",
                         "shanzhi.core.templatetags.ui"],
        },
    }
]

# --- database ---------------------------------------------------------------
# DATABASE_URL is the runtime role (owns nothing; see docs/security.md "Database roles"). The commands that
# change the schema or restore it (`migrate`, `dbroles`, `restore`) connect with SHANZHI_MIGRATE_DATABASE_URL,
# the owner role, when it is set (shanzhi/__main__.py swaps it in before settings load).
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'shanzhi.sqlite3'}"
MIGRATE_DATABASE_URL = os.environ.get("SHANZHI_MIGRATE_DATABASE_URL", "")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;"
            " PRAGMA foreign_keys=ON;",
            "transaction_mode": "IMMEDIATE",
        }
    )
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("SHANZHI_TEST_SQLITE") or None}
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache ------------------------------------------------------------------
if redis_url := os.environ.get("REDIS_URL"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- background tasks (Tasks API backport) ---------------------------------
TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "SHANZHI_TASK_BACKEND",
            "django_tasks_db.DatabaseBackend",
        ),
    }
}

# --- the cluster (scripts/cluster, docs/scaling.md) ---------------------------
# The single-machine defaults above stay; the cluster switches by environment: a streaming replica for the
# reads that ask for it (core/replica.py), PgBouncer in transaction mode, Redis for sessions and the queue.
if replica_url := os.environ.get("SHANZHI_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(replica_url, conn_max_age=60)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}  # tests: the same test database, read on the replica
DATABASE_ROUTERS = ["shanzhi.core.replica.ReplicaRouter"]
SHANZHI_REPLICA_MAX_LAG = float(os.environ.get("SHANZHI_REPLICA_MAX_LAG", 5))  # seconds; more: read the primary
SHANZHI_READ_YOUR_WRITES = int(os.environ.get("SHANZHI_READ_YOUR_WRITES", 10))  # seconds on the primary after a write
if env_bool("SHANZHI_PGBOUNCER"):  # transaction pooling: no server-side cursors across statements
    for _alias in DATABASES:
        DATABASES[_alias]["DISABLE_SERVER_SIDE_CURSORS"] = True
        DATABASES[_alias].setdefault("OPTIONS", {})["prepare_threshold"] = None  # no named prepared statements
if session_engine := os.environ.get("SHANZHI_SESSION_ENGINE"):  # e.g. django.contrib.sessions.backends.cache
    SESSION_ENGINE = session_engine
if TASKS["default"]["BACKEND"] == "django_tasks_rq.RQBackend":
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    TASKS["default"]["QUEUES"] = ["default"]
    RQ_QUEUES = {"default": {"URL": os.environ.get("SHANZHI_QUEUE_URL", os.environ.get("REDIS_URL", "")),
                             "DEFAULT_TIMEOUT": 3600}}

# --- auth and security ------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend",
                           "shanzhi.accounts.backends.PhoneBackend"]  # residents sign in with their phone number
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "shanzhi.accounts.validators.CharacterClassValidator"},
    {"NAME": "shanzhi.accounts.validators.NotUsernameValidator"},
    {"NAME": "shanzhi.accounts.validators.NoSequenceValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.5  # hours: 30 minutes
# lock a user name (from any address) and a user name at one address after 5 failures; an address alone
# only after SHANZHI_LOCKOUT_IP_LIMIT, so one person's typos don't lock a whole office (accounts/lockout.py)
AXES_LOCKOUT_PARAMETERS = ["username", ["username", "ip_address"], "ip_address"]
AXES_HANDLER = "shanzhi.accounts.lockout.PerUserLockoutHandler"
SHANZHI_LOCKOUT_IP_LIMIT = 30
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "shanzhi.accounts.views.lockout_response"
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]

SESSION_IDLE_TIMEOUT = int(os.environ.get("SHANZHI_IDLE_TIMEOUT", 30 * 60))
# the idle clock's resolution: a request writes the session's last-seen time when it is older than this
SHANZHI_SESSION_TOUCH_SECONDS = 30
SESSION_ABSOLUTE_TIMEOUT = int(os.environ.get("SHANZHI_ABSOLUTE_TIMEOUT", 12 * 3600))
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
OTP_TOTP_ISSUER = "善治 shanzhi"

if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SHANZHI_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SHANZHI_HSTS_SECONDS", 31536000))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- personal data keys (outside the database) ------------------------------
# Never generated on import: `shanzhi init` writes it once; in production a missing file stops the start
# (system check shanzhi.E002) rather than a new key making every stored ID number unreadable.
SHANZHI_KEY_FILE = Path(os.environ.get("SHANZHI_KEY_FILE", VAR_DIR / "keys.json"))

# --- i18n -------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]  # each named in its own language
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- static -----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"  # created by `shanzhi init`
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": VAR_DIR / "media"}},
    # compressed, fingerprinted, long-cached in every mode (core/staticfiles.py); tests use plain names
    "staticfiles": {"BACKEND": "shanzhi.core.staticfiles.ShanzhiStaticStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"
# `shanzhi backup` writes data archives here; key backups (`backup --keys`) must go elsewhere.
SHANZHI_BACKUP_DIR = Path(os.environ.get("SHANZHI_BACKUP_DIR", VAR_DIR / "backups"))
WHITENOISE_USE_FINDERS = not PRODUCTION

# --- map ----------------------------------------------------------------------
# A tile URL template for Leaflet; empty means the map draws grid polygons on a blank background.
SHANZHI_MAP_TILE_URL = os.environ.get("SHANZHI_MAP_TILE_URL", "")

# --- Content-Security-Policy (django-csp; see docs/security.md) -------------------
# Scripts only from our own origin: no inline script, no eval. Styles allow inline attributes (Tabler
# markup, chart and Swagger UI styling); images also from the map's tile server, if one is set.
_TILE_ORIGIN = "/".join(SHANZHI_MAP_TILE_URL.split("/")[:3]).replace("{s}", "*") if SHANZHI_MAP_TILE_URL.startswith("http") else ""
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"] + ([_TILE_ORIGIN] if _TILE_ORIGIN else []),
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'self'"],
    }
}

# --- Open311 -------------------------------------------------------------------
# The jurisdiction_id clients may send (comma separated); empty means this server's host name.
SHANZHI_OPEN311_JURISDICTION = os.environ.get("SHANZHI_OPEN311_JURISDICTION", "")
# Who partners contact about the Open311 endpoint (published in /open311/discovery.json).
SHANZHI_OPEN311_CONTACT = os.environ.get("SHANZHI_OPEN311_CONTACT", "")

# --- rate limits ---------------------------------------------------------------
# "N/s", "N/min", "N/hour" or "N/day"; empty means no limit. Counted in the cache (REDIS_URL: shared by all
# workers). shanzhi.settings_test raises them to limits no suite reaches; tests of the limits set small ones.
def _rate(name: str, default: str) -> str:
    return os.environ.get(name, default)


SHANZHI_API_RATE_TOKEN = _rate("SHANZHI_API_RATE_TOKEN", "600/min")  # per department token
SHANZHI_API_RATE_USER = _rate("SHANZHI_API_RATE_USER", "300/min")  # per signed-in user (session)
SHANZHI_API_RATE_ANON = _rate("SHANZHI_API_RATE_ANON", "60/min")  # per IP, calls without valid credentials
SHANZHI_OPEN311_RATE_KEY = _rate("SHANZHI_OPEN311_RATE_KEY", "120/min")  # Open311 POSTs per api_key
SHANZHI_OPEN311_RATE_POST_IP = _rate("SHANZHI_OPEN311_RATE_POST_IP", "60/min")  # Open311 POSTs per IP
SHANZHI_OPEN311_RATE_GET_IP = _rate("SHANZHI_OPEN311_RATE_GET_IP", "300/min")  # Open311 GETs per IP
# Resident sign-up (go-live): one-time codes sent per phone number and per IP, real-name binding tries per account
SHANZHI_SIGNUP_RATE_PHONE = _rate("SHANZHI_SIGNUP_RATE_PHONE", "5/hour")
SHANZHI_SIGNUP_RATE_IP = _rate("SHANZHI_SIGNUP_RATE_IP", "30/hour")
SHANZHI_BINDING_RATE_USER = _rate("SHANZHI_BINDING_RATE_USER", "5/day")
SHANZHI_SIGNUP_CODE_MINUTES = int(os.environ.get("SHANZHI_SIGNUP_CODE_MINUTES", 10))  # a code expires after this
SHANZHI_SIGNUP_CODE_TRIES = int(os.environ.get("SHANZHI_SIGNUP_CODE_TRIES", 5))  # wrong entries before a code dies
SHANZHI_SMS_BACKEND = os.environ.get("SHANZHI_SMS_BACKEND", "shanzhi.notifications.sms.LogSmsBackend")

# --- notifications --------------------------------------------------------------
# Each channel delivery (SMS, WeChat, e-mail) is a background task; a failing channel is retried after
# RETRY_SECONDS, doubling each time, for at most MAX_ATTEMPTS attempts, then recorded as failed.
SHANZHI_NOTIFY_MAX_ATTEMPTS = int(os.environ.get("SHANZHI_NOTIFY_MAX_ATTEMPTS", 5))
SHANZHI_NOTIFY_RETRY_SECONDS = int(os.environ.get("SHANZHI_NOTIFY_RETRY_SECONDS", 30))

# --- imports --------------------------------------------------------------------
# Uploaded import files (and what else an import keeps) are deleted this many days after upload.
SHANZHI_IMPORT_KEEP_DAYS = int(os.environ.get("SHANZHI_IMPORT_KEEP_DAYS", 7))
# a running background task whose progress record has not beaten for this long is taken as dead
SHANZHI_TASK_LEASE_SECONDS = int(os.environ.get("SHANZHI_TASK_LEASE_SECONDS", 600))

# Every handler masks ID numbers and mobiles in what it writes (no personal data in logs).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"scrub_pii": {"()": "shanzhi.core.logfilter.ScrubPersonalNumbers"}},
    "formatters": {"django.server": {"()": "django.utils.log.ServerFormatter",
                                     "format": "[{server_time}] {message}", "style": "{"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["scrub_pii"]},
                 "django.server": {"class": "logging.StreamHandler", "formatter": "django.server",
                                   "filters": ["scrub_pii"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("SHANZHI_LOG_LEVEL", "WARNING")},
    "loggers": {"django.request": {"level": "ERROR"},
                "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False}},
}

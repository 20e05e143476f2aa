"""Baikoo settings: one module, every value from the environment.

The embedded default (no variables set) is a development setup on SQLite with Celery's
filesystem transport. ``PRODUCTION=true`` is the one switch to production: DEBUG off,
secure cookies, HSTS, and SECRET_KEY / ALLOWED_HOSTS required. Every variable is listed in
the README.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from observation.config.env import StrictEnv

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = StrictEnv()

PRODUCTION = env.bool("PRODUCTION", False)
DEBUG = env.bool("DEBUG", not PRODUCTION)
VAR_DIR = Path(env.str("BAIKOO_VAR_DIR", str(BASE_DIR / "var")))
# The SQLite file, the filesystem queue and the beat schedule live here; a fresh clone has
# no var/ yet and SQLite will not create the folder itself.
VAR_DIR.mkdir(parents=True, exist_ok=True)

if PRODUCTION:
    SECRET_KEY = env.str("SECRET_KEY")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
else:
    SECRET_KEY = env.str("SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # PostgreSQL index expressions (the incidents trigram indexes); harmless on SQLite
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    # Baikoo apps, in import order (see docs/architecture.md): load_demo runs their demo loaders
    # in this order too.
    "observation",
    "commissions",
    "voters",
    "incidents",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages and API answers compressed (docs/operations.md#compression). Below WhiteNoise,
    # which answers static files itself with their pre-compressed copies; above every
    # middleware that reads or changes the body. BREACH: Django's GZip pads each
    # response at random and the CSRF token in pages is masked per request.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Reads the verified device from the session only when the session names one: a
    # token-authenticated API call has no session and costs no query here.
    "django_otp.middleware.OTPMiddleware",
    # No page but the second-factor step until a required second factor is given
    # (docs/roles.md#second-factor).
    "observation.security.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "observation.kernel.storage.StorageUnavailableMiddleware",
    "observation.kernel.api.ApiErrorMiddleware",
    "observation.kernel.middleware.SignedOutMiddleware",
    # Last: turns a sign-in refused for too many failures into the lockout answer.
    "axes.middleware.AxesMiddleware",
]
CSRF_FAILURE_VIEW = "observation.kernel.errors.csrf_failure"

ROOT_URLCONF = "observation.config.urls"
WSGI_APPLICATION = "observation.config.wsgi.application"
ASGI_APPLICATION = "observation.config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "observation.kernel.context_processors.navigation",
            ],
        },
    },
]

FORM_RENDERER = "observation.kernel.forms.FormRenderer"

DATABASES = {
    "default": env.db("DATABASE_URL", f"sqlite:///{VAR_DIR / 'baikoo.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", 60, minimum=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite serialises writers; wait for the lock instead of failing a request.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.url("REDIS_URL", ("redis", "rediss"), "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "TIMEOUT": 300,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username or address before the password is checked.
    "observation.security.ThrottledSignIn",
    # Django's ModelBackend, reading the observer profile together with the user.
    "observation.kernel.backends.ProfileModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ru", _("Russian")), ("ky", _("Kyrgyz"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", "Asia/Bishkek")
# Date formats per language, as each language writes dates (docs/development.md).
FORMAT_MODULE_PATH = ["observation.formats"]
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
# Without S3_BUCKET the private files live here; with it, move_files_to_storage copies
# what is here into the bucket (docs/storage.md).
PRIVATE_MEDIA_ROOT = Path(env.str("PRIVATE_MEDIA_ROOT", str(VAR_DIR / "private")))
STORAGES = {
    # Uploaded evidence is private: it lives outside any served path and is streamed only
    # by views that check who is asking (see incidents).
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT)},
    },
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        ),
    },
}

# --- Private files in an S3-compatible bucket (docs/storage.md) ----------------------
# With S3_BUCKET set, every private file goes to the bucket instead of PRIVATE_MEDIA_ROOT,
# so any web node or worker serves any file. Downloads still stream through Baikoo's
# permission checks (observation.kernel.storage); every process checks the bucket when
# it starts.
S3_BUCKET = env.str("S3_BUCKET", "")
S3_URL_TTL_SECONDS = env.int("S3_URL_TTL_SECONDS", 60, minimum=1)
if S3_BUCKET:
    if not re.fullmatch(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]", S3_BUCKET):
        raise ImproperlyConfigured(
            f"S3_BUCKET={S3_BUCKET!r} is not a bucket name (3-63 lowercase letters, digits, "
            "dots and hyphens)."
        )
    S3_PREFIX = env.str("S3_PREFIX", "").strip("/")
    if ".." in S3_PREFIX.split("/") or "//" in S3_PREFIX:
        raise ImproperlyConfigured(
            f"S3_PREFIX={S3_PREFIX!r} must be a plain path like baikoo/prod."
        )
    AWS_ACCESS_KEY_ID = env.str("AWS_ACCESS_KEY_ID", "")
    AWS_SECRET_ACCESS_KEY = env.str("AWS_SECRET_ACCESS_KEY", "")
    if bool(AWS_ACCESS_KEY_ID) != bool(AWS_SECRET_ACCESS_KEY):
        raise ImproperlyConfigured(
            "Set both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or neither (then boto3 "
            "finds credentials itself, e.g. from an instance role)."
        )
    STORAGES["default"] = {
        "BACKEND": "observation.kernel.storage.PrivateS3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env.url("S3_ENDPOINT_URL", ("http", "https"), "") or None,
            "region_name": env.str("S3_REGION", "us-east-1"),
            "access_key": AWS_ACCESS_KEY_ID or None,
            "secret_key": AWS_SECRET_ACCESS_KEY or None,
            "location": S3_PREFIX,
            # Baikoo hands out no links to the bucket; any URL the backend signs expires.
            "querystring_expire": S3_URL_TTL_SECONDS,
        },
    }

# --- Celery (docs/escalation.md, docs/configuration.md) ----------------------------------
# With REDIS_URL, Redis is the broker. Without it (the embedded default) Celery's
# filesystem transport keeps the queue in var/celery, and `make run` starts a worker with
# an embedded beat beside the dev server, so tasks, retries and the beat schedule behave
# the same way as in production.
CELERY_BROKER_DIR = VAR_DIR / "celery"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "socket_connect_timeout": 2,
        "socket_timeout": 5,
        "visibility_timeout": 3600,
    }
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
    }
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", 300, minimum=1)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", 240, minimum=1)
# Publishing must never hold up a web request: no retry loop in the web process; a
# message that could not be published is picked up by the periodic sweeps instead.
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ALWAYS_EAGER = False  # tests switch it on; a real worker runs everywhere else
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "clear-expired-sessions": {
        "task": "observation.tasks.clear_expired_sessions",
        "schedule": crontab(minute=17, hour=3),
    },
}

# --- API (docs/api.md) ----------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # DRF's token authentication, with tokens that expire (API_TOKEN_TTL_HOURS). First,
        # so a missing, wrong, expired or revoked token is a 401 with WWW-Authenticate.
        "observation.kernel.tokens.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["observation.kernel.access.HasRole"],
    "DEFAULT_PAGINATION_CLASS": "observation.kernel.api.Pagination",
    # DRF's parsers, with JSON refusing deep nesting and NUL characters (docs/api.md#errors)
    "DEFAULT_PARSER_CLASSES": [
        "observation.kernel.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "observation.kernel.api.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Baikoo API",
    "DESCRIPTION": "Case management for domestic election observation (docs/api.md).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Choice sets used by several fields get one name each.
    "ENUM_NAME_OVERRIDES": {
        "IncidentStatusEnum": "incidents.models.Incident.Status",
        "EscalationStatusEnum": "incidents.models.Escalation.Status",
        # a report's sections: a section's key, and where a figure or picture is printed
        "ReportSectionEnum": "reports.sections.SECTION_CHOICES",
    },
    # In production the schema and the docs are for signed-in users only (docs/api.md).
    "SERVE_PERMISSIONS": (
        ["rest_framework.permissions.IsAuthenticated"]
        if PRODUCTION
        else ["rest_framework.permissions.AllowAny"]
    ),
}

# --- Mail ------------------------------------------------------------------------------
EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env.str("EMAIL_HOST", "localhost")
EMAIL_PORT = env.int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", "baikoo@localhost")
HEAD_OFFICE_EMAIL = env.str("HEAD_OFFICE_EMAIL", "")

# --- RRCG channel (docs/escalation.md) -------------------------------------------------------
RRCG_WEBHOOK_URL = env.url("RRCG_WEBHOOK_URL", ("http", "https"), "")
RRCG_WEBHOOK_SECRET = env.str("RRCG_WEBHOOK_SECRET", "")
RRCG_WEBHOOK_TIMEOUT = env.int("RRCG_WEBHOOK_TIMEOUT", 10, minimum=1)
RRCG_EMAIL_TO = env.list("RRCG_EMAIL_TO", [])

# Delivery schedule of escalations (incidents.services.escalation): the wait after each failed
# attempt, in seconds; one attempt more than there are waits, then the escalation fails
# and head office is alerted. Waits up to ESCALATION_COUNTDOWN_MAX ride on the broker as
# countdowns; longer ones are held in the database and picked up by the sweep, because a
# broker countdown longer than the visibility timeout would be delivered twice.
ESCALATION_RETRY_DELAYS = env.int_list(
    "ESCALATION_RETRY_DELAYS", [30, 120, 600, 1800, 3600, 7200, 14400, 28800], minimum=1
)
ESCALATION_COUNTDOWN_MAX = 300
ESCALATION_SWEEP_INTERVAL = env.int("ESCALATION_SWEEP_INTERVAL", 60, minimum=1)
# An incident still `submitted` this many hours after it arrived alerts head office.
UNTRIAGED_ALERT_HOURS = env.int("UNTRIAGED_ALERT_HOURS", 24, minimum=1)
CELERY_BEAT_SCHEDULE |= {
    "incidents-sweep-escalations": {
        "task": "incidents.tasks.sweep_escalations",
        "schedule": float(ESCALATION_SWEEP_INTERVAL),
    },
    "incidents-check-alerts": {
        "task": "incidents.tasks.check_alerts",
        "schedule": 300.0,
    },
}

# --- Imports of voter-list snapshots and candidate lists (observation.kernel.tabular) --------
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", 5 * 1024 * 1024, minimum=1)
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", 50_000, minimum=1)

# --- Evidence (incidents) --------------------------------------------------------------
EVIDENCE_MAX_BYTES = env.int("EVIDENCE_MAX_BYTES", 25 * 1024 * 1024, minimum=1)
EVIDENCE_MAX_FILES = env.int("EVIDENCE_MAX_FILES", 20, minimum=1)
EVIDENCE_MAX_PIXELS = env.int("EVIDENCE_MAX_PIXELS", 50_000_000, minimum=1)
# An incident dated more than this many days before its election's observation period or
# after its end (or election day) is refused as a mistake in the date (docs/incidents.md).
INCIDENT_DATE_MARGIN_DAYS = env.int("INCIDENT_DATE_MARGIN_DAYS", 30, minimum=0)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
EVIDENCE_THUMBNAIL_PX = 480
"""Longest side of an evidence preview, scaled on the server (docs/incidents.md)."""

# --- Map of an incident's coordinates (docs/incidents.md "Map") -----------------------------
# A tile URL template with {z}, {x}, {y} (and optionally {s}); empty: no tiles, the page
# shows the coordinates and a marker on a blank map.
MAP_TILE_URL = env.str("MAP_TILE_URL", "")
MAP_TILE_ATTRIBUTION = env.str("MAP_TILE_ATTRIBUTION", "")
# The browser fetches tiles from that host: the CSP's img-src allows it (and only it); a
# "{s}." subdomain placeholder becomes the wildcard "*.".
_tiles = urlsplit(MAP_TILE_URL.replace("{s}", "*"))
MAP_TILE_ORIGINS = [f"{_tiles.scheme}://{_tiles.netloc}"] if _tiles.netloc else []

DEMO_PASSWORD = env.str("DEMO_PASSWORD", "observe-2021")

# --- Security --------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# --- Accounts: second factor, sign-in throttling, tokens (docs/roles.md, docs/api.md) --------
# Roles that must give a TOTP code (or a recovery code) after their password. Empty by
# default outside production, so `make run` signs in with the password alone.
TWO_FACTOR_ROLES = [
    role.strip()
    for role in env.str("TWO_FACTOR_ROLES", "headoffice,legal,admin" if PRODUCTION else "").split(
        ","
    )
    if role.strip()
]
_ROLE_NAMES = {"lto", "coordinator", "headoffice", "legal", "analyst", "admin"}
if set(TWO_FACTOR_ROLES) - _ROLE_NAMES:
    raise ImproperlyConfigured(
        f"TWO_FACTOR_ROLES names unknown roles {sorted(set(TWO_FACTOR_ROLES) - _ROLE_NAMES)}; "
        f"choose among {sorted(_ROLE_NAMES)}."
    )
OTP_TOTP_ISSUER = "Baikoo"
# django-axes: a username is refused after LOGIN_FAILURE_LIMIT failures in a row, an
# address (an office shares one) only after LOGIN_ADDRESS_FAILURE_LIMIT; both for
# LOGIN_COOLOFF_MINUTES. observation.security.LoginThrottle applies the two limits.
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("LOGIN_ADDRESS_FAILURE_LIMIT", 50, minimum=1)
LOGIN_COOLOFF_MINUTES = env.int("LOGIN_COOLOFF_MINUTES", 15, minimum=1)
AXES_HANDLER = "observation.security.LoginThrottle"
# Read from the two settings above at each sign-in (so they cannot drift apart).
AXES_FAILURE_LIMIT = "observation.security.username_failure_limit"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_COOLOFF_TIME = "observation.security.cool_off"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "observation.security.lockout_response"
AXES_DISABLE_ACCESS_LOG = True  # sign-ins are in the audit trail
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_VERBOSE = False
if PRODUCTION:
    # Behind the TLS proxy the client's address is the first of X-Forwarded-For.
    AXES_IPWARE_PROXY_COUNT = 1
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
# A token stops working this many hours after it was issued (docs/api.md#tokens).
API_TOKEN_TTL_HOURS = env.int("API_TOKEN_TTL_HOURS", 24, minimum=1)

# --- Content-Security-Policy (django-csp; docs/operations.md) -----------------------------
# No inline script or style anywhere: every script and stylesheet is a file under static/.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *MAP_TILE_ORIGINS],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", "INFO")},
    # django-axes logs every sign-in at INFO; failures and lockouts are in the audit trail.
    "loggers": {"axes": {"level": "WARNING"}},
}

"""OpsPortal settings, read from the environment (django-environ).

Two run modes (see README):
- embedded (no DATABASE_URL / REDIS_URL): SQLite under var/, in-process channel layer,
  Celery tasks run eagerly in-process and the beat schedule runs in a thread of the server;
- production: PostgreSQL + Redis, daphne for HTTP/WebSocket, separate celery worker and beat.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from portal.redis_options import channel_layer_host

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("OPSPORTAL_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)

_DEV_SECRET_KEY = "dev-only-opsportal-secret-key-never-use-in-production-0123456789"
SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET_KEY if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY must be set when DEBUG is off: export SECRET_KEY=<50+ random characters> "
        "(or DEBUG=true for local development only)."
    )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "mptt",
    "channels",
    "django_celery_beat",
    "django_celery_results",
    "django_htmx",
    # OpsPortal
    "portal",
    "portal.audit",
    "portal.system",
    "portal.notifications",
    "portal.sla",
    "portal.dashboard",
    "tenants",
    "accounts",
    "tickets",
    "dispatch",
    "engineers",
    "knowledge",
]

MIDDLEWARE = [
    "portal.system.monitoring.RequestMetricsMiddleware",
    "portal.middleware.RequestIDMiddleware",
    "portal.audit.middleware.AuditMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.LoginSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "tenants.middleware.TenantMiddleware",
    "portal.system.middleware.ModuleGateMiddleware",
    "portal.system.maintenance.MaintenanceMiddleware",
    "portal.dashboard.middleware.WorkbenchMiddleware",
    "portal.middleware.content_security_policy",
]

ROOT_URLCONF = "portal.urls"

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
                "portal.context_processors.portal",
            ],
        },
    },
]

WSGI_APPLICATION = "portal.wsgi.application"
ASGI_APPLICATION = "portal.asgi.application"

# --- Database -------------------------------------------------------------------------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
# Database backups (the "database backup" scheduled task); downloadable by the platform admin only.
BACKUP_DIR = Path(env.str("BACKUP_DIR", default=str(VAR_DIR / "backups")))
# Addresses a Prometheus scraper may read /metrics from without signing in (comma-separated).
METRICS_ALLOWED_IPS = env.list("METRICS_ALLOWED_IPS", default=[])
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'opsportal.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers proceed while one writer commits; IMMEDIATE avoids the lock-upgrade
    # deadlock SQLite otherwise raises when two transactions both start reading then write.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=wal; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
elif env.bool("DB_POOL", default=True):
    # PostgreSQL: one bounded psycopg 3 pool per process. Under daphne every request runs in
    # its own thread, so persistent connections (CONN_MAX_AGE > 0) open one connection per
    # thread and never give it back; with the pool a request borrows a connection and returns
    # it at the end (CONN_MAX_AGE must be 0). A process never holds more than DB_POOL_MAX_SIZE
    # connections; a request that finds them all busy waits up to DB_POOL_TIMEOUT seconds.
    # Bound on the server: (daphne + celery worker children + beat processes) x DB_POOL_MAX_SIZE.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # the pool checks a connection before lending it
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("DB_POOL_MIN_SIZE", default=1),
        "max_size": env.int("DB_POOL_MAX_SIZE", default=8),
        "timeout": env.float("DB_POOL_TIMEOUT", default=10.0),
        "max_idle": env.float("DB_POOL_MAX_IDLE", default=300.0),
        "name": "opsportal",
    }
else:
    # DB_POOL=false (e.g. behind PgBouncer in transaction mode): one connection per request.
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=0))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
if DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql"):
    # Name the process kind in pg_stat_activity (connections per role are then countable).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "application_name", env.str("DB_APPLICATION_NAME", default="opsportal")
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["accounts.backends.TenantUserBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Redis: absent means embedded mode ------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
EMBEDDED = not REDIS_URL

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "portal.cache.SharedClientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="opsportal-cache"),
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [channel_layer_host(REDIS_URL)],
                "prefix": env.str("CHANNELS_PREFIX", default="opsportal"),
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# --- Celery ---------------------------------------------------------------------------------
# "memory://localhost" rather than "memory://": kombu warns "No hostname was supplied" for the latter.
CELERY_BROKER_URL = REDIS_URL or "memory://localhost"
CELERY_RESULT_BACKEND = "django-db"
CELERY_RESULT_EXTENDED = True  # otherwise task names are stored empty
CELERY_CACHE_BACKEND = "django-cache"
CELERY_TIMEZONE = env.str("TIME_ZONE", default="Asia/Shanghai")
CELERY_TASK_ALWAYS_EAGER = EMBEDDED
CELERY_TASK_EAGER_PROPAGATES = EMBEDDED
# A worker killed mid-task must not lose it: acknowledge after the task ran, and requeue
# when the worker process dies. Tasks are written to be idempotent for this reason.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redis hands an unacknowledged task to another worker after the visibility timeout: no task
# may run longer (hard time limit below it), or two workers run it at once.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_TIME_LIMIT = 1800
# After a lost broker connection the running tasks' messages are redelivered anyway; cancel the
# running copies instead of letting them run twice concurrently (Celery's recommended setting).
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
DJANGO_CELERY_BEAT_TZ_AWARE = True
# In embedded mode the server process runs the beat schedule in a thread (portal.embedded).
EMBEDDED_BEAT = env.bool("EMBEDDED_BEAT", default=EMBEDDED)

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True
# One date format per language (portal/formats/): no "2026年12月1日" next to "2026-12-01".
FORMAT_MODULE_PATH = ["portal.formats"]

# --- Static and uploaded files ----------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "staticfiles")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Uploads live outside static/ and are only served through authenticated, tenant-checked views.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Security -------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
# Production defaults are strict; an intranet deployment behind plain HTTP can relax them.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
if env.bool("USE_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

# --- REST framework -------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.SessionTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["portal.api.permissions.HasContractPermission"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "portal.api.schema.ContractAutoSchema",
    "EXCEPTION_HANDLER": "portal.api.exceptions.dispatching_exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # Bounded parsers: depth, 64-bit integers, no NUL, malformed multipart is a 400 (portal.api.parsers).
    "DEFAULT_METADATA_CLASS": "portal.api.metadata.ContractMetadata",
    "DEFAULT_PARSER_CLASSES": [
        "portal.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "portal.api.parsers.MultiPartParser",
    ],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DATETIME_FORMAT": "iso-8601",
    # Atomic counters (portal.ratelimit); sign-in calls have their own limits in the config registry.
    "DEFAULT_THROTTLE_CLASSES": ["portal.api.throttling.AnonRateThrottle", "portal.api.throttling.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_RATE_ANON", default="120/min"),
        "user": env.str("API_RATE_USER", default="1200/min"),
    },
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(seconds=env.int("JWT_ACCESS_TOKEN_LIFETIME", default=7200)),
    "REFRESH_TOKEN_LIFETIME": timedelta(seconds=env.int("JWT_REFRESH_TOKEN_LIFETIME", default=7 * 24 * 3600)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": False,
    "SIGNING_KEY": env.str("JWT_SIGNING_KEY", default=SECRET_KEY),
    "USER_ID_CLAIM": "user_id",
    "AUTH_HEADER_TYPES": ("Bearer",),
}

SPECTACULAR_SETTINGS = {
    # Title, version and description are set per contract by portal.api.schema_contract.
    "TITLE": "OpsPortal API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Vocabularies that appear in several serializers (ticket words per contract, statuses): name them.
    "ENUM_NAME_OVERRIDES": {
        "DeskTicketStatusEnum": "tickets.choices.DESK_STATUS_WORDS",
        "V1TicketStatusEnum": "tickets.choices.V1_STATUS_WORDS",
        "TicketPriorityEnum": "tickets.choices.PRIORITY_VALUES",
        "V1TicketPriorityEnum": "tickets.choices.V1_PRIORITY_WORDS",
        "TicketTypeEnum": "tickets.choices.TYPE_VALUES",
        "TicketSourceEnum": "tickets.choices.SOURCE_VALUES",
        "AttachmentKindEnum": "tickets.choices.ATTACHMENT_KIND_VALUES",
        "CommentTypeEnum": "tickets.choices.COMMENT_TYPES",
        "NotificationTypeEnum": "portal.notifications.models.NotificationType",
        "UserStatusEnum": "accounts.models.UserStatus",
        "TenantStatusEnum": "tenants.models.TenantStatus",
        "KnowledgeDocumentStatusEnum": "knowledge.choices.DOCUMENT_STATUS_VALUES",
        "ModuleStatusEnum": "portal.system.models.ModuleStatus",
        "AnnouncementTypeEnum": "portal.system.models.AnnouncementType",
        "AnnouncementPriorityEnum": "portal.system.models.AnnouncementPriority",
        "AnnouncementStatusEnum": "portal.system.models.AnnouncementStatus",
        "AnnouncementAudienceEnum": "portal.system.models.AnnouncementAudience",
        "TaskStatusEnum": "portal.dashboard.registry.TASK_STATUSES",
        # Two vocabularies share the field name "level": the engineer's grade and an alert's severity.
        "EngineerLevelEnum": "engineers.choices.EngineerLevel.values",
        "AlertLevelEnum": "portal.dashboard.registry.ALERT_LEVELS",
    },
    "PREPROCESSING_HOOKS": ["portal.api.schema_contract.contract_preprocess"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "portal.api.schema_contract.contract_postprocess",
    ],
    # The schema switcher (`urls`) is added by portal.api.docs.ContractSwaggerView.
    "SWAGGER_UI_SETTINGS": {
        "layout": "StandaloneLayout",
        "deepLinking": True,
        "displayRequestDuration": True,
        "validatorUrl": None,  # no calls to validator.swagger.io
    },
}

OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="OpsPortal")

# --- Email ----------------------------------------------------------------------------------
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="OpsPortal <noreply@ops.local>")

# --- Logging --------------------------------------------------------------------------------
# Knowledge search is exact by default (totals, facets and ranking over every match). A very
# large knowledge base may bound what one search reads: docs/performance.md gives the trade.
KNOWLEDGE_SEARCH_MATCH_LIMIT = env.int("KNOWLEDGE_SEARCH_MATCH_LIMIT", default=0) or None

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "portal.logging.RequestIDFilter"}},
    "formatters": {
        "default": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "default", "filters": ["request_id"]},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Replaces Django's default "django" logger config, which would print DEBUG-mode lines twice.
        "django": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        "django.db.backends": {"level": "INFO"},
        "daphne": {"level": "WARNING"},
    },
}

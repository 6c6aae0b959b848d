"""Settings for the anti-fraud command-center site.

One module, read from the environment (every variable is documented in README.md).
With nothing set, the site runs on SQLite in ``var/`` with Celery tasks executed
in-process, so a fresh checkout can ``migrate`` and ``runserver`` and it works. With
``DATABASE_URL`` and ``REDIS_URL`` set it runs on PostgreSQL, Redis and real Celery
workers.
"""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str) -> bool:
    return os.getenv(name, default).strip().lower() in ("1", "true", "yes", "on")


def envint(name: str, default: str) -> int:
    return int(os.getenv(name, default))


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.getenv(name, default).split(",") if item.strip()]


# No environment at all means a developer's machine (SQLite, eager tasks): DEBUG is on.
# Once DATABASE_URL points at a real database, DEBUG is off unless asked for.
DEBUG = envbool("DEBUG", "0" if os.getenv("DATABASE_URL") else "1")

SECRET_KEY = os.getenv("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment, or set DEBUG=1 for a "
            "development machine (see README.md)."
        )
    # A development default only: never used when DEBUG is off.
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"

SITE_NAME = os.getenv("SITE_NAME", "反诈中心数据平台")

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "django_celery_beat",
    "simple_history",
    "axes",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "orgs",
    "cases",
    "publicity",
    "earlywarnings",
    "imports",
    "stats",
    "bulletins",
    "dashboards",
    "audit",
    "demo",
    "bench",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "csp.middleware.CSPMiddleware",
    "audit.middleware.IdleTimeoutMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "antifraud.urls"
WSGI_APPLICATION = "antifraud.wsgi.application"

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
                "orgs.context_processors.navigation",
                "orgs.context_processors.notifications",
            ],
        },
    },
]

# Database: SQLite in var/ unless DATABASE_URL names another (postgres://user:pw@host/db).
VAR_DIR = Path(os.getenv("VAR_DIR", BASE_DIR / "var"))
DATABASE_URL = os.getenv("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=envint("DB_CONN_MAX_AGE", "60"), conn_health_checks=True
        )
    }
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "antifraud.sqlite3",
            # Several writers (runserver threads, in-process tasks) share one file; WAL
            # lets pages (and an import's progress bar) read while an import writes.
            "OPTIONS": {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "orgs.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", str(8 * 3600))  # one shift, at most
# Signed out after this long without a request (a shared workstation left open).
SESSION_IDLE_TIMEOUT = envint("SESSION_IDLE_TIMEOUT", str(30 * 60))

# Login throttling (django-axes): five failures for one account from one address lock that
# pair for 15 minutes; every failure and lockout is also in the audit log.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", "5")
AXES_COOLOFF_TIME = envint("AXES_COOLOFF_MINUTES", "15") / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
AXES_SENSITIVE_PARAMETERS = ["password"]

# Redis: cache, Celery broker and results. Without it: local-memory cache and eager tasks.
REDIS_URL = os.getenv("REDIS_URL", "")
if REDIS_URL:
    # A Redis that is down costs a page its cached answers, never the page (antifraud.cache).
    CACHES = {
        "default": {
            "BACKEND": "antifraud.cache.ForgivingRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = os.getenv("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = os.getenv("CELERY_RESULT_BACKEND", REDIS_URL) or None
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
if CELERY_TASK_ALWAYS_EAGER:
    CELERY_BROKER_URL = "memory://"  # never contacted: every task runs in-process
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True  # a killed worker's task goes back to the queue
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Periodic work. Beat copies these into django-celery-beat's tables at start (editable in
# the admin there). Each run expires before the next is due, so a late beat or a busy
# worker never piles up runs: the next one does the same work anyway. (The database
# scheduler reads the expiry from ``expire_seconds``; it drops a plain ``expires``.)
CELERY_BEAT_SCHEDULE = {
    "escalate-overdue-warnings": {
        "task": "earlywarnings.escalate_overdue",
        "schedule": crontab(minute="*/2"),
        "options": {"expire_seconds": 100},
    },
    "refresh-stats": {
        "task": "stats.refresh",
        "schedule": crontab(),  # every minute: a new record reaches the figures within one
        "options": {"expire_seconds": 55},
    },
    "open-four-checks": {
        "task": "earlywarnings.open_four_checks",
        "schedule": crontab(minute="*/10"),
        "options": {"expire_seconds": 540},
    },
    # Imports left waiting (Redis was down when they were uploaded) are sent again.
    "requeue-waiting-imports": {
        "task": "imports.requeue_waiting",
        "schedule": crontab(minute="*/5"),
        "options": {"expire_seconds": 280},
    },
    # Bulletins: each run drafts every due bulletin still missing (catching up missed runs).
    "draft-daily-bulletins": {
        "task": "bulletins.draft_due",
        "schedule": crontab(hour=1, minute=0),
        "kwargs": {"kinds": ["day"]},
    },
    "draft-weekly-bulletins": {
        "task": "bulletins.draft_due",
        "schedule": crontab(hour=1, minute=10, day_of_week=1),
        "kwargs": {"kinds": ["week"]},
    },
    "draft-xun-bulletins": {
        "task": "bulletins.draft_due",
        "schedule": crontab(hour=1, minute=20, day_of_month="1,11,21"),
        "kwargs": {"kinds": ["xun"]},
    },
    "draft-monthly-bulletins": {
        "task": "bulletins.draft_due",
        "schedule": crontab(hour=1, minute=30, day_of_month=1),
        "kwargs": {"kinds": ["month"]},
    },
    "draft-quarterly-bulletins": {
        "task": "bulletins.draft_due",
        "schedule": crontab(hour=1, minute=40, day_of_month=1, month_of_year="1,4,7,10"),
        "kwargs": {"kinds": ["quarter", "year"]},
    },
}

# The stats API's answers are kept this long under the rollups' refresh time (0: never).
STATS_CACHE_SECONDS = envint("STATS_CACHE_SECONDS", "60")

# An applied import refreshes the statistics at once (the benchmark turns it off to time
# the import and the rollups apart).
IMPORT_REFRESHES_STATS = envbool("IMPORT_REFRESHES_STATS", "1")

# Bulletins: a 重大案件 is a filed case with at least this loss (yuan); how many ended
# periods of each kind a drafting run looks back over (what a stopped schedule catches up).
BULLETIN_LARGE_CASE_YUAN = envint("BULLETIN_LARGE_CASE_YUAN", "1000000")
BULLETIN_CATCH_UP = {"day": 3, "week": 2, "xun": 2, "month": 2, "quarter": 1, "year": 1}

# Overdue warning tasks climb the tree: minutes after a missed deadline at which the
# station's officers, the county's reviewers, then the city's leaders and analysts hear.
ESCALATION_MINUTES = {
    "station": envint("ESCALATION_STATION_MINUTES", "0"),
    "county": envint("ESCALATION_COUNTY_MINUTES", "30"),
    "city": envint("ESCALATION_CITY_MINUTES", "120"),
}

# 四必查: what opens a review automatically, and how long the county has for it.
FOUR_CHECKS_LARGE_LOSS = envint("FOUR_CHECKS_LARGE_LOSS", "500000")  # yuan, one case
FOUR_CHECKS_CLUSTER_MIN = envint("FOUR_CHECKS_CLUSTER_MIN", "3")  # cases in one community / at one place
FOUR_CHECKS_WINDOW_DAYS = envint("FOUR_CHECKS_WINDOW_DAYS", "30")  # … reported within this many days
FOUR_CHECKS_DUE_DAYS = envint("FOUR_CHECKS_DUE_DAYS", "7")
FOUR_CHECKS_SCAN_DAYS = envint("FOUR_CHECKS_SCAN_DAYS", "90")  # single-case triggers older than this: history

# Mail: notifications are also mailed to users with an address, only when EMAIL_HOST is set.
EMAIL_HOST = os.getenv("EMAIL_HOST", "")
EMAIL_PORT = envint("EMAIL_PORT", "25")
EMAIL_HOST_USER = os.getenv("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.getenv("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "0")
EMAIL_USE_SSL = envbool("EMAIL_USE_SSL", "0")
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", "10")
DEFAULT_FROM_EMAIL = os.getenv("DEFAULT_FROM_EMAIL", "antifraud@localhost")
SITE_URL = os.getenv("SITE_URL", "").rstrip("/")  # makes the links in mails absolute

# Chinese for everyone, whatever the browser asks for (no LocaleMiddleware).
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "antifraud.finders.AppDirectoriesFinder",  # every app's, less what would load from the internet
    "dashboards.finders.PlotlyFinder",  # vendor/plotly.min.js from the plotly package
]
STATIC_ROOT = Path(os.getenv("STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG and envbool("STATIC_MANIFEST", "1")
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

MEDIA_ROOT = Path(os.getenv("MEDIA_ROOT", VAR_DIR / "media"))  # uploads; served only through scoped views
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
IMPORT_MAX_FILE_SIZE = envint("IMPORT_MAX_FILE_SIZE", str(200 * 1024 * 1024))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "orgs.api_errors.exception_handler",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "反诈中心数据平台 API",
    "DESCRIPTION": "Records, imports and figures of the anti-fraud command center. Every answer is "
    "scoped to the caller's unit subtree.",
    "VERSION": "1",
    # Tag operations by resource (cases, publicity, …) rather than all under "v1".
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Signed-in users only, like every other page (the docs page redirects to the login).
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # The docs page's assets come from drf-spectacular-sidecar: nothing from the internet.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # Every operation's error answers (400/401/403/404), which drf-spectacular does not see.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "antifraud.api_schema.document_error_answers",
    ],
    # Two fields are called ``kind``: a case event's and an import job's.
    "ENUM_NAME_OVERRIDES": {
        "CaseEventKindEnum": "cases.models.EventKind",
        "ImportKindEnum": "imports.models.ImportKind",
        # Early-warning tasks and 四必查 reviews have a ``kind``, ``level``, ``source`` and ``status`` too.
        "RiskLevelEnum": "earlywarnings.models.RiskLevel",
        "WarningKindEnum": "earlywarnings.models.WarningKind",
        "WarningSourceEnum": "earlywarnings.models.WarningSource",
        "TaskStatusEnum": "earlywarnings.models.TaskStatus",
        "CheckKindEnum": "earlywarnings.models.CheckKind",
        "ReviewStatusEnum": "earlywarnings.models.ReviewStatus",
    },
}

# Production hardening that applies whenever DEBUG is off.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if envbool("BEHIND_TLS_PROXY", "0") else None
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = envbool("SECURE_COOKIES", "0" if DEBUG else "1")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
# Served over https (HTTPS=1): plain http is redirected and browsers are told (HSTS) never to
# try plain http again. Off by default: the site may run on plain http inside the network.
SECURE_SSL_REDIRECT = envbool("HTTPS", "0")
SECURE_HSTS_SECONDS = envint("HSTS_SECONDS", str(365 * 24 * 3600)) if SECURE_SSL_REDIRECT else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_PRELOAD = SECURE_SSL_REDIRECT
SESSION_COOKIE_HTTPONLY = True
# Content-Security-Policy (django-csp): our own origin only — scripts, styles, images, fonts,
# connections. Scripts only from files we serve: no inline script, no eval. Styles also allow
# inline styles, which Plotly's charts are drawn with (style attributes and rules it inserts);
# a style cannot run code. Data: images are the bulletin charts and Plotly's PNG export;
# blob: workers are MapLibre's.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.getenv("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint reports each layout step at INFO, fontTools each font it subsets.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # django-axes tells every sign-in at INFO; the audit log keeps them.
        "axes": {"level": "WARNING"},
    },
}

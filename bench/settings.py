"""Settings for the benchmarks: production-like (DEBUG off), loopback only."""

import os
import warnings

os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production-0123456789abcdef")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")

from mastermind.settings import *  # noqa: F403
from mastermind.settings import BASE_DIR

# The static twin of the feed is served by the same whitenoise stack from here. The
# benchmark writes it before gunicorn starts, so whitenoise indexes it once at start-up as
# in production; autorefresh (a per-request file lookup) would slow the baseline down.
WHITENOISE_ROOT = BASE_DIR / "bench" / "results" / "static-root"
WHITENOISE_AUTOREFRESH = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
LANGUAGE_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
# Rate limits would turn a load test into a test of the rate limiter.
RATELIMIT_ENABLED = False
ACCOUNT_RATE_LIMITS = False
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
# No collectstatic for benchmarks: the pages' CSS is not what they measure.
warnings.filterwarnings("ignore", message="No directory at")

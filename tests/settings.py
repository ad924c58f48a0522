"""Test settings: the real settings, plus isolation between parallel test processes."""

import os

# Tests run the development configuration (the development SECRET_KEY, local hosts);
# Django's test runner switches DEBUG itself off. Production behaviour is tested in
# subprocesses with their own environment (tests/mastermind/test_settings.py).
os.environ.setdefault("DEBUG", "true")

from mastermind.settings import *  # noqa: F403
from mastermind.settings import REDIS_URL

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SITE_URL = "https://mastermind.test"
SITE_DOMAIN = "mastermind.test"
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1", "mastermind.test"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Each pytest-xdist worker gets its own Redis database, so cache clears (FLUSHDB) and
# queued tasks of one test process never touch another's. REDIS_URL=.../N with N > 0 runs
# worker k in database N + k, so test runs side by side with numbers at least -n apart keep
# apart too; without a number (or with 0, the development server's) workers use 1, 2, ...
_worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
if REDIS_URL:
    _redis_base, _, _db = (
        REDIS_URL.rpartition("/") if REDIS_URL.count("/") > 2 else (REDIS_URL, "", "")
    )
    _first = int(_db) if _db.isdigit() and int(_db) > 0 else 1
    REDIS_TEST_URL = f"{_redis_base}/{_first + _worker}"
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_TEST_URL,
        }
    }
    CELERY_BROKER_URL = REDIS_TEST_URL
else:
    REDIS_TEST_URL = ""
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CELERY_BROKER_URL = "memory://"
CELERY_BROKER_TRANSPORT_OPTIONS = {}
CELERY_TASK_ALWAYS_EAGER = False

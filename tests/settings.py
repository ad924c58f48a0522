"""Test settings: the real settings, plus isolation between parallel test processes."""

import os
from urllib.parse import urlsplit

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

# Each pytest-xdist worker gets its own Redis database, counted from the one after
# REDIS_URL's (db 0: 1, 2, ...; db 5: 6, 7, ...), so cache clears and queued tasks of one
# test process never touch another's, nor another test run's with another REDIS_URL.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
if REDIS_URL:
    _redis = urlsplit(REDIS_URL)
    _db_index = int(_redis.path.strip("/") or 0) + 1 + int(_worker.removeprefix("gw") or 0)
    REDIS_TEST_URL = _redis._replace(path=f"/{_db_index}").geturl()
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

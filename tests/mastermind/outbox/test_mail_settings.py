"""The mail path cannot hang: an SMTP timeout by default and from EMAIL_URL; PostgreSQL
ends sessions left idle inside a transaction."""

import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection

from tests.helpers import ROOT


def email_settings(**env: str) -> str:
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.EMAIL_TIMEOUT, s.EMAIL_USE_TLS, s.EMAIL_HOST)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={"DEBUG": "true", "DJANGO_SETTINGS_MODULE": "mastermind.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.strip()


def test_smtp_timeout_has_a_default():
    assert email_settings().startswith("15 False")


def test_smtp_timeout_and_tls_come_from_email_url():
    url = "smtp://user:pw@mail.example.org:587?timeout=7&tls=True"
    assert email_settings(EMAIL_URL=url) == "7 True mail.example.org"


def test_email_timeout_variable_wins():
    url = "smtp://mail.example.org:25?timeout=7"
    assert email_settings(EMAIL_URL=url, EMAIL_TIMEOUT="12").startswith("12 ")


def test_the_test_settings_have_a_timeout_too():
    assert 10 <= settings.EMAIL_TIMEOUT <= 20


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL setting")
def test_postgresql_ends_sessions_idle_in_a_transaction():
    with connection.cursor() as cursor:
        cursor.execute("SHOW idle_in_transaction_session_timeout")
        assert cursor.fetchone()[0] == "1min"

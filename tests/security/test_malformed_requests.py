"""Malformed requests under production settings, served by gunicorn: 400s, never 500s.

A gunicorn on loopback runs the production configuration (DEBUG off, manifest static
files, HTTPS behind a proxy) on a throwaway SQLite database. Hypothesis sends every URL
pattern random charsets, header and cookie values (NUL, bidirectional controls, overlong,
non-ASCII), and no answer may be a 500; every error answer carries the security headers.
"""

from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import ROOT
from tests.mastermind.test_settings import PRODUCTION

HOST = "mastermind.example.org"
HEADERS = {"Host": HOST, "X-Forwarded-Proto": "https"}
SECURITY_HEADERS = ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options")
CHARSETS = ["utf8", "latin-1", "utf-16", "ascii", "cp1252"]


def _env(tmp: Path) -> dict[str, str]:
    (tmp / "prod_settings.py").write_text(
        "from mastermind.settings import *  # noqa\n"
        f"STATIC_ROOT = {str(tmp / 'static')!r}\n"
        f"DATABASES['default'] = {{'ENGINE': 'django.db.backends.sqlite3', "
        f"'NAME': {str(tmp / 'db.sqlite3')!r}}}\n"
    )
    keep = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "REDIS_URL", "DATABASE_URL")}
    return {
        **keep,
        **PRODUCTION,
        "DJANGO_SETTINGS_MODULE": "prod_settings",
        "PYTHONPATH": os.pathsep.join([str(tmp), str(ROOT)]),
    }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("gunicorn")
    env = _env(tmp)
    for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
        subprocess.run(
            [sys.executable, "manage.py", *command, "-v", "0"],
            cwd=ROOT,
            env=env,
            check=True,
            timeout=180,
            capture_output=True,
        )
    port = _free_port()
    log = (tmp / "gunicorn.log").open("w+")
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "mastermind.wsgi",
            f"--bind=127.0.0.1:{port}",
            "--workers=1",
            "--threads=4",
            "--timeout=60",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("gunicorn did not start")
        yield port, tmp / "gunicorn.log"
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def request(port, method, path, *, headers=None, body=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for name, value in {**HEADERS, **(headers or {})}.items():
            connection.putheader(name, value.encode("utf-8") if isinstance(value, str) else value)
        if body is not None:
            connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        response = connection.getresponse()
        response.body = response.read()
        return response
    finally:
        connection.close()


def _assert_headers(response) -> None:
    missing = [h for h in SECURITY_HEADERS if response.getheader(h) is None]
    assert not missing, f"{response.status} answer without {missing}"


def _errors_logged(log: Path) -> list[str]:
    return [
        line for line in log.read_text().splitlines() if " ERROR " in line or "Traceback" in line
    ]


# -- the findings, under gunicorn ---------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/apply/offene-runde/", "/accounts/login/", "/accounts/login/code/", "/admin/login/"]
)
def test_form_posts_in_another_charset_are_400s_with_headers(server, path):
    port, log = server
    for charset in CHARSETS:
        response = request(
            port,
            "POST",
            path,
            body=b"login=a%40example.org&password=x",
            headers={"Content-Type": f"application/x-www-form-urlencoded; charset={charset}"},
        )
        assert response.status == 400, charset
        _assert_headers(response)
    assert _errors_logged(log) == []


@pytest.mark.parametrize("path", ["/healthz", "/", "/groups/"])
def test_a_nul_in_the_session_cookie_is_a_400_with_headers(server, path):
    """The cookie as the probe sent it: an octal escape the cookie parser turns into NUL."""
    port, log = server
    response = request(port, "GET", path, headers={"Cookie": 'sessionid="abcdefgh\\000x"'})
    assert response.status == 400
    _assert_headers(response)
    assert _errors_logged(log) == []


def test_static_files_carry_the_security_headers(server):
    port, _log = server
    response = request(port, "GET", "/static/css/app.css")
    assert response.status == 200
    _assert_headers(response)


# -- the property ----------------------------------------------------------------------------

SAMPLES = {
    "int": "1",
    "slug": "x",
    "str": "x",
    "path": "x/y",
    "uuid": "00000000-0000-0000-0000-000000000000",
}


def _paths(patterns=None, prefix="") -> list[str]:
    """One concrete path per URL pattern of the site (converters filled with samples)."""
    out = []
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        text = str(pattern.pattern)
        if getattr(pattern.pattern, "regex", None) is not None and text.startswith("^"):
            text = re.sub(r"\(\?P<\w+>[^)]*\)", "x", text).lstrip("^").rstrip("$").replace("\\", "")
            text = re.sub(r"[()?*+|\[\]]", "", text)
        text = re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLES.get(m.group(1) or "str", "x"), text)
        if isinstance(pattern, URLResolver):
            out += _paths(pattern.url_patterns, prefix + text)
        elif isinstance(pattern, URLPattern):
            out.append("/" + prefix + text)
    return sorted(set(out))


PATHS = _paths()
NASTY = st.sampled_from(["\x00", "\u202e", "\u2066", "\u200b", "\u2028", "ä", "💥", "\x1b[31m"])
VALUES = st.one_of(
    st.text(max_size=30),
    st.lists(st.one_of(NASTY, st.text(max_size=5)), max_size=6).map("".join),
    st.integers(4_000, 6_000).map(lambda n: "x" * n),
).map(lambda v: v.replace("\r", "").replace("\n", ""))
CHARSET_VALUES = st.one_of(
    st.sampled_from([*CHARSETS, "utf-8", "UTF-8", '"utf-8"', "", "x" * 300]), VALUES
)


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    path=st.sampled_from(PATHS),
    method=st.sampled_from(["GET", "POST"]),
    charset=CHARSET_VALUES,
    cookie=VALUES,
    header=st.sampled_from(["Accept-Language", "User-Agent", "Referer", "X-Forwarded-For"]),
    value=VALUES,
)
def test_no_url_answers_500_to_malformed_charsets_headers_or_cookies(
    server, path, method, charset, cookie, header, value
):
    port, _log = server
    headers = {"Cookie": f"sessionid={cookie}; csrftoken={cookie}", header: value}
    body = None
    if method == "POST":
        headers["Content-Type"] = f"application/x-www-form-urlencoded; charset={charset}"
        body = b"name=%C3%A4&x=1"
    response = request(port, method, path, headers=headers, body=body)
    assert response.status < 500, f"{method} {path} {headers!r:.300} -> {response.status}"
    # gunicorn itself refuses a raw NUL in a header or oversized headers (its own bare 400 or
    # 431, before Django); every answer of the app carries the headers.
    from_gunicorn = b"<h1><p>" in response.body  # gunicorn's own error page
    if response.status >= 400 and not from_gunicorn:
        _assert_headers(response)

import datetime as dt

import pytest
import time_machine
from django.test import RequestFactory

from mastermind.core import ratelimit

START = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)


def test_hit_allows_up_to_the_limit_then_refuses():
    with time_machine.travel(START, tick=False):
        assert [ratelimit.hit("t", "1.2.3.4", 3, 60) for _ in range(5)] == [
            True, True, True, False, False,
        ]  # fmt: skip


def test_hit_counts_keys_and_scopes_separately():
    with time_machine.travel(START, tick=False):
        assert ratelimit.hit("a", "k", 1, 60)
        assert not ratelimit.hit("a", "k", 1, 60)
        assert ratelimit.hit("a", "other", 1, 60)
        assert ratelimit.hit("b", "k", 1, 60)


def test_hit_starts_afresh_in_the_next_window():
    with time_machine.travel(START, tick=False):
        assert ratelimit.hit("t", "k", 1, 60)
        assert not ratelimit.hit("t", "k", 1, 60)
    with time_machine.travel(START + dt.timedelta(seconds=60), tick=False):
        assert ratelimit.hit("t", "k", 1, 60)


def test_limit_zero_refuses_everything():
    assert not ratelimit.hit("t", "k", 0, 60)


def test_client_ip_ignores_forwarded_header_unless_proxies_are_configured(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6")
    assert ratelimit.client_ip(request) == "10.0.0.1"
    settings.RATELIMIT_PROXY_COUNT = 1
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9"
    )
    assert ratelimit.client_ip(request) == "203.0.113.9"


@pytest.mark.parametrize(("language", "text"), [("en", "too often"), ("de", 'lang="de"')])
def test_rate_limited_renders_the_429_page(rf, language, text):
    from django.utils import translation

    request = rf.post("/")
    with translation.override(language):
        response = ratelimit.rate_limited(request, period=60)
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    assert text in response.content.decode()

"""Every email, in both languages: the product's name, "Sie", the recipient's own time,
links that resolve, why it was sent, and a one-click unsubscribe where it is optional."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import Resolver404, resolve
from django.utils import formats, translation

from mastermind.outbox.kinds import REASONS
from tests.mastermind.outbox.catalogue import OPTIONAL, RECIPIENT_ZONE, html_of, links, render_all

pytestmark = pytest.mark.django_db

PRODUCT = "Runde Sache"  # not the default, so a hard-coded name shows
INFORMAL = re.compile(r"\b(du|dich|dir|dein\w*|euch|euer|eure\w*)\b", re.IGNORECASE)
URL = re.compile(r"https?://\S+")


@pytest.fixture(params=["de", "en"], scope="function")
def rendered(request):
    with override_settings(SITE_NAME=PRODUCT), translation.override(request.param):
        yield request.param, render_all(request.param)


def _texts(message) -> list[str]:
    return [message.subject, message.body, html_of(message)]


def test_every_email_names_the_product_never_the_server(rendered):
    _language, emails = rendered
    for kind, (message, _meeting) in emails.items():
        for part in _texts(message)[1:]:
            assert PRODUCT in part, kind
        for part in _texts(message):
            words = URL.sub("", part)
            assert "testserver" not in words and "mastermind.test" not in words, kind
            assert "Hello from" not in part and "Hallo von" not in part, kind


def test_german_emails_say_sie(rendered):
    language, emails = rendered
    if language != "de":
        pytest.skip("German only")
    for kind, (message, _meeting) in emails.items():
        for part in _texts(message):
            found = INFORMAL.findall(URL.sub("", re.sub(r"<[^>]+>", " ", part)))
            assert not found, f"{kind}: {found}"


def test_times_are_in_the_recipients_zone(rendered):
    language, emails = rendered
    zone = ZoneInfo(RECIPIENT_ZONE)
    for kind, (message, meeting) in emails.items():
        if meeting is None:
            continue
        local = meeting.starts_at.astimezone(zone)
        with translation.override(language):
            shown = formats.time_format(local, "TIME_FORMAT")
            site = formats.time_format(meeting.starts_at.astimezone(ZoneInfo("Europe/Berlin")))
        assert shown in message.body, f"{kind}: {shown} not in the text"
        assert site not in message.body, f"{kind}: shows the site's time {site}"


def test_links_resolve(rendered):
    _language, emails = rendered
    for kind, (message, _meeting) in emails.items():
        found = links(message.body, settings.SITE_URL) + links(html_of(message), settings.SITE_URL)
        found += links(message.body, "http://testserver")
        for path in found:
            try:
                resolve(re.split(r"[?#]", path)[0])
            except Resolver404:
                pytest.fail(f"{kind}: {path} does not resolve")


def test_optional_emails_offer_one_click_unsubscribe_and_the_others_say_why(rendered):
    language, emails = rendered
    for kind, (message, _meeting) in emails.items():
        headers = message.extra_headers
        if kind in OPTIONAL:
            url = headers["List-Unsubscribe"].strip("<>")
            assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click", kind
            assert url in message.body and url in html_of(message), kind
            assert resolve(url.removeprefix(settings.SITE_URL)), kind
        else:
            assert "List-Unsubscribe" not in headers, kind
        with translation.override(language):
            reason = str(REASONS[kind]) if kind in REASONS else None
        if reason:
            assert reason in message.body, kind
        else:  # allauth's: each says why in its own words
            assert "You get this email" in message.body or "diese E-Mail" in message.body, kind


def test_hot_seat_changed_links_to_the_readers_own_next_hot_seat():
    from mastermind.outbox import build_message
    from mastermind.outbox.models import Notification
    from tests.mastermind.outbox.catalogue import world_for

    world = world_for("en")
    # The change happened at a2's meeting; a1's own next hot seat is meeting_a.
    notification = Notification(
        kind="hot_seat_changed", user=world.a1, email=world.a1.email, subject=world.meeting_a2
    )
    body = build_message(notification).body
    assert settings.SITE_URL + world.meeting_a.get_absolute_url() in body
    assert world.meeting_a2.get_absolute_url() not in body

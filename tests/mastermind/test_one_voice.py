"""One voice: every member and public page and every email, in German and in English,
without ISO datetimes, doubled full stops, the other language's catalogue sentences, or
common words of the other language.

User-written content is kept neutral in this world (names and texts without words of
either language), so whatever is found is the app's own wording.
"""

from __future__ import annotations

import datetime as dt
import html as htmllib
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import trans_real

from groups.models import Group, Membership
from meetings.models import Commitment, Meeting, Pause, SwapRequest
from meetings.services import sync_after_pause_change
from tests.browser.helpers import member_group, presenters
from tests.factories import IntakeFactory
from tests.mastermind.outbox.catalogue import html_of, render_all

pytestmark = pytest.mark.django_db

ISO = re.compile(r"\b\d{4}-\d{2}-\d{2}(?:[T ]\d{1,2}:\d{2})?\b")
DOUBLED = re.compile(r"(?<!\.)\.\.(?!\.)")
STOP = {
    "de": re.compile(r"\b(the|and|you|your|with|meeting|meetings|please|because|when|no)\b"),
    "en": re.compile(r"\b(und|der|die|das|Sie|Ihre?|nicht|Treffen|bitte|keine?|für)\b"),
}
NEUTRAL = "Xylo Quux"


def visible_text(html: str) -> str:
    html = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", html)
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _without_other_language(html: str, language: str) -> str:
    """Drop elements marked as written in the other language (organiser content)."""
    other = "en" if language == "de" else "de"
    return re.sub(rf'(?is)<(\w+)[^>]*\blang="{other}"[^>]*>.*?</\1>', " ", html)


def _sentences(language: str) -> set[str]:
    """The other language's catalogue sentences (four words or more) that must not show."""
    catalog = trans_real.translation("de")._catalog
    found = set()
    for msgid, msgstr in catalog.items():
        if not isinstance(msgid, str) or "%" in msgid or "{" in msgid or msgid == msgstr:
            continue
        text = msgid if language == "de" else msgstr
        if len(text.split()) >= 4 and "<" not in text:
            found.add(text)
    return found


def _world():
    group, users = member_group(language="de")
    Group.objects.filter(pk=group.pk).update(name=NEUTRAL, description=NEUTRAL)
    Membership.objects.filter(group=group).update(about=NEUTRAL, topics=[NEUTRAL])
    upcoming = Meeting.objects.filter(group=group, starts_at__gt=timezone.now())
    first = upcoming.order_by("starts_at")[0]
    (member,) = [u for u in users if u.pk in presenters(first)]
    other = upcoming.exclude(hot_seats__user=member).order_by("starts_at")[0]
    SwapRequest.objects.create(
        requester=member,
        requester_meeting=first,
        responder=other.hot_seats.get().user,
        responder_meeting=other,
    )
    past = Meeting.objects.filter(group=group, starts_at__lt=timezone.now()).first()
    Commitment.objects.create(meeting=past, user=member, text=NEUTRAL)
    day = timezone.localdate() + dt.timedelta(days=40)
    Pause.objects.create(name=NEUTRAL, start_date=day, end_date=day + dt.timedelta(20))
    sync_after_pause_change(group=None)
    intake = IntakeFactory(slug="quux", title=NEUTRAL, pitch=NEUTRAL, topics=[NEUTRAL])
    closed = IntakeFactory(
        slug="quux-closed",
        title=NEUTRAL,
        pitch=NEUTRAL,
        opens_at=timezone.now() - dt.timedelta(days=90),
        deadline=timezone.now() - dt.timedelta(days=60),
    )
    public = [
        "/",
        intake.get_absolute_url(),
        closed.get_absolute_url(),
        reverse("groups:interest"),
        reverse("account_login"),
        "/_errors/404/",
    ]
    members = [
        reverse("groups:my_groups"),
        group.get_absolute_url(),
        reverse("meetings:group_meetings", args=[group.pk]),
        first.get_absolute_url(),
        past.get_absolute_url(),
        reverse("meetings:prepare", args=[first.pk]),
        reverse("meetings:run_meeting", args=[first.pk]),
        reverse("meetings:run_meeting", args=[past.pk]),
        reverse("meetings:swap_request", args=[first.pk]),
        reverse("meetings:swaps"),
        reverse("meetings:calendar"),
        reverse("meetings:profile"),
        reverse("privacy_my_data"),
        reverse("groups:leave_group", args=[group.pk]),
    ]
    return member, public, members


def _problems(text: str, language: str, sentences: set[str]) -> list[str]:
    found = [f"ISO datetime {m!r}" for m in ISO.findall(text)]
    found += [
        f"doubled full stop near {text[max(0, m.start() - 30) : m.end()]!r}"
        for m in DOUBLED.finditer(text)
    ]
    found += [
        f"{'English' if language == 'de' else 'German'} word {w!r}"
        for w in STOP[language].findall(text)
    ]
    found += [f"other language: {s!r}" for s in sentences if s in text]
    return found


@pytest.mark.parametrize("language", ["de", "en"])
def test_every_page_speaks_one_language(settings, language):
    settings.DEBUG = True  # for /_errors/404/
    member, public, members = _world()
    member.language = language
    member.save()
    sentences = _sentences(language)
    anonymous, signed_in = Client(), Client()
    signed_in.force_login(member)
    problems = {}
    for client, paths in ((anonymous, public), (signed_in, members)):
        for path in paths:
            response = client.get(path, HTTP_ACCEPT_LANGUAGE=language)
            assert response.status_code in (200, 404), path
            html = _without_other_language(response.content.decode(), language)
            found = _problems(visible_text(html), language, sentences)
            if found:
                problems[path] = found
    assert problems == {}, "\n".join(f"{k}: {v}" for k, v in problems.items())


@pytest.mark.parametrize("language", ["de", "en"])
def test_every_email_speaks_one_language(language):
    with translation.override(language):
        emails = render_all(language)
    sentences = _sentences(language)
    problems = {}
    for kind, (message, _meeting) in emails.items():
        text = " ".join([message.subject, message.body, visible_text(html_of(message))])
        text = re.sub(r"https?://\S+", " ", text)
        found = _problems(text, language, sentences)
        if found:
            problems[kind] = found
    assert problems == {}, "\n".join(f"{k}: {v}" for k, v in problems.items())

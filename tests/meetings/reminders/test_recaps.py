"""The recap email after each held meeting: once, at end + delay, to the current members."""

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client

from mastermind.outbox.models import NotificationStatus
from meetings.models import MeetingStatus, MemberSettings
from meetings.reminders import recaps
from tests.factories import (
    AbsenceFactory,
    CommitmentFactory,
    HotSeatFactory,
    MeetingFactory,
    MemberSettingsFactory,
    MembershipFactory,
    PreparationFactory,
    UserFactory,
)
from tests.meetings.reminders.helpers import (
    END,
    MINUTE,
    START,
    deliver_all,
    keys,
    make_group,
    statuses,
    sweep_at,
)

pytestmark = pytest.mark.django_db

KIND = recaps.RECAP
DUE = END + dt.timedelta(minutes=120)


def _sent() -> list:
    """The recaps in the outbox (the commitments prompt is due before them)."""
    return [m for m in mail.outbox if "Rückblick" in m.subject or "recap" in m.subject]


def _by_recipient() -> dict:
    return {message.to[0]: message for message in _sent()}


def test_recap_is_sent_once_to_every_member_after_end_plus_delay():
    setup = make_group(members=3)
    assert sweep_at(DUE - MINUTE).new[KIND] == 0
    assert sweep_at(DUE).new[KIND] == 3
    assert sweep_at(DUE + MINUTE).new[KIND] == 0
    assert sweep_at(DUE + dt.timedelta(hours=30)).new[KIND] == 0
    deliver_all(DUE)
    assert sorted(m.to[0] for m in _sent()) == sorted(u.email for u in setup.members)
    assert keys(KIND) == sorted(
        f"meeting_recap:{setup.meeting.pk}:{u.pk}:20270302T2000Z" for u in setup.members
    )
    sweep_at(DUE + dt.timedelta(hours=1))
    deliver_all(DUE + dt.timedelta(hours=1))
    assert len(_sent()) == 3


def test_the_delay_is_a_setting(settings):
    settings.RECAP_DELAY_MINUTES = 30
    make_group(members=2)
    assert sweep_at(END + dt.timedelta(minutes=29)).new[KIND] == 0
    assert sweep_at(END + dt.timedelta(minutes=30)).new[KIND] == 2


@pytest.mark.parametrize("status", [MeetingStatus.CANCELLED, MeetingStatus.SKIPPED])
def test_cancelled_or_skipped_meetings_get_no_recap(status):
    setup = make_group(members=2)
    setup.meeting.status = status
    setup.meeting.save()
    assert sweep_at(DUE).new[KIND] == 0


def test_a_meeting_cancelled_after_the_claim_is_skipped_at_send_time():
    setup = make_group(members=2)
    sweep_at(DUE)
    setup.meeting.status = MeetingStatus.CANCELLED
    setup.meeting.save()
    deliver_all(DUE)
    assert _sent() == []
    assert set(statuses(KIND).values()) == {NotificationStatus.SKIPPED}


def test_old_history_is_not_recapped():
    make_group(members=2)
    assert sweep_at(DUE + recaps.RECAP_LOOKBACK + MINUTE).new[KIND] == 0


def test_former_members_and_members_who_opted_out_get_none():
    setup = make_group(members=3)
    stays, opted_out, leaves = setup.members
    MemberSettingsFactory(user=opted_out, recaps=False)
    leaves.memberships.update(left_at=END)
    sweep_at(DUE)
    assert set(statuses(KIND)) == {stays.email}


def test_recap_tells_hot_seat_takeaways_commitments_attendees_and_next_meeting():
    setup = make_group(members=3)
    presenter, committed, absent = setup.members
    for user, name in zip(setup.members, ("Anna", "Bernd", "Clara"), strict=True):
        user.display_name = name
        user.language, user.time_zone = "en", "Europe/Berlin"
        user.save()
    PreparationFactory(meeting=setup.meeting, user=presenter, takeaways="Ship small, ship often.")
    CommitmentFactory(meeting=setup.meeting, user=committed, text="Call three customers")
    AbsenceFactory(meeting=setup.meeting, user=absent)
    following = MeetingFactory(
        group=setup.meeting.group,
        starts_at=START + dt.timedelta(weeks=2),
        ends_at=START + dt.timedelta(weeks=2, hours=2),
    )
    HotSeatFactory(meeting=following, user=committed)
    sweep_at(DUE)
    deliver_all(DUE)
    sent = _by_recipient()
    body = sent[presenter.email].body
    assert "Hot seat: Anna" in body
    assert "Ship small, ship often." in body
    assert "- Bernd: Call three customers" in body
    assert "Who was there: Anna, Bernd\n" in body
    assert "Tuesday, March 16, 2027, 7 p.m. (Europe/Berlin)" in body
    assert "Hot seat: Bernd" in body
    assert f"{following.get_absolute_url()}" in body
    commitment_link = f"{setup.meeting.get_absolute_url()}#commitments"
    # Only those without a commitment are asked for one.
    assert commitment_link in body
    assert commitment_link in sent[absent.email].body
    assert commitment_link not in sent[committed.email].body
    assert "Ship small" in sent[committed.email].alternatives[0][0]


def test_recap_in_the_recipients_language_and_time_zone():
    setup = make_group(members=2)
    english, german = setup.members
    english.language, english.time_zone = "en", "America/New_York"
    english.save()
    MeetingFactory(
        group=setup.meeting.group,
        starts_at=START + dt.timedelta(weeks=2),
        ends_at=START + dt.timedelta(weeks=2, hours=2),
    )
    sweep_at(DUE)
    deliver_all(DUE)
    sent = _by_recipient()
    assert "2 p.m. (America/New_York)" in sent[english.email].body  # 19:00 in Berlin, DST
    german_mail = sent[german.email]
    assert "Rückblick" in german_mail.subject
    assert "Hot Seat" in german_mail.body
    assert "Dienstag, 16. März 2027 19:00 (Europe/Berlin)" in german_mail.body
    assert "Wer war dabei" in german_mail.body
    assert "Sie" in german_mail.body


def test_recap_carries_one_click_unsubscribe_that_turns_recaps_off():
    setup = make_group(members=1)
    sweep_at(DUE)
    deliver_all(DUE)
    headers = _sent()[0].extra_headers
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = headers["List-Unsubscribe"].strip("<>")
    assert url in _sent()[0].body
    response = Client(enforce_csrf_checks=True).post(
        urlsplit(url).path,
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert MemberSettings.objects.get(user=setup.members[0]).recaps is False


def test_unsubscribed_before_sending_is_skipped():
    setup = make_group(members=1)
    sweep_at(DUE)
    MemberSettingsFactory(user=setup.members[0], recaps=False)
    deliver_all(DUE)
    assert _sent() == []


def test_a_member_who_joined_after_the_meeting_is_not_listed_as_there():
    setup = make_group(members=2)
    newcomer = MembershipFactory(group=setup.meeting.group, user=UserFactory(), joined_at=END).user
    newcomer.display_name = "Zacharias"
    newcomer.save()
    sweep_at(DUE)
    deliver_all(DUE)
    body = _by_recipient()[newcomer.email].body
    there = re.search(r"^Wer war dabei: (.*)$", body, re.MULTILINE).group(1)
    assert there == ", ".join(u.first_name for u in setup.members)


def test_a_meeting_moved_after_its_claim_gets_its_recap_at_the_new_time():
    setup = make_group(members=1)
    sweep_at(DUE)
    later = dt.timedelta(hours=3)
    setup.meeting.starts_at += later
    setup.meeting.ends_at += later
    setup.meeting.save()
    deliver_all(DUE)
    assert _sent() == []
    assert sweep_at(DUE + later).new[KIND] == 1
    deliver_all(DUE + later)
    assert len(_sent()) == 1

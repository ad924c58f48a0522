"""The organisers' weekly digest of groups that need attention."""

import datetime as dt
import re
import zoneinfo

import pytest
from django.core import mail

from mastermind.outbox.models import NotificationStatus
from meetings.reminders import health_digest
from tests.factories import (
    AbsenceFactory,
    MeetingFactory,
    MemberSettingsFactory,
    ScheduleFactory,
    StaffFactory,
)
from tests.meetings.helpers import make_group
from tests.meetings.reminders.helpers import MINUTE, deliver_all, keys, statuses, sweep_at

pytestmark = pytest.mark.django_db

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
MONDAY = dt.datetime(2027, 1, 4, 8, 0, tzinfo=BERLIN)  # ISO week 2027-W01
KIND = health_digest.HEALTH_DIGEST


def _held(group, weeks_ago: int):
    starts_at = MONDAY - dt.timedelta(weeks=weeks_ago)
    return MeetingFactory(
        group=group, starts_at=starts_at, ends_at=starts_at + dt.timedelta(hours=2)
    )


def flagged_group(name="Needs care"):
    """A group one of whose members missed the last three meetings."""
    group, users = make_group(3, joined=MONDAY - dt.timedelta(days=90))
    group.name = name
    group.save()
    for weeks in (3, 2, 1):
        AbsenceFactory(meeting=_held(group, weeks), user=users[0])
    return group, users


def fine_group(name="Doing well"):
    group, users = make_group(3, joined=MONDAY - dt.timedelta(days=90))
    group.name = name
    group.save()
    for weeks in (3, 2, 1):
        _held(group, weeks)
    return group, users


def _digests() -> list:
    return [m for m in mail.outbox if "attention" in m.subject or "Aufmerksamkeit" in m.subject]


def test_digest_is_claimed_once_per_iso_week_on_monday_morning(settings):
    settings.ORGANISER_EMAILS = ["lead@example.org"]
    flagged_group()
    assert sweep_at(MONDAY - MINUTE).new[KIND] == 0
    assert sweep_at(MONDAY).new[KIND] == 1
    assert sweep_at(MONDAY + dt.timedelta(hours=1)).new[KIND] == 0
    assert sweep_at(MONDAY + dt.timedelta(days=1)).new[KIND] == 0
    deliver_all(MONDAY + MINUTE)
    assert [m.to for m in _digests()] == [["lead@example.org"]]
    assert sweep_at(MONDAY + dt.timedelta(weeks=1)).new[KIND] == 1
    assert [k.split(":")[1] for k in keys(KIND)] == ["2027W01", "2027W02"]


def test_digest_lists_only_groups_that_need_attention_with_reasons_and_links():
    staff = StaffFactory(language="en")
    group, users = flagged_group()
    ScheduleFactory(group=group)
    fine_group()
    sweep_at(MONDAY)
    deliver_all(MONDAY)
    (message,) = _digests()
    assert message.to == [staff.email]
    assert message.subject == "1 group needs your attention"
    body = message.body
    assert "Needs care" in body
    assert "Doing well" not in body
    assert f"{users[0]} missed the last 3 meetings in a row." in body
    assert f"/admin/groups/group/{group.pk}/change/" in body
    assert f"/groups/{group.pk}/" in body
    mailto = re.search(r"mailto:\S+", body).group(0)
    assert sorted(mailto.removeprefix("mailto:").split(",")) == sorted(u.email for u in users)
    assert f"/admin/meetings/schedule/{group.schedule.pk}/change/" in body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_no_email_when_no_group_needs_attention():
    StaffFactory()
    fine_group()
    assert sweep_at(MONDAY).new[KIND] == 1
    deliver_all(MONDAY)
    assert _digests() == []
    assert set(statuses(KIND).values()) == {NotificationStatus.SKIPPED}


def test_digest_in_the_organisers_language():
    StaffFactory(language="de")
    _group, users = flagged_group()
    sweep_at(MONDAY)
    deliver_all(MONDAY)
    (message,) = _digests()
    assert message.subject == "1 Gruppe braucht Ihre Aufmerksamkeit"
    assert "Terminplan anlegen" in message.body  # no schedule yet
    assert f"{users[0]} hat die letzten 3 Treffen in Folge verpasst." in message.body


def test_organisers_who_opted_out_get_none_and_members_never_do():
    wants = StaffFactory()
    MemberSettingsFactory(user=StaffFactory(), organiser_digests=False)
    _group, members = flagged_group()
    sweep_at(MONDAY)
    assert set(statuses(KIND)) == {wants.email}
    assert not set(statuses(KIND)) & {m.email for m in members}


def test_a_digest_found_too_late_expires():
    StaffFactory()
    flagged_group()
    sweep_at(MONDAY)
    deliver_all(MONDAY + health_digest.STALE_AFTER)
    assert set(statuses(KIND).values()) == {NotificationStatus.EXPIRED}

"""Who gets what: preferences, cancellations, moves, absences, stale reminders, content."""

import datetime as dt

import pytest
import time_machine
from django.core import mail

from mastermind.outbox.models import NotificationStatus
from meetings.models import MeetingStatus
from meetings.reminders import sweep as reminders
from tests.factories import AbsenceFactory, MemberSettingsFactory
from tests.meetings.reminders.helpers import (
    END,
    START,
    deliver_all,
    keys,
    make_group,
    statuses,
    sweep_at,
)

pytestmark = pytest.mark.django_db

DUE = START - dt.timedelta(hours=24)


def test_preference_off_is_not_claimed():
    setup = make_group(members=2)
    off, on = setup.members
    MemberSettingsFactory(user=off, meeting_reminders=False)
    sweep_at(DUE)
    assert set(statuses(reminders.MEETING_REMINDER)) == {on.email}


def test_preference_turned_off_after_the_claim_is_skipped():
    setup = make_group(members=2)
    sweep_at(DUE)
    MemberSettingsFactory(user=setup.members[0], meeting_reminders=False)
    deliver_all(DUE)
    assert statuses(reminders.MEETING_REMINDER) == {
        setup.members[0].email: NotificationStatus.SKIPPED,
        setup.members[1].email: NotificationStatus.SENT,
    }
    assert [message.to for message in mail.outbox] == [[setup.members[1].email]]


@pytest.mark.parametrize(
    ("preference", "kind", "moment"),
    [
        ("preparation_reminders", reminders.PREPARATION_REMINDER, START - dt.timedelta(days=5)),
        ("commitment_prompts", reminders.COMMITMENTS_PROMPT, END + dt.timedelta(hours=1)),
    ],
)
def test_each_kind_has_its_own_preference(preference, kind, moment):
    setup = make_group(members=2)
    for user in setup.members:
        MemberSettingsFactory(user=user, **{preference: False})
    assert sweep_at(moment).new[kind] == 0


def test_cancelled_meeting_sends_no_reminder():
    setup = make_group(members=2)
    setup.meeting.status = MeetingStatus.CANCELLED
    setup.meeting.save()
    result = sweep_at(DUE)
    assert result.new[reminders.MEETING_REMINDER] == 0


def test_meeting_cancelled_after_the_claim_is_skipped():
    setup = make_group(members=2)
    sweep_at(DUE)
    setup.meeting.status = MeetingStatus.CANCELLED
    setup.meeting.save()
    deliver_all(DUE)
    assert set(statuses().values()) == {NotificationStatus.SKIPPED}
    assert mail.outbox == []


def test_moved_meeting_reminder_follows_the_new_time():
    setup = make_group(members=1)
    sweep_at(DUE)  # claimed for the old time, not sent yet
    new_start = START + dt.timedelta(days=2)
    setup.meeting.starts_at = new_start
    setup.meeting.ends_at = new_start + dt.timedelta(hours=2)
    setup.meeting.save()

    deliver_all(DUE)
    assert mail.outbox == []
    assert list(statuses().values()) == [NotificationStatus.SKIPPED]

    assert sweep_at(new_start - dt.timedelta(hours=24, minutes=1)).new["meeting_reminder"] == 0
    assert sweep_at(new_start - dt.timedelta(hours=24)).new["meeting_reminder"] == 1
    deliver_all(new_start - dt.timedelta(hours=24))
    assert len(mail.outbox) == 1
    assert "4. März 2027" in mail.outbox[0].body


def test_meeting_moved_after_its_reminder_was_sent_gets_one_for_the_new_time():
    setup = make_group(members=1)
    sweep_at(DUE)
    deliver_all(DUE)
    setup.meeting.starts_at = START + dt.timedelta(days=7)
    setup.meeting.ends_at = setup.meeting.starts_at + dt.timedelta(hours=2)
    setup.meeting.save()
    sweep_at(setup.meeting.starts_at - dt.timedelta(hours=24))
    deliver_all(setup.meeting.starts_at - dt.timedelta(hours=24))
    assert len(keys(reminders.MEETING_REMINDER)) == 2
    assert len(mail.outbox) == 2


def test_absent_member_gets_no_reminder():
    setup = make_group(members=2)
    AbsenceFactory(meeting=setup.meeting, user=setup.members[0])
    sweep_at(DUE)
    assert set(statuses()) == {setup.members[1].email}


def test_absence_after_the_claim_skips_the_reminder():
    setup = make_group(members=2)
    sweep_at(DUE)
    AbsenceFactory(meeting=setup.meeting, user=setup.members[0])
    deliver_all(DUE)
    assert statuses()[setup.members[0].email] == NotificationStatus.SKIPPED
    assert [message.to for message in mail.outbox] == [[setup.members[1].email]]


def test_absent_members_get_no_commitments_prompt():
    setup = make_group(members=2)
    AbsenceFactory(meeting=setup.meeting, user=setup.members[0])
    sweep_at(END + dt.timedelta(hours=1))
    assert set(statuses(reminders.COMMITMENTS_PROMPT)) == {setup.members[1].email}


def test_member_who_left_gets_nothing():
    setup = make_group(members=2)
    leaver = setup.members[0]
    leaver.memberships.update(left_at=DUE - dt.timedelta(days=1))
    sweep_at(DUE)
    assert set(statuses()) == {setup.members[1].email}


def test_member_who_left_after_the_claim_is_skipped():
    setup = make_group(members=2)
    sweep_at(DUE)
    setup.members[0].memberships.update(left_at=DUE)
    deliver_all(DUE)
    assert statuses()[setup.members[0].email] == NotificationStatus.SKIPPED


def test_presenter_replaced_after_the_claim_gets_no_preparation_reminder():
    setup = make_group(members=2)
    moment = START - dt.timedelta(days=5)
    sweep_at(moment)
    setup.meeting.hot_seats.update(user=setup.members[1])
    deliver_all(moment)
    assert statuses(reminders.PREPARATION_REMINDER) == {
        setup.presenter.email: NotificationStatus.SKIPPED
    }


def test_reminder_found_after_the_meeting_started_is_expired_not_sent():
    make_group(members=2)
    sweep_at(DUE)
    deliver_all(START + dt.timedelta(minutes=1))
    assert set(statuses().values()) == {NotificationStatus.EXPIRED}
    assert mail.outbox == []


def test_second_reminder_after_an_outage_is_claimed_and_expired():
    make_group(members=2, schedule={"second_reminder_minutes_before": 60})
    moment = START + dt.timedelta(minutes=30)  # the worker was down for 90 minutes
    assert sweep_at(moment).new[reminders.SECOND_REMINDER] == 2
    deliver_all(moment)
    assert set(statuses(reminders.SECOND_REMINDER).values()) == {NotificationStatus.EXPIRED}
    assert mail.outbox == []


def test_commitments_prompt_a_day_late_is_expired():
    make_group(members=1)
    sweep_at(END + dt.timedelta(hours=1))
    deliver_all(END + dt.timedelta(hours=1, days=1))
    assert set(statuses().values()) == {NotificationStatus.EXPIRED}


def test_meeting_reminder_content_headers_and_calendar_file():
    setup = make_group(members=1)
    sweep_at(DUE)
    deliver_all(DUE)
    (message,) = mail.outbox
    assert message.to == [setup.members[0].email]
    assert setup.meeting.group.name in message.subject
    assert f"https://mastermind.test/meetings/{setup.meeting.pk}/" in message.body
    assert setup.presenter.first_name in message.body
    unsubscribe = message.extra_headers["List-Unsubscribe"]
    assert unsubscribe.startswith("<https://mastermind.test/unsubscribe/")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert setup.meeting.group.name in html
    ((filename, content, ics_type),) = message.attachments
    assert (filename, ics_type) == ("meeting.ics", "text/calendar; method=PUBLISH")
    assert "METHOD:PUBLISH" in content
    for feed_only in ("NAME:", "X-WR-CALNAME:", "REFRESH-INTERVAL", "X-PUBLISHED-TTL"):
        assert f"\r\n{feed_only}" not in content
    assert f"UID:meeting-{setup.meeting.pk}@mastermind.test" in content
    assert content.count("BEGIN:VEVENT") == 1
    assert "DTSTART;TZID=Europe/Berlin:20270302T190000" in content


def test_preparation_reminder_has_the_questions_and_the_meeting_link():
    setup = make_group(members=3)
    moment = START - dt.timedelta(days=5)
    sweep_at(moment)
    deliver_all(moment)
    (message,) = mail.outbox
    assert message.to == [setup.presenter.email]
    assert "Was möchte ich erzählen?" in message.body or "What do I want to tell?" in message.body
    assert f"/meetings/{setup.meeting.pk}/" in message.body
    assert "preparation_reminders" not in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_commitments_prompt_links_to_the_meeting():
    setup = make_group(members=2)
    sweep_at(END + dt.timedelta(hours=1))
    deliver_all(END + dt.timedelta(hours=1))
    assert len(mail.outbox) == 2
    assert all(
        f"/meetings/{setup.meeting.pk}/#commitments" in message.body for message in mail.outbox
    )
    assert all(len(message.attachments) == 1 for message in mail.outbox)


def test_unsubscribe_link_in_a_reminder_names_the_kinds_preference(client):
    setup = make_group(members=1)
    sweep_at(DUE)
    deliver_all(DUE)
    url = mail.outbox[0].extra_headers["List-Unsubscribe"].strip("<>")
    response = client.post(url.removeprefix("https://mastermind.test"))
    assert response.status_code == 200
    setup.members[0].member_settings.refresh_from_db()
    assert setup.members[0].member_settings.meeting_reminders is False
    assert setup.members[0].member_settings.preparation_reminders is True


def test_inactive_user_gets_nothing():
    setup = make_group(members=2)
    setup.members[0].is_active = False
    setup.members[0].save()
    sweep_at(DUE)
    assert set(statuses()) == {setup.members[1].email}


def test_reminder_is_sent_only_once_when_delivered_twice():
    make_group(members=1)
    sweep_at(DUE)
    deliver_all(DUE)
    with time_machine.travel(DUE, tick=False):
        from mastermind import outbox
        from mastermind.outbox.models import Notification

        assert outbox.deliver(Notification.objects.get().pk)[0] == outbox.Outcome.DONE
    assert len(mail.outbox) == 1

"""A member who leaves or is removed, end to end through the services and the feed view.

Their group's meetings vanish from their feed (they are no longer in the group); the
current members' feeds keep the past meetings and the future ones, with the hot seats
re-planned among the current members; invitations they were sent are cancelled.
"""

import datetime as dt

import pytest

from groups import services as groups_services
from groups.models import Membership
from mastermind import outbox
from mastermind.privacy.services import delete_account
from meetings.calendar.feed import set_calendar_invitations, settings_for
from meetings.calendar.invitations import KIND_CANCEL, collect
from meetings.models import HotSeat, Meeting, MeetingStatus
from tests.factories import GroupFactory
from tests.meetings.helpers import NOW, make_group, make_schedule

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]


def feed_uids(client, user, django_assert_max_num_queries) -> set[str]:
    url = f"/calendar/{settings_for(user).feed_token}.ics"
    with django_assert_max_num_queries(6):
        response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    return {line.removeprefix("UID:") for line in body.splitlines() if line.startswith("UID:")}


def uid(meeting) -> str:
    return f"meeting-{meeting.pk}@mastermind.test"


def leave(user, group):
    membership = Membership.objects.current().get(user=user, group=group)
    groups_services.leave_group(membership=membership, reason="")


def remove(user, group):
    membership = Membership.objects.current().get(user=user, group=group)
    groups_services.move_member(membership=membership, to_group=GroupFactory(), by=None)


def erase(user, group):
    delete_account(user=user)


@pytest.mark.parametrize("how", [leave, remove, erase], ids=["leaves", "removed", "deleted"])
def test_leaving_member_loses_the_meetings_and_the_others_keep_them(
    client, how, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    group, users = make_group(4)
    make_schedule(group, first_date=dt.date(2026, 11, 3))
    leaver, stayer = users[0], users[1]
    set_calendar_invitations(user=leaver, enabled=True)
    for pk in outbox.claim_many(collect(NOW)):
        outbox.deliver(pk)
    meetings = list(Meeting.objects.filter(group=group, status=MeetingStatus.SCHEDULED))
    past = [m for m in meetings if m.starts_at <= NOW]
    upcoming = [m for m in meetings if m.starts_at > NOW]
    assert past and upcoming
    assert HotSeat.objects.filter(user=leaver, meeting__in=upcoming).exists()
    past_seats = set(HotSeat.objects.filter(user=leaver, meeting__in=past).values_list("pk"))
    before = feed_uids(client, leaver, django_assert_max_num_queries)
    assert {uid(m) for m in upcoming[:3]} <= before

    with django_capture_on_commit_callbacks(execute=True):
        how(leaver, group)

    if how is not erase:  # a deleted account has no feed any more
        assert not {uid(m) for m in meetings} & feed_uids(
            client, leaver, django_assert_max_num_queries
        )
    kept = feed_uids(client, stayer, django_assert_max_num_queries)
    assert {uid(m) for m in past} <= kept
    assert {uid(m) for m in upcoming if m.starts_at <= NOW + dt.timedelta(days=300)} <= kept
    # The hot seats are re-planned among the current members; the history stays.
    assert not HotSeat.objects.filter(user=leaver, meeting__in=upcoming).exists()
    assert set(HotSeat.objects.filter(user=leaver, meeting__in=past).values_list("pk")) == (
        past_seats
    )
    current = set(Membership.objects.current().filter(group=group).values_list("user_id"))
    for meeting in upcoming:
        seats = set(HotSeat.objects.filter(meeting=meeting).values_list("user_id"))
        assert len(seats) == 1 and seats <= current
    if how is not erase:  # erasure also drops the person's email log and address
        cancels = [r for r in collect(NOW) if r.user_id == leaver.pk]
        assert {r.kind for r in cancels} == {KIND_CANCEL}
        invited = {m.pk for m in upcoming if m.starts_at <= NOW + dt.timedelta(days=56)}
        assert {r.subject_id for r in cancels} == invited

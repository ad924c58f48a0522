"""The notifications log filters by the group an email is about."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from groups.models import Membership
from mastermind.outbox.models import Notification
from tests.meetings.helpers import future, make_group, make_schedule

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]


def about(subject, key: str) -> Notification:
    return Notification.objects.create(
        kind="meeting_reminder",
        dedup_key=key,
        email=f"{key}@example.org",
        subject_type=ContentType.objects.get_for_model(subject),
        subject_id=subject.pk,
    )


def test_the_log_shows_only_the_chosen_groups_emails(staff_client):
    ours, _users = make_group(2)
    theirs, _others = make_group(2)
    make_schedule(ours)
    make_schedule(theirs)
    mine = [
        about(future(ours)[0], "meeting"),
        about(Membership.objects.filter(group=ours).first(), "welcome"),
        about(ours, "ended"),
    ]
    about(future(theirs)[0], "other-meeting")
    about(Membership.objects.filter(group=theirs).first(), "other-welcome")
    url = reverse("admin:mastermind_notification_changelist")
    response = staff_client.get(url, {"group": ours.pk})
    assert response.status_code == 200
    shown = {n.pk for n in response.context["cl"].result_list}
    assert shown == {n.pk for n in mine}
    assert ours.name in response.content.decode()  # offered as a filter choice

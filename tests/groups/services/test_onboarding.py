import datetime as dt
import re
import zoneinfo

import pytest
from django.core import mail
from django.utils import formats, timezone, translation

from groups import services
from groups.models import Membership
from groups.services import proposals
from mastermind.celery import app
from mastermind.outbox.models import Notification, NotificationStatus
from tests.factories import MeetingFactory
from tests.groups.helpers import accept, deliver_all, make_intake
from tests.helpers import create_groups_post_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def eager():
    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


def created_groups(count=8, language="en"):
    intake = make_intake()
    people = accept(intake, count, language=language, topics=("SEO", "Podcasting"))
    proposals.run_matching(intake=intake)
    groups = services.create_groups(intake=intake, by=None)
    return intake, people, groups


def test_two_create_posts_send_one_welcome_per_member(
    eager, staff_client, django_capture_on_commit_callbacks
):
    intake = make_intake()
    accept(intake, 9)
    proposals.run_matching(intake=intake)
    url = f"/organise/intakes/{intake.pk}/groups/create/"
    data = create_groups_post_data(staff_client, intake)
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(url, data)
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(url, data)
    assert Membership.objects.count() == 9
    assert len(mail.outbox) == 9
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        Membership.objects.values_list("user__email", flat=True)
    )


def test_welcome_names_the_others_with_topics_links_and_no_dates_yet():
    _intake, _people, groups = created_groups()
    deliver_all()
    membership = Membership.objects.select_related("user").filter(group=groups[0]).first()
    message = next(m for m in mail.outbox if m.to == [membership.user.email])
    body = message.body
    others = Membership.objects.filter(group=groups[0]).exclude(pk=membership.pk)
    for other in others:
        assert f"- {other.user.first_name} (SEO, Podcasting)" in body
    assert f"- {membership.user.first_name} " not in body
    assert groups[0].name in message.subject
    assert "The dates follow soon" in body
    assert "https://mastermind.test/signin/" in body
    assert f"https://mastermind.test/groups/{groups[0].pk}/" in body
    assert "https://mastermind.test/accounts/login/code/" in body
    html = message.alternatives[0][0]
    assert "The dates follow soon" in html


def test_welcome_shows_the_first_scheduled_meeting_and_group_links():
    _intake, _people, groups = created_groups()
    group = groups[0]
    group.video_url = "https://meet.jit.si/gruppe-a"
    group.chat_url = "https://signal.group/#gruppe-a"
    group.save()
    starts = timezone.now().replace(microsecond=0) + dt.timedelta(days=10)
    MeetingFactory(group=group, starts_at=starts + dt.timedelta(days=14))
    MeetingFactory(group=group, starts_at=starts)
    deliver_all()
    membership = Membership.objects.filter(group=group).select_related("user").first()
    body = next(m for m in mail.outbox if m.to == [membership.user.email]).body
    local = starts.astimezone(zoneinfo.ZoneInfo(membership.user.time_zone))
    with translation.override(membership.user.language):
        assert formats.time_format(local, "TIME_FORMAT") in body
    assert "The dates follow soon" not in body
    assert "https://meet.jit.si/gruppe-a" in body
    assert "https://signal.group/#gruppe-a" in body


GERMAN_DAYS = ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"]


@pytest.mark.parametrize("language", ["de", "en"])
def test_welcome_is_written_in_the_members_language(language):
    _intake, _people, groups = created_groups(language=language)
    starts = timezone.now() + dt.timedelta(days=10)
    MeetingFactory(group=groups[0], starts_at=starts)
    deliver_all()
    member = Membership.objects.filter(group=groups[0]).select_related("user").first().user
    message = next(m for m in mail.outbox if m.to == [member.email])
    weekday = timezone.localtime(starts).weekday()
    english = timezone.localtime(starts).strftime("%A")
    expected = GERMAN_DAYS[weekday] if language == "de" else english
    assert f"{expected}," in message.body
    assert f'<html lang="{language}">' in message.alternatives[0][0]


def test_welcome_skipped_when_the_member_left_before_it_went_out():
    _intake, _people, groups = created_groups()
    membership = Membership.objects.filter(group=groups[0]).first()
    services.leave_group(membership=membership)
    deliver_all()
    notification = Notification.objects.get(dedup_key=f"welcome:{membership.pk}")
    assert notification.status == NotificationStatus.SKIPPED
    assert membership.user.email not in [m.to[0] for m in mail.outbox]


def test_sign_in_link_from_the_welcome_email_works_once(client):
    created_groups()
    deliver_all()
    message = mail.outbox[0]
    path = re.search(r"https://mastermind\.test(/signin/\S+/)", message.body).group(1)
    assert client.get(path).status_code == 200
    assert client.post(path).status_code == 302
    assert client.get("/groups/").status_code == 200
    client.logout()
    assert client.post(path).status_code == 410

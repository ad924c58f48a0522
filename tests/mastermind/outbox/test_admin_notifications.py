"""The outbox admin shows what was sent, what failed and why, and sends again."""

from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from mastermind.outbox.models import Notification, NotificationStatus
from tests.factories import MeetingFactory, UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:mastermind_notification_changelist")


def make_notification(index: int, **fields) -> Notification:
    meeting = fields.pop("meeting", None) or MeetingFactory()
    defaults = {
        "kind": "meeting_reminder",
        "dedup_key": f"meeting_reminder:{meeting.pk}:{index}:20270302T1800Z",
        "email": f"member{index}@example.org",
        "subject": meeting,
    }
    return Notification.objects.create(**{**defaults, **fields})


def test_changelist_shows_sent_and_failed_with_the_error(staff_client):
    make_notification(1, status=NotificationStatus.SENT, attempts=1)
    make_notification(
        2,
        status=NotificationStatus.FAILED,
        attempts=5,
        last_error="SMTPServerDisconnected: connection lost " + "x" * 200,
    )
    response = staff_client.get(CHANGELIST)
    content = response.content.decode()
    assert response.status_code == 200
    assert "member1@example.org" in content
    assert "SMTPServerDisconnected: connection lost" in content
    assert "x" * 100 not in content  # shortened in the list


def test_filters_and_search(staff_client):
    make_notification(1, status=NotificationStatus.SENT)
    make_notification(
        2,
        status=NotificationStatus.FAILED,
        kind="commitments_prompt",
        dedup_key="commitments_prompt:1:2:20270302T2000Z",
    )
    failed = staff_client.get(CHANGELIST, {"status__exact": "failed"}).content.decode()
    assert "member2@example.org" in failed and "member1@example.org" not in failed
    by_kind = staff_client.get(CHANGELIST, {"kind": "commitments_prompt"}).content.decode()
    assert "member2@example.org" in by_kind and "member1@example.org" not in by_kind
    found = staff_client.get(CHANGELIST, {"q": "member1@"}).content.decode()
    assert "member1@example.org" in found and "member2@example.org" not in found
    by_key = staff_client.get(CHANGELIST, {"q": "commitments"}).content.decode()
    assert "member2@example.org" in by_key and "member1@example.org" not in by_key


def test_send_again_puts_failed_rows_back_to_pending(
    staff_client, django_capture_on_commit_callbacks
):
    failed = make_notification(1, status=NotificationStatus.FAILED, attempts=5, last_error="x")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = staff_client.post(
            CHANGELIST, {"action": "send_again", "_selected_action": [failed.pk]}, follow=True
        )
    assert response.status_code == 200
    failed.refresh_from_db()
    assert failed.status == NotificationStatus.PENDING
    assert (failed.attempts, failed.last_error) == (0, "")
    assert len(callbacks) == 1


def test_detail_is_read_only_and_rows_cannot_be_added_or_deleted(staff_client):
    notification = make_notification(1, status=NotificationStatus.SENT)
    change = reverse("admin:mastermind_notification_change", args=[notification.pk])
    content = staff_client.get(change).content.decode()
    assert 'name="email"' not in content
    assert staff_client.get(reverse("admin:mastermind_notification_add")).status_code == 403
    delete = reverse("admin:mastermind_notification_delete", args=[notification.pk])
    assert staff_client.get(delete).status_code == 403


def test_members_cannot_see_the_outbox(client):
    client.force_login(UserFactory())
    assert client.get(CHANGELIST).status_code == 302


@pytest.mark.parametrize("count", [1, 20])
def test_changelist_query_count_does_not_grow(staff_client, django_assert_max_num_queries, count):
    for index in range(count):
        make_notification(index, status=NotificationStatus.SENT)
    with django_assert_max_num_queries(10):
        assert staff_client.get(CHANGELIST).status_code == 200


def test_the_change_page_reads_like_a_sentence_not_a_database_row(staff_client):
    """Human kind, local times, what it was about and the text; no keys or JSON (issue 14)."""
    from django.utils import timezone

    from groups.models import GroupStatus
    from tests.factories import MembershipFactory

    meeting = MeetingFactory(
        starts_at=timezone.now() + timezone.timedelta(days=3),
        ends_at=timezone.now() + timezone.timedelta(days=3, hours=2),
    )
    assert meeting.group.status == GroupStatus.ACTIVE
    member = MembershipFactory(group=meeting.group, user=UserFactory(language="en")).user
    row = Notification.objects.create(
        kind="hot_seat_changed",
        dedup_key=f"hot_seat_changed:{meeting.pk}:1:{member.pk}",
        email=member.email,
        user=member,
        subject=meeting,
        payload={"secret_machine_field": 42},
    )
    page = staff_client.get(
        reverse("admin:mastermind_notification_change", args=[row.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "hot_seat_changed:" not in page and "secret_machine_field" not in page
    assert "Hot seat changed" in page or "hot seat" in page.lower()
    assert '<pre class="email-preview">' in page
    local = timezone.localtime(meeting.starts_at, ZoneInfo(meeting.time_zone))
    assert f"{local:%H:%M}" in str(meeting) and "UTC" not in str(meeting)


def test_a_preview_changes_nothing_and_says_when_it_would_not_be_sent(staff_client):
    row = make_notification(3, status=NotificationStatus.PENDING, user=None)
    before = Notification.objects.values().get(pk=row.pk)
    page = staff_client.get(
        reverse("admin:mastermind_notification_change", args=[row.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "This email would not be sent now" in page or "jetzt nicht gesendet" in page
    assert Notification.objects.values().get(pk=row.pk) == before


def test_why_an_email_was_sent_is_said_in_the_recipients_language_whatever_is_active():
    from django.utils import translation

    from mastermind import outbox
    from tests.factories import MembershipFactory

    membership = MembershipFactory(user=UserFactory(language="de"))
    row = Notification.objects.create(
        kind="welcome",
        dedup_key=f"welcome:{membership.pk}",
        email=membership.user.email,
        user=membership.user,
        subject=membership,
    )
    with translation.override("en"):  # an English organiser's preview, or a worker
        message = outbox.build_message(row)
    assert "because you have been placed" not in message.body
    with translation.override("de"):
        reason = str(outbox.kinds.REASONS["welcome"])
    assert reason in message.body


def test_the_preview_never_shows_a_members_sign_in_link(staff_client):
    from tests.factories import MembershipFactory

    membership = MembershipFactory(user=UserFactory(language="en"))
    row = Notification.objects.create(
        kind="welcome",
        dedup_key=f"welcome:{membership.pk}",
        email=membership.user.email,
        user=membership.user,
        subject=membership,
    )
    page = staff_client.get(
        reverse("admin:mastermind_notification_change", args=[row.pk])
    ).content.decode()
    assert '<pre class="email-preview">' in page
    assert "/signin/" not in page


@pytest.mark.parametrize("count", [1, 30])
def test_the_log_and_a_preview_run_a_bounded_number_of_queries(
    staff_client, django_assert_max_num_queries, count
):
    rows = [make_notification(i) for i in range(count)]
    with django_assert_max_num_queries(12):
        assert staff_client.get(CHANGELIST).status_code == 200
    with django_assert_max_num_queries(25):
        page = staff_client.get(reverse("admin:mastermind_notification_change", args=[rows[0].pk]))
    assert page.status_code == 200


def test_a_merged_row_names_the_email_it_was_sent_with_and_previews_it(staff_client):
    """A change told in another change's email (mastermind/outbox/batches.py)."""
    from django.utils import timezone

    from tests.factories import MembershipFactory

    meeting = MeetingFactory(
        starts_at=timezone.now() + timezone.timedelta(days=3),
        ends_at=timezone.now() + timezone.timedelta(days=3, hours=2),
    )
    member = MembershipFactory(group=meeting.group, user=UserFactory(language="en")).user
    common = {"email": member.email, "user": member, "subject": meeting, "batch_key": "changes:1"}
    lead = Notification.objects.create(
        kind="meeting_changed",
        dedup_key="meeting_changed:lead",
        status=NotificationStatus.SENT,
        payload={"change": "moved", "reason": "Room", "old_starts_at": meeting.ends_at.isoformat()},
        **common,
    )
    merged = Notification.objects.create(
        kind="hot_seat_changed",
        dedup_key="hot_seat_changed:merged",
        status=NotificationStatus.MERGED,
        merged_into=lead,
        **common,
    )
    page = staff_client.get(
        reverse("admin:mastermind_notification_change", args=[merged.pk]),
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()
    assert "Mit einer anderen E-Mail an dieselbe Person versandt" in page
    assert "versandt mit" in page.lower() and str(lead) in page
    # The email it was told in, in the member's language: the move and the hot seats.
    assert "has moved to" in page and "You have no hot seat planned" in page

"""The feed's fast path: its middleware shortcut and the cached validators (feed_cache).

The invalidation tests run in both configurations: with Redis (CI) they exercise the cache
and its stamps; without it (LocMemCache) every poll reads the database and they must hold
all the same. Tests marked ``redis`` need the shared cache and skip only without REDIS_URL.
Service tests run with the model signals muted, so each service's own ``changed()`` call is
what they check, not a receiver that happens to fire on one of its saves.
"""

import datetime as dt

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.cache import caches
from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_delete
from django.urls import reverse
from django_redis import get_redis_connection
from django_redis.cache import RedisCache
from factory.django import mute_signals

from groups.events import membership_closed, membership_opened
from groups.models import Group, Membership
from groups.services import end_group
from mastermind.privacy.services import delete_account
from meetings import services
from meetings.calendar import feed as calendar
from meetings.calendar import feed_cache
from meetings.models import AgendaItem, GroupAgenda, HotSeat, Meeting, MemberSettings, Schedule
from meetings.services.hot_seat import replan_group
from meetings.services.preferences import update_profile
from meetings.services.schedule import ensure_agenda
from tests.factories import GroupFactory, MembershipFactory, StaffFactory, UserFactory
from tests.helpers import admin_change_data
from tests.meetings.calendar.helpers import (
    NOW,
    events,
    feed_url,
    get_feed,
    local,
    make_meeting,
    make_member,
    standard_agenda,
    uid,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]
LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SIGNALS = (post_save, post_delete, pre_delete)


@pytest.fixture(name="redis")
def redis_fixture():
    """The shared cache of production; CI sets REDIS_URL, so there this never skips."""
    if not django_settings.REDIS_URL:
        pytest.skip("needs Redis: set REDIS_URL")
    assert feed_cache.shared()


@pytest.fixture(name="locmem")
def locmem_fixture(settings):
    """The development default: a cache in this process only."""
    settings.CACHES = LOCMEM
    assert not feed_cache.shared()


def member_with_meeting():
    member = make_member()
    group = member.memberships.get().group
    make_meeting(group, local(2027, 3, 16), presenter=member)
    return member, group


def still_fresh(client, member, etag) -> bool:
    return get_feed(client, member, **{"If-None-Match": etag}).status_code == 304


# ------------------------------------------------------------------------- middleware


def test_feed_skips_the_session_locale_and_csp_layers_but_keeps_protective_headers(client):
    member, _group = member_with_meeting()
    response = get_feed(client, member)
    assert response.status_code == 200
    assert "Content-Language" not in response  # LocaleMiddleware did not run
    assert "Vary" not in response
    assert not response.cookies
    assert response["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"  # SecurityMiddleware still runs
    assert "Permissions-Policy" in response  # so does ours, before the shortcut


def test_head_and_304_take_the_shortcut_with_the_same_headers(client):
    member, _group = member_with_meeting()
    full = get_feed(client, member)
    head = client.head(feed_url(member))
    not_modified = get_feed(client, member, **{"If-None-Match": full["ETag"]})
    assert (head.status_code, not_modified.status_code) == (200, 304)
    assert head.content == b"" and not_modified.content == b""
    assert head["Content-Length"] == str(len(full.content))
    for response in (head, not_modified):
        assert response["ETag"] == full["ETag"]
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Security-Policy"].startswith("default-src 'none'")
        assert "Content-Language" not in response and not response.cookies


def test_unknown_token_gets_the_regular_404_page_through_the_full_stack(client):
    response = client.get("/calendar/not-a-token.ics")
    assert response.status_code == 404
    assert "Content-Language" in response


def test_malformed_token_and_other_paths_take_the_full_stack(client):
    for path in ("/calendar/a.b.ics", "/calendar/" + "a" * 100 + ".ics", "/calendar/x/y.ics"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "Content-Language" in response, path


def test_post_to_the_feed_is_refused_by_the_full_stack(client):
    member, _group = member_with_meeting()
    assert client.post(feed_url(member)).status_code in (403, 405)


# ------------------------------------------------------- without a shared cache (LocMem)


@pytest.mark.usefixtures("locmem")
def test_without_a_shared_cache_every_poll_asks_the_database(client, django_assert_num_queries):
    member, _group = member_with_meeting()
    etag, url = get_feed(client, member)["ETag"], feed_url(member)
    for _poll in range(2):
        with django_assert_num_queries(2):
            assert client.get(url, headers={"If-None-Match": etag}).status_code == 304


@pytest.mark.usefixtures("locmem")
def test_without_a_shared_cache_a_write_by_another_process_shows_at_once(client):
    # A queryset update calls no changed() and sends no signal: as the worker or a shell
    # in another process would write, whose invalidation this process never hears of.
    member, group = member_with_meeting()
    etag = get_feed(client, member)["ETag"]
    Meeting.objects.filter(group=group).update(
        ends_at=local(2027, 3, 16, 20, 30), updated_at=NOW + dt.timedelta(minutes=1)
    )
    response = get_feed(client, member, **{"If-None-Match": etag})
    assert response.status_code == 200
    assert response["ETag"] != etag


@pytest.mark.usefixtures("locmem")
def test_without_a_shared_cache_a_member_who_left_elsewhere_gets_no_events(client, frozen):
    member, group = member_with_meeting()
    etag = get_feed(client, member)["ETag"]
    frozen.shift(dt.timedelta(minutes=5))
    Membership.objects.filter(user=member, group=group).update(left_at=NOW)
    response = get_feed(client, member, **{"If-None-Match": etag})
    assert response.status_code == 200
    assert b"BEGIN:VEVENT" not in response.content


# ------------------------------------------------------------ with a shared cache (Redis)


@pytest.mark.usefixtures("redis")
def test_cold_304_costs_the_two_validator_queries_and_a_warm_one_none(
    client, django_assert_num_queries
):
    member, _group = member_with_meeting()
    etag = get_feed(client, member)["ETag"]
    url = feed_url(member)
    caches["default"].clear()
    with django_assert_num_queries(2):
        assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    with django_assert_num_queries(0):
        assert client.get(url, headers={"If-None-Match": etag}).status_code == 304


@pytest.mark.usefixtures("redis")
def test_write_that_bypasses_the_services_shows_after_the_state_expires(client):
    member, group = member_with_meeting()
    etag = get_feed(client, member)["ETag"]
    Meeting.objects.filter(group=group).update(
        ends_at=local(2027, 3, 16, 20, 30), updated_at=NOW + dt.timedelta(minutes=1)
    )
    assert still_fresh(client, member, etag)  # the documented blind spot ...
    seconds = feed_cache.STATE_SECONDS + 1
    with time_machine.travel(NOW + dt.timedelta(seconds=seconds), tick=False):
        assert not still_fresh(client, member, etag)  # ... closed by the expiry


@pytest.mark.usefixtures("redis")
def test_next_membership_change_ends_the_cached_state(client, frozen):
    member, _group = member_with_meeting()
    Membership.objects.filter(user=member).update(left_at=NOW + dt.timedelta(minutes=2))
    etag = get_feed(client, member)["ETag"]
    assert still_fresh(client, member, etag)
    frozen.shift(dt.timedelta(minutes=3))  # the membership ends, nothing is written
    response = get_feed(client, member, **{"If-None-Match": etag})
    assert response.status_code == 200
    assert b"BEGIN:VEVENT" not in response.content


@pytest.mark.usefixtures("redis")
def test_stamps_are_renewed_again_when_the_transaction_commits(
    django_capture_on_commit_callbacks,
):
    client = get_redis_connection()
    key = caches["default"].make_key(feed_cache._group_key(7))
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        feed_cache.changed(groups=[7])
        during = client.get(key)
    assert during is not None
    assert len(callbacks) == 1
    callbacks[0]()
    assert client.get(key) not in (None, during)


@pytest.mark.usefixtures("redis")
def test_a_write_committed_while_the_state_was_computed_is_not_hidden(
    client, monkeypatch, django_assert_num_queries
):
    member, group = member_with_meeting()
    url = feed_url(member)
    real = calendar.feed_state

    def racing(**kwargs):  # another process commits a change right after our SQL ran
        state = real(**kwargs)
        feed_cache.changed(groups=[group.pk])
        return state

    monkeypatch.setattr(calendar, "feed_state", racing)
    assert client.get(url).status_code == 200
    monkeypatch.setattr(calendar, "feed_state", real)
    with django_assert_num_queries(2):  # the state computed during the race was not kept
        client.get(url)
    with django_assert_num_queries(0):
        client.get(url)


@pytest.mark.usefixtures("redis")
def test_a_lost_stamp_never_matches(client, django_assert_num_queries):
    member, group = member_with_meeting()
    etag, url = get_feed(client, member)["ETag"], feed_url(member)
    get_redis_connection().delete(caches["default"].make_key(feed_cache._group_key(group.pk)))
    with django_assert_num_queries(2):
        assert client.get(url, headers={"If-None-Match": etag}).status_code == 304


@pytest.mark.usefixtures("redis")
def test_cache_keys_hold_no_token():
    member, _group = member_with_meeting()
    token = calendar.settings_for(member).feed_token
    feed_cache.feed_state(token=token, now=NOW)
    keys = [key.decode() for key in get_redis_connection().keys("*")]
    assert any("calendar:state" in key for key in keys)
    assert not any(token in key for key in keys)


def test_django_redis_keeps_one_client_per_connection_pool():
    # The reason mastermind.cache (a subclass of Django's private client) existed.
    backend = RedisCache("redis://127.0.0.1:6379/15", {})
    assert backend.client.get_client(write=False) is backend.client.get_client(write=True)


# ----------------------------------------------------- invalidation by the services
# Each with the model signals muted: the service's own changed() call must do it.


def test_hot_seat_replan_with_bulk_writes_invalidates_the_feed(client):
    member, group = member_with_meeting()
    HotSeat.objects.all().delete()
    etag = get_feed(client, member)["ETag"]
    replan_group(group=group, now=NOW)  # bulk_create + update: no signals
    assert HotSeat.objects.exists()
    assert not still_fresh(client, member, etag)


def test_agenda_rescaling_with_bulk_update_invalidates_the_feed(client):
    member, group = member_with_meeting()
    standard_agenda(group)
    etag = get_feed(client, member)["ETag"]
    ensure_agenda(group=group, duration_minutes=60)
    assert not still_fresh(client, member, etag)


def test_schedule_sync_invalidates_the_feed(client):
    member, group = member_with_meeting()
    etag = get_feed(client, member)["ETag"]
    schedule = Schedule(group=group, first_date=dt.date(2027, 3, 11), weekday=3)
    with mute_signals(*SIGNALS):
        services.save_schedule(schedule=schedule, now=NOW)
    assert not still_fresh(client, member, etag)
    etag = get_feed(client, member)["ETag"]
    with mute_signals(*SIGNALS):
        services.cancel_series(group=group, now=NOW)
    assert not still_fresh(client, member, etag)


@pytest.mark.parametrize("change", ["cancel", "move"])
def test_cancelled_or_moved_meeting_invalidates_the_feed(client, frozen, change):
    member, group = member_with_meeting()
    meeting = Meeting.objects.get(group=group)
    etag = get_feed(client, member)["ETag"]
    frozen.shift(dt.timedelta(minutes=1))  # the meeting's updated_at moves on
    with mute_signals(*SIGNALS):
        if change == "cancel":
            services.cancel_meeting(meeting=meeting, reason="ill", now=NOW)
        else:
            starts_at = local(2027, 3, 17)
            services.move_meeting(meeting=meeting, starts_at=starts_at, reason="", now=NOW)
    assert not still_fresh(client, member, etag)


def test_accepted_swap_invalidates_the_feed(client):
    member, group = member_with_meeting()
    other = make_member(group)
    first = Meeting.objects.get(group=group)
    second = make_meeting(group, local(2027, 3, 30), presenter=other)
    swap = services.request_swap(
        requester=member, requester_meeting=first, responder=other, responder_meeting=second
    )
    etag = get_feed(client, member)["ETag"]
    with mute_signals(*SIGNALS):
        services.accept_swap(swap=swap, by=other, now=NOW)
    assert not still_fresh(client, member, etag)


def test_membership_events_from_groups_invalidate_the_feed(client):
    # Bulk writes and the events groups sends on commit, received in meetings/receivers.py.
    member, _group = member_with_meeting()
    etag = get_feed(client, member)["ETag"]
    other = GroupFactory()
    make_meeting(other, local(2027, 3, 18))
    [joined] = Membership.objects.bulk_create([Membership(group=other, user=member)])
    membership_opened.send(sender=Group, group_id=other.pk, membership_ids=[joined.pk])
    response = get_feed(client, member, **{"If-None-Match": etag})
    assert response.status_code == 200
    assert response.content.count(b"BEGIN:VEVENT") == 2

    etag = response["ETag"]
    Membership.objects.filter(pk=joined.pk).update(left_at=NOW)
    membership_closed.send(sender=Group, group_id=other.pk, membership_ids=[joined.pk])
    response = get_feed(client, member, **{"If-None-Match": etag})
    assert response.status_code == 200
    assert response.content.count(b"BEGIN:VEVENT") == 1


def test_ended_group_leaves_the_feed_at_once(client):
    member, group = member_with_meeting()
    etag = get_feed(client, member)["ETag"]
    end_group(group=group)
    response = get_feed(client, member, **{"If-None-Match": etag})
    assert response.status_code == 200
    assert b"BEGIN:VEVENT" not in response.content


def test_ended_group_leaves_the_feed_through_its_event(client, django_capture_on_commit_callbacks):
    member, group = member_with_meeting()
    etag = get_feed(client, member)["ETag"]
    with mute_signals(*SIGNALS), django_capture_on_commit_callbacks(execute=True):
        end_group(group=group)
    response = get_feed(client, member, **{"If-None-Match": etag})
    assert response.status_code == 200
    assert b"BEGIN:VEVENT" not in response.content


def test_renewed_token_stops_working_at_once(client):
    member, _group = member_with_meeting()
    old_url = feed_url(member)
    assert client.get(old_url).status_code == 200
    with mute_signals(*SIGNALS):
        calendar.renew_token(user=member)
    assert client.get(old_url).status_code == 404


def test_profile_change_invalidates_own_feed_and_the_groups_feeds(client):
    member, group = member_with_meeting()
    other = make_member(group)
    own, others = get_feed(client, member)["ETag"], get_feed(client, other)["ETag"]
    with mute_signals(*SIGNALS):
        update_profile(
            user=member,
            display_name="Renamed Person",
            language=member.language,
            time_zone=member.time_zone,
            preferences={},
        )
    assert not still_fresh(client, member, own)  # the calendar's name
    response = get_feed(client, other, **{"If-None-Match": others})
    assert response.status_code == 200  # the presenter's name
    assert b"Renamed" in response.content


def test_language_switch_invalidates_the_members_feed(client):
    member, _group = member_with_meeting()
    etag = get_feed(client, member)["ETag"]
    client.force_login(member)
    client.post("/i18n/setlang/", {"language": "de", "next": "/"})
    assert not still_fresh(client, member, etag)


def test_account_deletion_stops_the_feed_and_updates_the_group(client):
    member, group = member_with_meeting()
    other = make_member(group)
    url, etag = feed_url(member), get_feed(client, other)["ETag"]
    assert client.get(url).status_code == 200
    with mute_signals(*SIGNALS):
        delete_account(user=member)
    assert client.get(url).status_code == 404
    assert not still_fresh(client, other, etag)  # no presenter any more


# ------------------------------------------ invalidation by the receivers (the admin)


@pytest.fixture
def staff_client(client):
    client.force_login(StaffFactory())
    return client


def test_group_edited_in_the_admin_invalidates_the_feed(client, staff_client):
    member, group = member_with_meeting()
    etag = get_feed(client, member)["ETag"]
    url = reverse("admin:groups_group_change", args=[group.pk])
    data = admin_change_data(staff_client, url) | {
        "name": "Renamed group",
        "video_url": "https://meet.example.org/new-room",
    }
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    response = get_feed(client, member, **{"If-None-Match": etag})
    assert response.status_code == 200
    assert b"new-room" in response.content and b"Renamed group" in response.content


def test_agenda_edited_in_the_admin_invalidates_the_feed(client, staff_client):
    member, group = member_with_meeting()
    standard_agenda(group)
    etag = get_feed(client, member)["ETag"]
    items = list(AgendaItem.objects.filter(group=group).order_by("position"))
    data = {
        "agenda_items-TOTAL_FORMS": len(items),
        "agenda_items-INITIAL_FORMS": len(items),
        "agenda_items-MIN_NUM_FORMS": 0,
        "agenda_items-MAX_NUM_FORMS": 1000,
    }
    for i, item in enumerate(items):
        title = "Open round" if i == 0 else item.title
        data |= {
            f"agenda_items-{i}-id": item.pk,
            f"agenda_items-{i}-group": group.pk,
            f"agenda_items-{i}-position": item.position,
            f"agenda_items-{i}-title": title,
            f"agenda_items-{i}-kind": item.kind,
            f"agenda_items-{i}-minutes": item.minutes,
        }
    url = reverse("admin:meetings_groupagenda_change", args=[group.pk])
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    response = get_feed(client, member, **{"If-None-Match": etag})
    assert response.status_code == 200  # only a title changed
    assert b"Open round" in response.content


def test_agenda_item_deleted_invalidates_the_feed(client):
    member, group = member_with_meeting()
    standard_agenda(group)
    etag = get_feed(client, member)["ETag"]
    AgendaItem.objects.filter(group=group).first().delete()
    assert not still_fresh(client, member, etag)


@pytest.mark.parametrize("model", ["group", "group_agenda", "meeting", "hot_seat"])
def test_model_saves_outside_the_services_invalidate_the_feed(client, frozen, model):
    member, group = member_with_meeting()
    etag = get_feed(client, member)["ETag"]
    frozen.shift(dt.timedelta(minutes=1))
    if model == "group":
        group.video_url = "https://meet.example.org/elsewhere"
        group.save()
    elif model == "group_agenda":
        agenda = GroupAgenda.objects.get(pk=group.pk)
        agenda.name = "Other name"
        agenda.save()
    elif model == "meeting":
        meeting = Meeting.objects.get(group=group)
        meeting.cancel_reason = "edited"
        meeting.save()
    else:
        HotSeat.objects.create(meeting=Meeting.objects.get(group=group), user=make_member(group))
    assert not still_fresh(client, member, etag)


def test_deleted_settings_and_deactivated_user_stop_the_feed_at_once(client):
    member, _group = member_with_meeting()
    url = feed_url(member)
    assert client.get(url).status_code == 200
    member.is_active = False
    member.save()
    assert client.get(url).status_code == 404

    other, _group = member_with_meeting()
    url = feed_url(other)
    assert client.get(url).status_code == 200
    MemberSettings.objects.filter(user=other).delete()
    assert client.get(url).status_code == 404


def test_deleted_user_leaves_the_other_members_feeds(client):
    member, group = member_with_meeting()
    other = make_member(group)
    etag = get_feed(client, other)["ETag"]
    member.delete()  # the user admin's delete: memberships and hot seats cascade
    assert not still_fresh(client, other, etag)


def test_a_login_alone_leaves_the_feed_cached(client, django_assert_num_queries):
    member, _group = member_with_meeting()
    etag, url = get_feed(client, member)["ETag"], feed_url(member)
    member.last_login = NOW
    member.save(update_fields=["last_login"])
    with django_assert_num_queries(0 if feed_cache.shared() else 2):
        assert client.get(url, headers={"If-None-Match": etag}).status_code == 304


def test_membership_change_invalidates_that_persons_feed(client):
    member, _group = member_with_meeting()
    etag = get_feed(client, member)["ETag"]
    MembershipFactory(user=member)
    assert not still_fresh(client, member, etag)


def test_organiser_feed_shows_a_new_group_at_once(client):
    staff = StaffFactory(language="en")
    make_meeting(GroupFactory(), local(2027, 3, 16))
    etag = get_feed(client, staff)["ETag"]
    meeting = make_meeting(GroupFactory(), local(2027, 3, 17))
    response = get_feed(client, staff, **{"If-None-Match": etag})
    assert response.status_code == 200
    assert uid(meeting) in events(response.content)


# ------------------------------------------------------------------- what stays cached


def test_change_in_another_members_group_does_not_touch_this_feed(client):
    member, _group = member_with_meeting()
    etag = get_feed(client, member)["ETag"]
    stranger = make_member()
    make_meeting(stranger.memberships.get().group, local(2027, 3, 17))
    assert still_fresh(client, member, etag)


def test_next_utc_day_recomputes_the_validators(client, frozen):
    member, _group = member_with_meeting()
    etag = get_feed(client, member)["ETag"]
    frozen.move_to(NOW + dt.timedelta(days=1))
    assert not still_fresh(client, member, etag)


def test_a_new_user_does_not_touch_existing_feeds(client):
    member, _group = member_with_meeting()
    etag = get_feed(client, member)["ETag"]
    UserFactory()
    assert still_fresh(client, member, etag)

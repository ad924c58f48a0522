"""The feed's fast path: its own middleware shortcut and the cached validators."""

import datetime as dt

import pytest
import time_machine
from django.core.cache import caches
from django.db import transaction

from groups.services import end_group
from mastermind.cache import ReusingRedisCache
from meetings.calendar import feed as calendar
from meetings.calendar import feed_cache as calendar_cache
from meetings.models import AgendaItem, HotSeat, Meeting, MemberSettings
from meetings.services.hot_seat import replan_group
from meetings.services.schedule import ensure_agenda
from tests.factories import MembershipFactory
from tests.meetings.calendar.helpers import (
    NOW,
    feed_url,
    get_feed,
    local,
    make_meeting,
    make_member,
    standard_agenda,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


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


def test_unknown_token_gets_the_regular_404_page_through_the_full_stack(client):
    response = client.get("/calendar/not-a-token.ics")
    assert response.status_code == 404
    assert "Content-Language" in response


def test_post_to_the_feed_is_refused_by_the_full_stack(client):
    member, _group = member_with_meeting()
    assert client.post(feed_url(member)).status_code in (403, 405)


# ---------------------------------------------------------------------- cached validators


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


def test_agenda_item_deleted_invalidates_the_feed(client):
    member, group = member_with_meeting()
    standard_agenda(group)
    etag = get_feed(client, member)["ETag"]
    AgendaItem.objects.filter(group=group).first().delete()
    assert not still_fresh(client, member, etag)


def test_language_switch_invalidates_the_members_feed(client):
    member, _group = member_with_meeting()
    etag = get_feed(client, member)["ETag"]
    client.force_login(member)
    client.post("/i18n/setlang/", {"language": "de", "next": "/"})
    assert not still_fresh(client, member, etag)


def test_renewed_token_stops_working_at_once(client):
    member, _group = member_with_meeting()
    old_url = feed_url(member)
    assert client.get(old_url).status_code == 200
    calendar.renew_token(user=member)
    assert client.get(old_url).status_code == 404


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


def test_ended_group_leaves_the_feed_at_once(client):
    member, group = member_with_meeting()
    etag = get_feed(client, member)["ETag"]
    end_group(group=group)
    response = get_feed(client, member, **{"If-None-Match": etag})
    assert response.status_code == 200
    assert b"BEGIN:VEVENT" not in response.content


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


def test_write_that_bypasses_signals_shows_after_the_state_expires(client, settings):
    # Redis expires keys on its own clock, which time-machine cannot move: this test
    # checks the expiry logic on the in-process cache, which follows the test clock.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    member, group = member_with_meeting()
    etag = get_feed(client, member)["ETag"]
    Meeting.objects.filter(group=group).update(
        ends_at=local(2027, 3, 16, 20, 30), updated_at=NOW + dt.timedelta(minutes=1)
    )
    assert still_fresh(client, member, etag)  # the documented blind spot ...
    seconds = calendar_cache.STATE_SECONDS + 1
    with time_machine.travel(NOW + dt.timedelta(seconds=seconds), tick=False):
        assert not still_fresh(client, member, etag)  # ... closed by the expiry


def test_stamps_are_renewed_again_when_the_transaction_commits(
    django_capture_on_commit_callbacks,
):
    key = calendar_cache._group_key(7)
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        calendar_cache.changed(groups=[7])
        during = calendar_cache._store()._current([key])
    assert len(callbacks) == 1
    callbacks[0]()
    assert calendar_cache._store()._current([key]) != during


def test_membership_change_invalidates_that_persons_feed(client):
    member, _group = member_with_meeting()
    etag = get_feed(client, member)["ETag"]
    MembershipFactory(user=member)
    assert not still_fresh(client, member, etag)


# ------------------------------------------------------------------------ Redis client


def test_reusing_redis_cache_builds_one_client_per_pool():
    backend = ReusingRedisCache("redis://127.0.0.1:6379/15", {})
    assert backend._cache.get_client() is backend._cache.get_client(write=True)

"""The calendar feed's fast path: its validators, kept in Redis until something they show changes.

:func:`meetings.calendar.feed.feed_state` computes a feed's ETag and Last-Modified exactly, in
two SQL queries; on PostgreSQL they cost about a millisecond, mostly planning, several times
what a 304 answer costs otherwise. Calendar clients poll, and most polls find nothing new, so
:func:`feed_state` here serves the validators from Redis while nothing they depend on changed.

Only with a shared cache
------------------------
The validators are cached only when the default cache is Redis through django-redis (the
production setting, ``REDIS_URL``). With any other backend, notably the development default
``LocMemCache``, which lives in each process and would not hear of an edit made by the
worker, a shell or another web process, :func:`feed_state` asks the database on every poll
and :func:`changed` does nothing. The feed *body* cache (``feed.feed_body``) is keyed by the
ETag itself, so it is exact in every configuration and needs none of this.

How a poll is answered
----------------------
A feed's state lives in the Redis hash ``calendar:state2:<hash of the token>`` (the token is a
secret), next to a *stamp* of every key it depends on: the value the key had when the state
was computed. The keys are ``calendar:stamp:user:<id>`` (the owner: token, active flag, name,
language, zone, staff flag, memberships), ``calendar:stamp:group:<id>`` for each group the
feed shows, and for organisers, who see every active group, ``calendar:stamp:any`` (moved by
every change, so a new group shows at once). A poll is one Lua script: it returns the state
only if every stamp still has its value. Otherwise the state is computed from the database and
stored, but only if ``calendar:stamp:any`` did not move while the SQL ran: a write committed
in between must not leave its old rows behind under new stamps.

Invalidation
------------
:func:`changed` gives stamps fresh values, at once (so a poll in the same transaction or test
sees it) and again when the transaction commits (so a poll that read the old rows while the
writer's transaction was open cannot keep its state). The services call it explicitly, each
for what it changes:

* schedule sync, series cancelled (``meetings/services/schedule.py``): the group;
* meeting cancelled or moved, and every other revision of what events say
  (``meetings/services/meetings.py``: ``revise*``, e.g. after a group's name, link or
  agenda or a presenter's name changed): the groups of the revised meetings;
* hot-seat re-plan, also after absences (``meetings/services/hot_seat.py``): the group;
* swap accepted (``meetings/services/swaps.py``): the group;
* agenda created or rescaled (``ensure_agenda``): the group;
* membership opened or closed, group ended (groups' events, ``meetings/receivers.py``): the
  people and the group;
* feed address renewed (``feed.renew_token``): the person;
* profile saved (``preferences.update_profile``): the person and the groups they were in
  (their name shows as presenter);
* language switched (``user_changed``, ``meetings/receivers.py``): the person;
* account deleted (``meetings/contributions.py``): the person and the groups they were in.

Saves and deletes outside the services (the admin's change forms, a shell, a fixture) are
covered by receivers that :func:`connect` (called once from ``MeetingsConfig.ready``) attaches
per model with an explicit ``sender``, here and nowhere else. They are how the admin's edits
reach the feeds: GroupAdmin lives in ``groups``, which cannot call meetings, and the other
change forms save models directly. Each receiver covers one model the feed reads:

* ``post_save``/``post_delete`` of Group and its proxies (GroupAgenda): the group;
* ``post_save``/``post_delete`` of AgendaItem (GroupAgenda's inline): the group;
* ``post_save`` of Meeting and HotSeat: the group;
* ``post_save`` of Membership: the person and the group;
* ``post_save``/``post_delete`` of MemberSettings (token; cascades of a user's deletion): the
  person;
* ``post_save``/``pre_delete`` of User (the user admin: name, language, zone, active, staff;
  a save of ``last_login`` alone is ignored): the person and the groups they were in.

No ``post_delete`` for Meeting, HotSeat and Membership: their rows are deleted only by
services (which call :func:`changed`) or in cascades from Group and User, and a receiver would
turn Django's fast bulk deletes into row-by-row deletes. A service's model save also passes
one of these receivers; a stamp moved twice costs a Redis write and nothing else. Services
still call :func:`changed` themselves: bulk writes (``update``, ``bulk_create``) send no
signals, and a service should not depend on which of its writes happen to.

Expiry (the safety net)
-----------------------
A cached state is used for at most ``STATE_SECONDS`` (a Redis expiry, and checked against the
request's clock), never past the end of its UTC day (the window and the 30-day cut-off move
daily) and never past the next start or end of one of the owner's memberships (the feed's
rows change then without any write). A write that bypasses all of the above (raw SQL, a
queryset ``update`` outside the services, a data migration) shows at most ``STATE_SECONDS``
late; feeds are served with ``max-age=300`` anyway.

Every path above has a test in ``tests/meetings/test_feed_cache.py``. Keys go through the
cache's ``make_key`` (its ``KEY_PREFIX`` and version) and are written with django-redis' raw
client: the stamps are raw strings, compared inside the scripts.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import pickle
import secrets
from collections.abc import Iterable

from django.apps import apps
from django.core.cache import caches
from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save, pre_delete
from django_redis import get_redis_connection
from django_redis.cache import RedisCache
from redis.exceptions import NoScriptError

from groups.models import Group, Membership
from mastermind.accounts.models import User
from meetings.calendar import feed as calendar
from meetings.models import AgendaItem, HotSeat, Meeting, MemberSettings

STATE_SECONDS = 10 * 60
ANY_KEY = "calendar:stamp:any"
# User fields a feed shows (its owner's, or a presenter's name); other saves (last_login) pass.
USER_FIELDS = frozenset({"email", "display_name", "language", "time_zone", "is_active", "is_staff"})


def shared() -> bool:
    """Whether the default cache is one Redis shared by every process (see the docstring)."""
    return isinstance(caches["default"], RedisCache)


def _state_key(token: str) -> str:
    # The token is a secret: only its hash appears in cache keys. The "2" is the format of
    # the stored state: bump it when that changes, so no process reads the other's entries.
    return "calendar:state2:" + hashlib.sha256(token.encode()).hexdigest()[:40]


def _user_key(user_id: int) -> str:
    return f"calendar:stamp:user:{user_id}"


def _group_key(group_id: int) -> str:
    return f"calendar:stamp:group:{group_id}"


# KEYS: the state, ANY_KEY. Returns {the state if every stamp in its hash still has its value
# (else nil), ANY_KEY's current value for _PUT}. Field "" of the hash holds the pickled state.
_CHECK = """
local fields = redis.call('HGETALL', KEYS[1])
local state = false
for i = 1, #fields, 2 do
  if fields[i] == '' then
    state = fields[i + 1]
  elseif redis.call('GET', fields[i]) ~= fields[i + 1] then
    state = false
    break
  end
end
return {state, redis.call('GET', KEYS[2]) or ''}
"""

# KEYS: the state, ANY_KEY, then the stamps it depends on. ARGV: ANY_KEY's value seen by
# _CHECK, the pickled state, the expiry in seconds, a value for stamps that do not exist yet
# (so a stamp that disappears later, evicted, never matches). Stores nothing if ANY_KEY moved.
_PUT = """
if (redis.call('GET', KEYS[2]) or '') ~= ARGV[1] then return 0 end
local fields = {'', ARGV[2]}
for i = 3, #KEYS do
  redis.call('SET', KEYS[i], ARGV[4], 'NX')
  fields[#fields + 1] = KEYS[i]
  fields[#fields + 1] = redis.call('GET', KEYS[i])
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], unpack(fields))
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 1
"""


_SHA1 = {
    script: hashlib.sha1(script.encode(), usedforsecurity=False).hexdigest()
    for script in (_CHECK, _PUT)
}


def _run(client, script: str, keys: list[str], args: list = ()):
    """Run a Lua script by its SHA1, loading it into a fresh (or flushed) Redis on first use."""
    try:
        return client.evalsha(_SHA1[script], len(keys), *keys, *args)
    except NoScriptError:
        return client.eval(script, len(keys), *keys, *args)


def feed_state(*, token: str, now: dt.datetime) -> calendar.FeedState | None:
    """:func:`meetings.calendar.feed.feed_state`, from Redis while nothing it shows changed."""
    cache = caches["default"]
    if not isinstance(cache, RedisCache):  # see shared()
        return calendar.feed_state(token=token, now=now)
    client = cache.client.get_client()  # django-redis' raw client (get_redis_connection)
    key, any_key = cache.make_key(_state_key(token)), cache.make_key(ANY_KEY)
    data, seen = _run(client, _CHECK, [key, any_key])
    if data is not None:
        # Our own entry, written below: as trusted as anything Django's cache unpickles.
        valid_until, state = pickle.loads(data)  # noqa: S301
        if now.timestamp() < valid_until:
            return state
    state = calendar.feed_state(token=token, now=now)
    if state is not None:
        user_id, *_fields, is_staff = state.owner
        stamps = [_user_key(user_id), *(_group_key(pk) for pk in state.group_ids)]
        if is_staff:
            stamps.append(ANY_KEY)
        deadlines = [now + dt.timedelta(seconds=STATE_SECONDS), state.day + dt.timedelta(days=1)]
        if state.changes_at is not None:
            deadlines.append(state.changes_at)
        payload = pickle.dumps((min(deadlines).timestamp(), state))
        keys = [key, any_key, *(cache.make_key(stamp) for stamp in stamps)]
        _run(client, _PUT, keys, [seen, payload, STATE_SECONDS, secrets.token_hex(8)])
    return state


def changed(*, users: Iterable[int] = (), groups: Iterable[int] = ()) -> None:
    """Invalidate the cached validators of every feed showing these people or groups.

    ``users`` and ``groups`` are ids (any iterable, a queryset too); they are read only with
    a shared cache.
    """
    if not shared():
        return
    keys = [_user_key(pk) for pk in users if pk] + [_group_key(pk) for pk in groups if pk]
    cache = caches["default"]
    full = [cache.make_key(key) for key in [*keys, ANY_KEY]]

    def restamp() -> None:
        value = secrets.token_hex(8)
        get_redis_connection().mset(dict.fromkeys(full, value))

    restamp()  # if Redis is down, the write fails rather than leave stale feeds behind
    if connection.in_atomic_block:
        # After the commit the write stands: a failure then is logged, the expiry heals it.
        transaction.on_commit(restamp, robust=True)


def groups_of(user_id: int):
    """Every group the person was ever in, where their name may show as a presenter (lazy)."""
    return Membership.objects.filter(user_id=user_id).values_list("group_id", flat=True)


# ------------------------------------------------------------------------------ receivers
# For writes outside the services (the admin's change forms and their cascades); see the
# module docstring. Each is connected with an explicit sender in connect() below.


def _group_saved(sender, instance: Group, raw: bool = False, **kwargs) -> None:
    if not raw:  # loaddata: the cache is not the database's business then
        changed(groups=[instance.pk])


def _group_row_saved(sender, instance: AgendaItem | Meeting, raw: bool = False, **kwargs) -> None:
    if not raw:
        changed(groups=[instance.group_id])


def _hot_seat_saved(sender, instance: HotSeat, raw: bool = False, **kwargs) -> None:
    if raw or not shared():
        return
    if HotSeat.meeting.is_cached(instance):
        group_id = instance.meeting.group_id
    else:
        meeting = Meeting.objects.filter(pk=instance.meeting_id)
        group_id = meeting.values_list("group_id", flat=True).first()
    changed(groups=[group_id])


def _membership_saved(sender, instance: Membership, raw: bool = False, **kwargs) -> None:
    if not raw:
        changed(users=[instance.user_id], groups=[instance.group_id])


def _settings_changed(sender, instance: MemberSettings, raw: bool = False, **kwargs) -> None:
    if not raw:
        changed(users=[instance.user_id])


def _user_changed(
    sender, instance: User, raw: bool = False, created: bool = False, update_fields=None, **kwargs
) -> None:
    if raw or created:  # a new user is in no feed yet
        return
    if update_fields is None or USER_FIELDS & set(update_fields):
        changed(users=[instance.pk], groups=groups_of(instance.pk))


def connect() -> None:
    """Connect the receivers above, each to its models (Group with its proxies)."""
    group_models = [model for model in apps.get_models() if issubclass(model, Group)]
    pairs = [
        *((post_save, model, _group_saved) for model in group_models),
        *((post_delete, model, _group_saved) for model in group_models),
        (post_save, AgendaItem, _group_row_saved),
        (post_delete, AgendaItem, _group_row_saved),
        (post_save, Meeting, _group_row_saved),
        (post_save, HotSeat, _hot_seat_saved),
        (post_save, Membership, _membership_saved),
        (post_save, MemberSettings, _settings_changed),
        (post_delete, MemberSettings, _settings_changed),
        (post_save, User, _user_changed),
        (pre_delete, User, _user_changed),  # before the cascade removes their memberships
    ]
    for signal, model, receiver in pairs:
        uid = f"meetings.calendar.feed_cache.{receiver.__name__}.{model._meta.label}.{id(signal)}"
        signal.connect(receiver, sender=model, dispatch_uid=uid)

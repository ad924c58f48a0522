"""Cached feed validators: a calendar poll that finds nothing new costs two cache reads.

:func:`meetings.calendar.feed.feed_state` computes a feed's ETag and Last-Modified exactly, in
two SQL queries; on PostgreSQL they cost about a millisecond of database time, mostly
planning, which is several times what serving the answer costs. Most polls find nothing
changed, so :func:`feed_state` here keeps the result in the cache under the token's
hash, together with a *stamp* of every cache key it depends on: one per person
(``calendar:stamp:user:<id>``) and one per group shown (``calendar:stamp:group:<id>``).
A poll reads the cached state and then those stamps in one ``get_many``; if any stamp
moved, or the UTC day changed (the window and the 30-day cut-off move daily), the state
is recomputed from the database.

Stamps move (a fresh random value) on every write that can change a feed:

* ``post_save`` of a Meeting, HotSeat, AgendaItem or Group (and its proxies): the group;
  of a Membership, MemberSettings or User: the person (their own feed: groups, token,
  language, name, active flag). ``post_delete`` of a Group, AgendaItem, MemberSettings
  or User likewise. (No ``post_delete`` receivers on the other models: they would turn
  Django's fast bulk deletes into row-by-row deletes everywhere.)
* The bulk writes that send no signals call :func:`changed` themselves: the hot-seat
  re-plan (which also covers swaps), the agenda rescaling and the language switcher.

A stamp is written at once (so a poll in the same transaction or test sees it) and again
when the transaction commits (so a poll that read the old rows while the writer's
transaction was open cannot keep its state). Safety net: a cached state expires after
``STATE_SECONDS``; a write that bypassed all of the above (raw SQL, a future bulk update
without a :func:`changed` call) or a membership that starts or ends on its own at a
future ``joined_at``/``left_at`` shows at most that late. Feeds are served with
``max-age=300`` anyway. The body cache is keyed by the ETag itself and needs none of this.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import pickle
import secrets
from collections.abc import Iterable

import redis.exceptions
from django.apps import apps
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from groups.models import Group, Membership
from mastermind.accounts.models import User
from meetings.calendar import feed as calendar
from meetings.models import AgendaItem, HotSeat, Meeting, MemberSettings

STATE_SECONDS = 10 * 60


def _state_key(token: str) -> str:
    # The token is a secret: only its hash appears in cache keys.
    return "calendar:state:" + hashlib.sha256(token.encode()).hexdigest()[:40]


def _user_key(user_id: int) -> str:
    return f"calendar:stamp:user:{user_id}"


def _group_key(group_id: int) -> str:
    return f"calendar:stamp:group:{group_id}"


def feed_state(*, token: str, now: dt.datetime) -> calendar.FeedState | None:
    """:func:`meetings.calendar.feed.feed_state`, from the cache while nothing it shows changed."""
    store = _store()
    key = _state_key(token)
    state = store.get(key)
    if state is not None and state.day == calendar._day_start(now):
        return state
    state = calendar.feed_state(token=token, now=now)
    if state is not None:
        stamps = [_user_key(state.user.pk), *(_group_key(pk) for pk in state.group_ids)]
        store.put(key, state, stamps)
    return state


def changed(*, users: Iterable[int] = (), groups: Iterable[int] = ()) -> None:
    """Invalidate the cached validators of every feed showing these people or groups."""
    keys = [_user_key(pk) for pk in users if pk] + [_group_key(pk) for pk in groups if pk]
    if not keys:
        return
    store = _store()
    store.restamp(keys)
    if connection.in_atomic_block:
        transaction.on_commit(lambda: store.restamp(keys))


class _Store:
    """Any Django cache: the state and its stamps' values, checked with a second read."""

    def __init__(self, backend):
        self.cache = backend

    def get(self, key: str):
        cached = self.cache.get(key)
        if cached is None:
            return None
        stamps, state = cached
        return state if self._current(list(stamps)) == stamps else None

    def put(self, key: str, state, stamps: list[str]) -> None:
        self.cache.set(key, (self._current(stamps), state), timeout=STATE_SECONDS)

    def restamp(self, keys: list[str]) -> None:
        self.cache.set_many({key: secrets.token_hex(8) for key in keys}, timeout=None)

    def _current(self, keys: list[str]) -> dict[str, str | None]:
        found = self.cache.get_many(keys)
        return {key: found.get(key) for key in keys}


# A Redis hash per state: field "" holds the pickled state, every other field is a stamp
# key with the value it had. One round trip returns the state only if all still match.
_CHECK_SCRIPT = """
local fields = redis.call('HGETALL', KEYS[1])
local state = false
for i = 1, #fields, 2 do
  if fields[i] == '' then
    state = fields[i + 1]
  elseif (redis.call('GET', fields[i]) or '') ~= fields[i + 1] then
    return false
  end
end
return state
"""
_CHECK_SHA = hashlib.sha1(_CHECK_SCRIPT.encode(), usedforsecurity=False).hexdigest()


class _RedisStore(_Store):
    """Django's Redis backend: the same, in one round trip (a Lua script).

    Keys go through ``make_key`` (prefix and version) without Django's memcached key
    validation: ours are short and ASCII by construction.
    """

    def client(self, *, write: bool = False):
        return self.cache._cache.get_client(write=write)

    def get(self, key: str):
        client, full = self.client(), self.cache.make_key(key)
        try:
            data = client.evalsha(_CHECK_SHA, 1, full)
        except redis.exceptions.NoScriptError:
            data = client.eval(_CHECK_SCRIPT, 1, full)
        # Our own cache entry, written by put() below: as trusted as Django's pickled cache.
        return None if data is None else pickle.loads(data)  # noqa: S301

    def put(self, key: str, state, stamps: list[str]) -> None:
        client = self.client(write=True)
        full = [self.cache.make_key(stamp) for stamp in stamps]
        values = [value or b"" for value in self._current(stamps).values()]
        target = self.cache.make_key(key)
        pipe = client.pipeline(transaction=True)
        pipe.delete(target)
        pipe.hset(target, mapping={"": pickle.dumps(state), **dict(zip(full, values, strict=True))})
        pipe.expire(target, STATE_SECONDS)
        pipe.execute()

    def restamp(self, keys: list[str]) -> None:
        full = {self.cache.make_key(key): secrets.token_hex(8) for key in keys}
        self.client(write=True).mset(full)

    def _current(self, keys: list[str]) -> dict[str, bytes | None]:
        """Raw values: stamps are written raw (above), not through Django's serializer."""
        full = [self.cache.make_key(key) for key in keys]
        return dict(zip(keys, self.client().mget(full), strict=True))


def _store() -> _Store:
    backend = caches["default"]
    return _RedisStore(backend) if isinstance(backend, RedisCache) else _Store(backend)


# ------------------------------------------------------------------------------ receivers


@receiver(post_save, dispatch_uid="meetings.calendar.feed_cache.saved")
def _saved(sender, instance, raw: bool = False, **kwargs) -> None:
    if raw:  # loaddata: the cache is not the database's business then
        return
    if isinstance(instance, Meeting | AgendaItem):
        changed(groups=[instance.group_id])
    elif isinstance(instance, HotSeat):
        if HotSeat.meeting.is_cached(instance):
            group_id = instance.meeting.group_id
        else:
            group_id = (
                Meeting.objects.filter(pk=instance.meeting_id)
                .values_list("group_id", flat=True)
                .first()
            )
        changed(groups=[group_id])
    elif isinstance(instance, Group):
        changed(groups=[instance.pk])
    elif isinstance(instance, Membership | MemberSettings):
        changed(users=[instance.user_id])
    elif isinstance(instance, User):
        changed(users=[instance.pk])


def _deleted(sender, instance, **kwargs) -> None:
    if isinstance(instance, AgendaItem):
        changed(groups=[instance.group_id])
    elif isinstance(instance, Group):
        changed(groups=[instance.pk])
    elif isinstance(instance, MemberSettings):
        changed(users=[instance.user_id])
    elif isinstance(instance, User):
        changed(users=[instance.pk])


def connect_deletions() -> None:
    """Per model (see the module docstring), including the proxies of Group."""
    groups = [model for model in apps.get_models() if issubclass(model, Group)]
    for model in [AgendaItem, MemberSettings, User, *groups]:
        post_delete.connect(
            _deleted, sender=model, dispatch_uid=f"meetings.calendar.feed_cache.deleted.{model}"
        )

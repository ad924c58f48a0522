"""Helpers for the security tests: a small world, clients per role, and the bad-input property.

The world has two groups, an open intake, staff and tokens. Group A has a presenter
(``a1``), a second member (``a2``) and a former member (``af``); group B has ``b1`` and
``b2``. Everything private to group A carries a marker string (``A_PRIVATE``) so tests can
assert it never shows up in a page served to someone else. The ``world`` fixture
(tests/security/conftest.py) builds it for a test.

The bad-input property (``check_post``, with Hypothesis-made data from ``mangled``): no
answer is a 500, and a form shown again or refused with an error message saved nothing
(``snapshot``) and says what is wrong.
"""

from __future__ import annotations

import datetime as dt
import string
from contextlib import contextmanager
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from groups import signing
from groups.models import (
    Application,
    Group,
    Intake,
    InterestSignup,
    MatchingPin,
    Membership,
    PinKind,
)
from groups.views.signin import signin_path
from mastermind.accounts.models import User
from mastermind.outbox.models import Notification
from meetings.models import (
    Absence,
    Commitment,
    Meeting,
    MemberSettings,
    Pause,
    Preparation,
    RoleAssignment,
    Schedule,
    SwapRequest,
)
from meetings.services import preferences
from tests.factories import (
    AbsenceFactory,
    ApplicationFactory,
    CommitmentFactory,
    GroupFactory,
    HotSeatFactory,
    IntakeFactory,
    InterestSignupFactory,
    MeetingFactory,
    MemberSettingsFactory,
    MembershipFactory,
    PreparationFactory,
    StaffFactory,
    UserFactory,
)
from tests.helpers import examples

ROLES = ("anon", "applicant", "member_a", "member_b", "former_a", "staff")

# Text only group A (and the organiser) may ever see.
A_NAMES = ("Aquilina", "Amselinde")
A_PRIVATE = (
    *A_NAMES,
    "SECRET-PREP-A",
    "SECRET-COMMIT-A",
    "SECRET-ABSENCE-A",
    "SECRET-ABOUT-A",
)
A_GROUP_NAME = "Auroragruppe"
Y_PRIVATE = ("Ypsilonia", "SECRET-ABOUT-Y", "y-secret@example.org")


@dataclass
class World:
    staff: User
    a1: User
    a2: User
    af: User
    b1: User
    b2: User
    intake: Intake
    app_x: Application
    app_y: Application
    signup: InterestSignup
    pin: MatchingPin
    group_a: Group
    group_b: Group
    meeting_a: Meeting  # upcoming, a1 on the hot seat
    meeting_a2: Meeting  # upcoming, a2 on the hot seat
    past_a: Meeting  # held, with commitments
    meeting_b: Meeting
    commitment_a1: Commitment
    swap: SwapRequest
    feed_a1: str
    feed_b1: str
    feed_af: str

    def user(self, role: str) -> User | None:
        return {
            "member_a": self.a1,
            "member_b": self.b1,
            "former_a": self.af,
            "staff": self.staff,
        }.get(role)

    # Signed links ------------------------------------------------------------------
    def confirm_token(self, application: Application | None = None) -> str:
        app = application or self.app_x
        return signing.make(signing.APPLICATION_CONFIRM, pk=app.pk, email=app.email)

    def manage_token(self, application: Application | None = None) -> str:
        app = application or self.app_x
        return signing.make(signing.APPLICATION_MANAGE, pk=app.pk, email=app.email)

    def interest_token(self, purpose: str = signing.INTEREST_CONFIRM) -> str:
        return signing.make(purpose, pk=self.signup.pk, email=self.signup.email)

    def signin_path(self) -> str:
        return signin_path(self.a1)

    def unsubscribe_token(self) -> str:
        return preferences.unsubscribe_token(user_id=self.a1.pk, preference="meeting_reminders")


def build_world() -> World:
    now = timezone.now()
    days = dt.timedelta(days=1)
    staff = StaffFactory(display_name="Stella Organisatorin")
    intake = IntakeFactory(slug="offene-runde", title="Offene Runde")
    app_x = ApplicationFactory(intake=intake, name="Xaverius Xylo", email="x@example.org")
    app_y = ApplicationFactory(
        intake=intake, name="Ypsilonia Yew", email="y-secret@example.org", about="SECRET-ABOUT-Y"
    )
    first, second = sorted([app_x, app_y], key=lambda a: a.pk)
    pin = MatchingPin.objects.create(
        intake=intake, kind=PinKind.KEEP_APART, first=first, second=second
    )
    signup = InterestSignupFactory(email="interested@example.org", confirmed_at=None)

    group_a = GroupFactory(name=A_GROUP_NAME, description="Gruppe A")
    group_b = GroupFactory(name="Borealisgruppe")
    a1 = UserFactory(display_name="Aquilina Anders")
    a2 = UserFactory(display_name="Amselinde Amberg")
    af = UserFactory(display_name="Fridolin Früher")
    b1 = UserFactory(display_name="Bruno Berger")
    b2 = UserFactory(display_name="Berit Bach")
    for user in (a1, a2):
        MembershipFactory(group=group_a, user=user, about="SECRET-ABOUT-A")
    MembershipFactory(group=group_a, user=af, joined_at=now - 90 * days, left_at=now - 10 * days)
    for user in (b1, b2):
        MembershipFactory(group=group_b, user=user, about="Über B")

    meeting_a = MeetingFactory(group=group_a, starts_at=now + 7 * days)
    meeting_a2 = MeetingFactory(group=group_a, starts_at=now + 21 * days)
    past_a = MeetingFactory(group=group_a, starts_at=now - 3 * days)
    meeting_b = MeetingFactory(group=group_b, starts_at=now + 7 * days)
    HotSeatFactory(meeting=meeting_a, user=a1)
    HotSeatFactory(meeting=meeting_a2, user=a2)
    HotSeatFactory(meeting=meeting_b, user=b1)
    RoleAssignment.objects.create(meeting=meeting_a, role="facilitator", user=a1)
    RoleAssignment.objects.create(meeting=meeting_a2, role="facilitator", user=a2)
    PreparationFactory(meeting=meeting_a, user=a1, story="SECRET-PREP-A")
    AbsenceFactory(meeting=meeting_a, user=a2, note="SECRET-ABSENCE-A")
    commitment_a1 = CommitmentFactory(meeting=past_a, user=a1, text="SECRET-COMMIT-A eins")
    CommitmentFactory(meeting=past_a, user=a2, text="SECRET-COMMIT-A zwei")
    swap = SwapRequest.objects.create(
        requester=a1, requester_meeting=meeting_a, responder=a2, responder_meeting=meeting_a2
    )
    feeds = [MemberSettingsFactory(user=user).feed_token for user in (a1, b1, af)]
    return World(
        staff=staff,
        a1=a1,
        a2=a2,
        af=af,
        b1=b1,
        b2=b2,
        intake=intake,
        app_x=app_x,
        app_y=app_y,
        signup=signup,
        pin=pin,
        group_a=group_a,
        group_b=group_b,
        meeting_a=meeting_a,
        meeting_a2=meeting_a2,
        past_a=past_a,
        meeting_b=meeting_b,
        commitment_a1=commitment_a1,
        swap=swap,
        feed_a1=feeds[0],
        feed_b1=feeds[1],
        feed_af=feeds[2],
    )


@contextmanager
def rolled_back():
    """Run a block in a savepoint that is always rolled back (one request, fresh state)."""
    with transaction.atomic():
        cache.clear()
        yield
        transaction.set_rollback(True)


def client_for(world: World, role: str, **kwargs) -> Client:
    client = Client(raise_request_exception=False, **kwargs)
    user = world.user(role)
    if user is not None:  # a fresh copy: signing in sets last_login on the object it gets
        client.force_login(User.objects.get(pk=user.pk))
    return client


def row_counts(*models) -> tuple[int, ...]:
    return tuple(model.objects.count() for model in models)


# -- bad input -------------------------------------------------------------------------------

# Each example is a request or more with snapshots of every table, so a fifth of the
# profile's examples (20 in ``dev``).
FUZZ = settings(
    max_examples=examples(0.2),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# -- strategies ----------------------------------------------------------------------------

UNICODE = st.text(max_size=40)  # surrogates are excluded by default: HTTP cannot carry them
CONTROL = st.text(st.characters(categories=["Cc"]), min_size=1, max_size=5)
LONG = st.builds(lambda ch, n: ch * n, st.characters(codec="utf-8"), st.integers(10_001, 10_100))
JUNK = st.one_of(UNICODE, CONTROL, LONG, st.just(""))
EDGE_DATES = ["9999-12-31", "0001-01-01", "2027-02-30", "31.12.2027", "2027-13-01", "2027-3-1"]
DATES = st.one_of(st.sampled_from(EDGE_DATES), st.dates().map(str), JUNK)
TIMES = st.one_of(
    st.sampled_from(["23:30", "00:00", "24:00", "23:59:60", "-1:00"]), st.times().map(str), JUNK
)
ZONES = st.one_of(
    JUNK,
    st.sampled_from(["Mars/Olympus", "../../etc/passwd", "UTC", "Etc/GMT+12", "Europe/Berlin\0"]),
)
NAMES = st.text(string.ascii_lowercase + "_", min_size=1, max_size=12)


def mangled(valid: dict, junk: dict | None = None):
    """``valid`` with up to two fields replaced by junk and one left out, plus extra fields.

    Mostly-valid data reaches the code behind validation (a service, a save); a few
    broken fields at a time are how real mistakes and attacks look.
    """
    junk = junk or {}
    keys = list(valid)

    def build(junked: set, values: dict, dropped: set, extra: dict) -> dict:
        data = {k: v for k, v in extra.items() if k not in valid}
        for key in keys:
            if key not in dropped:
                data[key] = values[key] if key in junked else valid[key]
        return data

    return st.builds(
        build,
        st.sets(st.sampled_from(keys), max_size=2),
        st.fixed_dictionaries({key: junk.get(key, JUNK) for key in keys}),
        st.sets(st.sampled_from(keys), max_size=1),
        st.dictionaries(NAMES, JUNK, max_size=2),
    )


# -- the property -----------------------------------------------------------------------------


def snapshot() -> tuple:
    """Everything the forms under test could write."""
    return (
        list(Application.objects.order_by("pk").values_list()),
        list(InterestSignup.objects.order_by("pk").values_list()),
        Notification.objects.count(),
        list(
            User.objects.order_by("pk").values_list(
                "email", "display_name", "language", "time_zone"
            )
        ),
        list(Membership.objects.order_by("pk").values_list("left_at", "left_reason")),
        list(MemberSettings.objects.order_by("pk").values_list()),
        list(Absence.objects.order_by("pk").values_list("user", "meeting", "note")),
        list(
            Preparation.objects.order_by("pk").values_list(
                "story", "value_for_others", "feedback_wanted"
            )
        ),
        list(Commitment.objects.order_by("pk").values_list("text", "status")),
        list(SwapRequest.objects.order_by("pk").values_list("role", "status")),
        list(RoleAssignment.objects.order_by("pk").values_list("user", "pinned")),
        list(Schedule.objects.values_list("pk")),
        list(Pause.objects.values_list("pk")),
        list(Meeting.objects.order_by("pk").values_list("starts_at", "status", "sequence")),
        list(MatchingPin.objects.values_list("pk")),
        list(
            Intake.objects.order_by("pk").values_list("title", "opens_at", "deadline", "proposal")
        ),
    )


def _error_messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request) if m.level == messages.ERROR]


def check_post(world, role: str, url: str, data: dict):
    with rolled_back():
        before = snapshot()
        response = client_for(world, role).post(url, data)
        status = response.status_code
        assert status < 500, f"{url} answered {status} to {data!r:.300}"
        if status in (200, 400):  # the form is shown again: invalid
            assert snapshot() == before, f"{url} saved invalid input {data!r:.300}"
            body = response.content.decode()
            assert "errorlist" in body or "message-error" in body, "no error shown"
        elif status == 302 and _error_messages(response):
            assert snapshot() == before, f"{url} saved input it refused: {data!r:.300}"
        return response


# Valid data of two staff forms, the starting point of their bad-input properties.
SCHEDULE = {
    "group": "1",
    "every_weeks": "2",
    "weekday": "1",
    "start_time": "19:00",
    "duration_minutes": "90",
    "time_zone": "",
    "first_date": "2027-01-05",
    "end_date": "",
    "hot_seats": "1",
    "holiday_region": "",
    "reminder_hours_before": "24",
    "second_reminder_minutes_before": "",
    "preparation_reminder_days": "5",
    "commitments_prompt_minutes_after": "60",
}

INTAKE = {
    "title": "Herbst",
    "slug": "herbst",
    "pitch": "**Hallo**",
    "min_group_size": "4",
    "max_group_size": "5",
    "topics": "SEO",
    "topic_preference": "similar",
    "meeting_every_weeks": "2",
    "meeting_weekday": "1",
    "meeting_start_time": "19:00",
    "meeting_duration_minutes": "120",
    "time_zone": "Europe/Berlin",
}

"""A small world for the security tests: two groups, an open intake, staff, tokens.

Group A has a presenter (``a1``), a second member (``a2``) and a former member (``af``);
group B has ``b1`` and ``b2``. Everything private to group A carries a marker string
(``A_PRIVATE``) so tests can assert it never shows up in a page served to someone else.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.utils import timezone

from groups import signing
from groups.models import Application, Group, Intake, InterestSignup, MatchingPin, PinKind
from groups.views.signin import signin_path
from mastermind.accounts.models import User
from meetings.models import Commitment, Meeting, SwapRequest
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


__all__ = [
    "A_GROUP_NAME",
    "A_NAMES",
    "A_PRIVATE",
    "ROLES",
    "Y_PRIVATE",
    "World",
    "build_world",
    "client_for",
    "rolled_back",
    "row_counts",
]

"""Signed tokens for the links in applicants' and subscribers' emails.

Each purpose has its own salt, so a token for one purpose never works for another.
A token names the row and its email address: it stops working once the row is gone
or belongs to someone else. Edit and withdraw links carry no age limit of their own:
they expire at the intake's deadline, which the service checks at use time (so a
deadline the organiser extends extends the links, too).
"""

import datetime as dt
from dataclasses import dataclass

from django.core import signing

CONFIRM_MAX_AGE = dt.timedelta(days=7)

APPLICATION_CONFIRM = "groups.application.confirm"
APPLICATION_MANAGE = "groups.application.manage"
INTEREST_CONFIRM = "groups.interest.confirm"
INTEREST_UNSUBSCRIBE = "groups.interest.unsubscribe"
RENEWAL_ANSWER = "groups.renewal.answer"


class BadToken(Exception):
    """The link is broken, forged, or too old."""

    def __init__(self, *, expired: bool = False):
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


@dataclass(frozen=True)
class Claim:
    pk: int
    email: str


def make(purpose: str, *, pk: int, email: str) -> str:
    return signing.dumps({"pk": pk, "e": email.lower()}, salt=purpose, compress=True)


def read(purpose: str, token: str, *, max_age: dt.timedelta | None = None) -> Claim:
    try:
        data = signing.loads(token, salt=purpose, max_age=max_age)
    except signing.SignatureExpired as error:
        raise BadToken(expired=True) from error
    except signing.BadSignature as error:
        raise BadToken from error
    if not isinstance(data, dict) or not isinstance(data.get("pk"), int):
        raise BadToken
    return Claim(pk=data["pk"], email=str(data.get("e", "")))


@dataclass(frozen=True)
class RenewalClaim:
    pk: int
    email: str
    term_ends_on: dt.date


def make_renewal(*, pk: int, email: str, term_ends_on: dt.date) -> str:
    """The renewal link of one membership for one term: it stops working once the term
    has moved on (the service compares the date with the group's)."""
    data = {"pk": pk, "e": email.lower(), "t": term_ends_on.isoformat()}
    return signing.dumps(data, salt=RENEWAL_ANSWER, compress=True)


def read_renewal(token: str) -> RenewalClaim:
    claim = read(RENEWAL_ANSWER, token)
    data = signing.loads(token, salt=RENEWAL_ANSWER)
    try:
        term_ends_on = dt.date.fromisoformat(str(data.get("t")))
    except ValueError as error:
        raise BadToken from error
    return RenewalClaim(pk=claim.pk, email=claim.email, term_ends_on=term_ends_on)

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

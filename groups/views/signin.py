"""One-click sign-in links for emails (the welcome email carries one).

A link is ``/signin/<uidb64>/<token>/``. The token works like Django's password-reset
token: an HMAC over the user's id, email, ``last_login`` and the time it was made. Signing
in updates ``last_login``, so a link works once; it also expires after ``LINK_VALIDITY``.

Opening the link (GET) only shows a button; the sign-in happens on POST. Mail scanners
that prefetch links therefore cannot use it up, and the page cannot be framed or replayed
cross-site (CSRF). A used or expired link shows a page that offers sign-in by code.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.encoding import force_bytes, force_str
from django.utils.http import base36_to_int, int_to_base36, urlsafe_base64_decode
from django.utils.http import urlsafe_base64_encode as b64
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from mastermind.accounts.models import User

LINK_VALIDITY = dt.timedelta(days=7)
BACKEND = "allauth.account.auth_backends.AuthenticationBackend"


class SignInTokenGenerator:
    key_salt = "groups.views.signin.SignInTokenGenerator"

    def make_token(self, user: User, *, now: dt.datetime | None = None) -> str:
        stamp = int((now or timezone.now()).timestamp())
        return f"{int_to_base36(stamp)}-{self._hash(user, stamp)}"

    def check_token(self, user: User, token: str, *, now: dt.datetime | None = None) -> bool:
        stamp_b36, _sep, digest = (token or "").partition("-")
        try:
            stamp = base36_to_int(stamp_b36)
        except ValueError:
            return False
        if not user.is_active or not constant_time_compare(self._hash(user, stamp), digest):
            return False
        age = int((now or timezone.now()).timestamp()) - stamp
        return 0 <= age <= LINK_VALIDITY.total_seconds()

    def _hash(self, user: User, stamp: int) -> str:
        last_login = "" if user.last_login is None else user.last_login.isoformat()
        value = f"{user.pk}|{user.email}|{last_login}|{stamp}"
        return salted_hmac(self.key_salt, value, algorithm="sha256").hexdigest()[::2]


token_generator = SignInTokenGenerator()


def signin_path(user: User, *, now: dt.datetime | None = None) -> str:
    return reverse(
        "groups:signin_link",
        kwargs={
            "uidb64": b64(force_bytes(user.pk)),
            "token": token_generator.make_token(user, now=now),
        },
    )


def _user_for(uidb64: str, token: str) -> User | None:
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError):
        return None
    user = User.objects.filter(pk=pk).first()
    if user is None or not token_generator.check_token(user, token):
        return None
    return user


@never_cache
@require_http_methods(["GET", "POST"])
def signin_link(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    user = _user_for(uidb64, token)
    if user is None:
        return render(request, "groups/signin_invalid.html", status=410)
    if request.method == "POST":
        login(request, user, backend=BACKEND)
        return redirect("groups:my_groups")
    return render(request, "groups/signin_confirm.html", {"member": user})


urlpatterns = [
    path("signin/<str:uidb64>/<str:token>/", signin_link, name="signin_link"),
]

"""django-allauth integration: accounts are made for members, not by the public."""

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Members get their account when the organiser forms the groups; visitors apply
        # through an intake instead, so there is nothing to sign up for.
        return False

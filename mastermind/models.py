"""The models of the ``mastermind`` app label, defined in the infrastructure packages.

Django loads an app's models from ``<app>.models``; the classes live next to the code
that owns them (accounts, outbox) and keep the app label ``mastermind``.
"""

from mastermind.accounts.models import FailedSignIn, User, UserManager
from mastermind.outbox.models import Notification, NotificationStatus

__all__ = ["FailedSignIn", "Notification", "NotificationStatus", "User", "UserManager"]

"""Calendar invitations (iMIP): which are due now. Used by the reminder sweep."""

import datetime as dt

from mastermind.models import Notification


def collect(now: dt.datetime) -> list[Notification]:
    """Unsaved notifications for invitations, cancellations and short-notice changes."""
    return []

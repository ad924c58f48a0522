"""Data retention: applications that did not lead to a membership are deleted.

They go ``APPLICATION_RETENTION_DAYS`` (default 180) after their intake's deadline. An
application linked to any membership (current or former) is kept with that membership's
history; a member erases it by deleting their account.
"""

import datetime as dt
import logging

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from groups.models import Application, Membership

logger = logging.getLogger(__name__)


def retention_period() -> dt.timedelta:
    return dt.timedelta(days=settings.APPLICATION_RETENTION_DAYS)


def deletion_date(application: Application) -> dt.datetime | None:
    """When the application will be deleted; None if it is kept with a membership."""
    if getattr(application, "has_membership", None):
        return None
    return application.intake.deadline + retention_period()


def expired_applications(*, now: dt.datetime | None = None) -> QuerySet[Application]:
    now = now or timezone.now()
    has_membership = Membership.objects.filter(application=OuterRef("pk"))
    return Application.objects.filter(intake__deadline__lte=now - retention_period()).filter(
        ~Exists(has_membership)
    )


def purge_expired_applications(*, now: dt.datetime | None = None) -> int:
    """Delete expired applications; safe to run any number of times."""
    ids = list(expired_applications(now=now).values_list("pk", flat=True)[:10000])
    Application.objects.filter(pk__in=ids).delete()
    if ids:
        logger.info("deleted %s expired applications", len(ids))
    return len(ids)

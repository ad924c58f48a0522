"""Keeping the notifications log when what an email was about goes away.

The log is the record of what was sent to whom. When a subject is deleted on purpose by
the person it concerns (an applicant withdraws) or by the organiser, its rows are
*detached* instead of deleted with it: each row keeps its kind, recipient, status, times
and payload, loses the link (the subject no longer exists), and names in its payload what
it was about (``detached_from``). A row not sent yet is marked skipped, so nothing goes out
about a deleted subject. Erasure (account deletion) and data retention still delete the
rows with their subject.
"""

from django.contrib.contenttypes.models import ContentType
from django.db import models

from mastermind.outbox.models import Notification, NotificationStatus

UNSENT = (NotificationStatus.PENDING, NotificationStatus.FAILED)


def detach(model: type[models.Model], pks) -> int:
    """Detach the log rows about these subjects from them; returns the number of rows."""
    content_type = ContentType.objects.get_for_model(model)
    label = f"{content_type.app_label}.{content_type.model}"
    rows = list(
        Notification.objects.select_for_update().filter(
            subject_type=content_type, subject_id__in=list(pks)
        )
    )
    for row in rows:
        row.payload = {**row.payload, "detached_from": f"{label}:{row.subject_id}"}
        row.subject_type, row.subject_id = None, None
        if row.status in UNSENT:
            row.status = NotificationStatus.SKIPPED
    Notification.objects.bulk_update(rows, ["payload", "subject_type", "subject_id", "status"])
    return len(rows)

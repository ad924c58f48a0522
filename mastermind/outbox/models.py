"""The outbox table: one row per email the app sends on its own."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mastermind.outbox.kinds import EmailKind


class NotificationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    REJECTED = "rejected", _("Rejected by the mail server (permanent)")
    EXPIRED = "expired", _("Expired (found too late)")
    SKIPPED = "skipped", _("Skipped (no longer wanted)")
    MERGED = "merged", _("Merged into another email to the same person")


class Notification(models.Model):
    """The outbox: one row per email the app sends on its own.

    ``dedup_key`` is the claim: it names what is sent to whom (for reminders
    ``kind:meeting:recipient``), and its unique constraint makes a second claim fail.
    Rows with the same ``batch_key`` that are pending together go out as one email
    (:mod:`mastermind.outbox.batches`). See :mod:`mastermind.outbox` for the delivery
    guarantees.
    """

    kind = models.CharField(_("kind"), max_length=40, choices=EmailKind.choices, db_index=True)
    dedup_key = models.CharField(_("key"), max_length=200, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    email = models.EmailField(_("recipient email"), max_length=254)
    # What the email is about (a meeting, an application, a membership, an intake): a
    # generic relation, so the outbox knows no app. Each app's model declares a
    # ``GenericRelation`` back to this table, which deletes the rows with their subject.
    subject_type = models.ForeignKey(
        ContentType,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("subject type"),
    )
    subject_id = models.PositiveBigIntegerField(_("subject id"), null=True, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    payload = models.JSONField(_("details"), default=dict, blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=NotificationStatus.choices,
        default=NotificationStatus.PENDING,
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    # When to look at the row next: for a pending row, when it is due (after a failure, the
    # end of its backoff); for a row being sent, the end of the sender's lease.
    due_at = models.DateTimeField(_("due at"), default=timezone.now)
    # When its id was last published to the broker (the re-queue skips rows queued since
    # they became due).
    enqueued_at = models.DateTimeField(_("queued at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # Batches (mastermind.outbox.batches): rows of one person with the same key that are
    # pending together are sent as one email, built by the row sent first (the lead);
    # ``not_before`` is the end of the row's window, ``merged_into`` the lead that told it.
    batch_key = models.CharField(_("batch"), max_length=200, blank=True, default="")
    not_before = models.DateTimeField(_("not before"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="merged",
        verbose_name=_("sent with"),
    )

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "due_at"]),
            models.Index(fields=["subject_type", "subject_id"]),
            models.Index(fields=["batch_key", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.email}"

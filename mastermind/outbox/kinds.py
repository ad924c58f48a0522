"""Every kind of email the app sends, with a human label and its dedup key.

The kind is the ``Notification.kind`` field's choices. Each app's builders register under
these values (``@outbox.register(EmailKind.WELCOME)``). A kind's dedup key (the claim,
see :mod:`mastermind.outbox.delivery`) is its prefix and the parts that make one email
unique, in one function: :meth:`EmailKind.key`. A few older kinds keep the shorter key
prefix their rows were stored with.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EmailKind(models.TextChoices):
    # intake
    APPLICATION_CONFIRM = "application_confirm", _("Application: confirm the address")
    APPLICATION_EDIT_LINK = "application_edit_link", _("Application: link to edit")
    DECISION = "decision", _("Application: decision")
    INTEREST_CONFIRM = "interest_confirm", _("Interest list: confirm the address")
    INTAKE_ANNOUNCEMENT = "intake_announcement", _("Interest list: new intake")
    INTAKE_DIGEST = "intake_digest", _("Organiser: intake digest")
    # groups
    WELCOME = "welcome", _("Welcome to the group")
    MEMBER_LEFT = "member_left", _("A member left")
    MEMBER_LEFT_ORGANISER = "member_left_organiser", _("Organiser: a member left")
    GROUP_ENDED = "group_ended", _("The group ended")
    # meetings
    MEETING_REMINDER = "meeting_reminder", _("Meeting reminder")
    SECOND_REMINDER = "meeting_reminder_second", _("Second meeting reminder")
    PREPARATION_REMINDER = "preparation_reminder", _("Hot seat preparation reminder")
    COMMITMENTS_PROMPT = "commitments_prompt", _("Commitments prompt")
    MEETING_CHANGED = "meeting_changed", _("Meeting cancelled or moved")
    HOT_SEAT_CHANGED = "hot_seat_changed", _("Hot seat changed")
    SWAP_REQUESTED = "swap_requested", _("Swap requested")
    SWAP_ACCEPTED = "swap_accepted", _("Swap accepted")
    SWAP_DECLINED = "swap_declined", _("Swap declined")
    SWAP_WITHDRAWN = "swap_withdrawn", _("Swap withdrawn")
    # calendar
    CALENDAR_INVITATION = "calendar_invitation", _("Calendar invitation")
    CALENDAR_CANCEL = "calendar_cancel", _("Calendar cancellation")
    SHORT_NOTICE = "short_notice_change", _("Short-notice change")

    def key(self, *parts: object) -> str:
        """The dedup key of one email of this kind: ``prefix:part:part…``."""
        return ":".join([_KEY_PREFIXES.get(self.value, self.value), *map(str, parts)])


_KEY_PREFIXES = {
    EmailKind.CALENDAR_INVITATION.value: "invitation",
    EmailKind.CALENDAR_CANCEL.value: "invitation_cancel",
    EmailKind.SHORT_NOTICE.value: "short_notice",
}

"""Every kind of email the app sends, with a human label and its dedup key.

The kind is the ``Notification.kind`` field's choices. Each app's builders register under
these values (``@outbox.register(EmailKind.WELCOME)``). A kind's dedup key (the claim,
see :mod:`mastermind.outbox.delivery`) is its prefix and the parts that make one email
unique, in one function: :meth:`EmailKind.key`. A few older kinds keep the shorter key
prefix their rows were stored with.
"""

from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from mastermind.core.registry import Hooks


class EmailKind(models.TextChoices):
    # intake
    APPLICATION_CONFIRM = "application_confirm", _("Application: confirm the address")
    APPLICATION_EDIT_LINK = "application_edit_link", _("Application: link to edit")
    DECISION = "decision", _("Application: decision")
    INTEREST_CONFIRM = "interest_confirm", _("Interest list: confirm the address")
    INTAKE_ANNOUNCEMENT = "intake_announcement", _("Interest list: new intake")
    FREE_PLACES = "free_places", _("Interest list: free places in a group")
    INTAKE_DIGEST = "intake_digest", _("Organiser: intake digest")
    HEALTH_DIGEST = "health_digest", _("Organiser: weekly digest of groups that need attention")
    # groups
    WELCOME = "welcome", _("Welcome to the group")
    MEMBER_LEFT = "member_left", _("A member left")
    MEMBER_LEFT_ORGANISER = "member_left_organiser", _("Organiser: a member left")
    GROUP_ENDED = "group_ended", _("The group ended")
    RENEWAL_QUESTION = "renewal_question", _("Renewal: do you continue?")
    # meetings
    MEETING_REMINDER = "meeting_reminder", _("Meeting reminder")
    SECOND_REMINDER = "meeting_reminder_second", _("Second meeting reminder")
    PREPARATION_REMINDER = "preparation_reminder", _("Hot seat preparation reminder")
    COMMITMENTS_PROMPT = "commitments_prompt", _("Commitments prompt")
    RECAP = "meeting_recap", _("Meeting recap")
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


# Why each email was sent, said in its footer (mastermind.core.mail). Optional kinds also
# carry a one-click unsubscribe link there and in their List-Unsubscribe headers.
_MEMBER = _("You get this email because you are a member of this group.")
_SWAP = _("You get this email because you take part in this swap.")
REASONS = {
    EmailKind.APPLICATION_CONFIRM: _(
        "You get this email because this address was entered in an application."
    ),
    EmailKind.APPLICATION_EDIT_LINK: _(
        "You get this email because you asked for a link to change your application."
    ),
    EmailKind.DECISION: _("You get this email because you applied to join a group."),
    EmailKind.INTEREST_CONFIRM: _(
        "You get this email because this address was put on the interest list."
    ),
    EmailKind.INTAKE_ANNOUNCEMENT: _(
        "You get this email because you are on the interest list for new intakes."
    ),
    EmailKind.FREE_PLACES: _(
        "You get this email because you are on the interest list for new intakes."
    ),
    EmailKind.INTAKE_DIGEST: _("You get this email because you organise this intake."),
    EmailKind.HEALTH_DIGEST: _("You get this email because you organise groups."),
    EmailKind.WELCOME: _("You get this email because you have been placed in this group."),
    EmailKind.MEMBER_LEFT: _MEMBER,
    EmailKind.MEMBER_LEFT_ORGANISER: _("You get this email because you organise this group."),
    EmailKind.GROUP_ENDED: _("You get this email because you were a member of this group."),
    EmailKind.RENEWAL_QUESTION: _(
        "You get this email because you are a member of this group and its term ends soon."
    ),
    EmailKind.MEETING_REMINDER: _MEMBER,
    EmailKind.SECOND_REMINDER: _MEMBER,
    EmailKind.PREPARATION_REMINDER: _(
        "You get this email because you are on the hot seat at this meeting."
    ),
    EmailKind.COMMITMENTS_PROMPT: _MEMBER,
    EmailKind.RECAP: _MEMBER,
    EmailKind.MEETING_CHANGED: _("You get this email because a meeting of your group changed."),
    EmailKind.HOT_SEAT_CHANGED: _MEMBER,
    EmailKind.SWAP_REQUESTED: _SWAP,
    EmailKind.SWAP_ACCEPTED: _SWAP,
    EmailKind.SWAP_DECLINED: _SWAP,
    EmailKind.SWAP_WITHDRAWN: _SWAP,
    EmailKind.CALENDAR_INVITATION: _(
        "You get this email because you chose to get calendar invitations."
    ),
    EmailKind.CALENDAR_CANCEL: _(
        "You get this email because you chose to get calendar invitations."
    ),
    EmailKind.SHORT_NOTICE: _(
        "You get this email because a meeting of your group changed at short notice."
    ),
}


# The apps above name the preference behind each optional kind and make its signed link:
# a hook takes the notification and returns the List-Unsubscribe headers, or {}.
unsubscribe_headers = Hooks("one-click unsubscribe headers of optional emails")


def complete(email, notification) -> None:
    """Fill in what every email of a kind carries: why it was sent and, for optional
    kinds, the RFC 8058 one-click unsubscribe headers (when the builder set none)."""
    if not email.reason:
        with translation.override(email.language):  # the recipient's, not the worker's
            email.reason = str(REASONS.get(notification.kind, ""))
    if "List-Unsubscribe" not in email.headers:
        for _name, hook in unsubscribe_headers:
            headers = hook(notification)
            if headers:
                email.headers = {**email.headers, **headers}
                break


_KEY_PREFIXES = {
    EmailKind.CALENDAR_INVITATION.value: "invitation",
    EmailKind.CALENDAR_CANCEL.value: "invitation_cancel",
    EmailKind.SHORT_NOTICE.value: "short_notice",
}

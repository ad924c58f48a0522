"""Who facilitates and who keeps time at a meeting (a model of :mod:`meetings.models`)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from meetings.choices import MeetingRole
from meetings.models import Meeting


class RoleAssignment(models.Model):
    """A member's role at one meeting, chosen by the rotation (meetings/services/roles.py)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("role"), max_length=16, choices=MeetingRole.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="meeting_roles"
    )
    # Set by an accepted role swap: re-plans keep it unless its holder can't take it.
    pinned = models.BooleanField(_("fixed by a swap"), default=False)

    class Meta:
        app_label = "meetings"
        verbose_name = _("meeting role")
        verbose_name_plural = _("meeting roles")
        ordering = ["meeting", "role"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "role"], name="role_assignment_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.user} @ {self.meeting}"


def with_roles() -> models.Prefetch:
    """A meeting's roles with their members, in one query (read by :func:`role_holders`)."""
    return models.Prefetch(
        "roles", queryset=RoleAssignment.objects.select_related("user"), to_attr="role_rows"
    )


def prefetch_roles(meetings: list[Meeting]) -> None:
    """Load the roles of those ``meetings`` whose group rotates roles, in one query; the others
    get none at no cost. Needs ``select_related("group__schedule")`` to be free itself."""
    wanted = []
    for meeting in meetings:
        schedule = getattr(meeting.group, "schedule", None)
        if schedule and (schedule.rotate_facilitator or schedule.rotate_timekeeper):
            wanted.append(meeting)
        else:
            meeting.role_rows = []
    models.prefetch_related_objects(wanted, with_roles())


def role_holders(meeting: Meeting) -> list[tuple[str, object]]:
    """(role name, translated when shown, member) per role, facilitator first.

    Reads the roles loaded by :func:`with_roles` or :func:`prefetch_roles`, else queries.
    """
    rows = getattr(meeting, "role_rows", None)
    if rows is None:
        rows = list(meeting.roles.select_related("user"))
    order = list(MeetingRole.values)
    rows = sorted(rows, key=lambda row: order.index(row.role))
    # The lazy label: an email's context is built before its language is switched on.
    return [(MeetingRole(row.role).label, row.user) for row in rows]


def roles_held_by(meeting: Meeting, user) -> list[tuple[str, object]]:
    """(role value, translated label) of each role ``user`` holds at ``meeting``, in order.

    Reads the roles loaded by :func:`with_roles` or :func:`prefetch_roles`, else queries.
    """
    rows = getattr(meeting, "role_rows", None)
    if rows is None:
        rows = list(meeting.roles.all())
    return [
        (role, MeetingRole(role).label)
        for role in MeetingRole.values
        if any(row.role == role and row.user_id == user.pk for row in rows)
    ]

"""What a group's end means for its meetings: none of them takes place any more.

``end_group`` (groups) closes the memberships and tells each member once; on its
``group_ended`` event (meetings/receivers.py) :func:`cancel_meetings_of_ended_group`
cancels every future meeting of the group, hand-moved ones and skipped ones included.
The rows stay (their ids are the calendar UIDs): each gets a higher SEQUENCE, the feed
shows it cancelled, and the calendar sweep sends a CANCEL to every invitee it had
invited, as it does for any cancelled meeting. Nobody gets a per-meeting email: the one
"group ended" email says it all. The series stops too: :mod:`meetings.services.schedule`
creates no meetings for an ended group.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from groups.models import Group, GroupStatus
from meetings.models import HotSeat, Meeting, MeetingStatus
from meetings.services.meetings import revise

GROUP_ENDED_REASON = "group ended"  # stored, not shown: cancel_reason of these meetings


def cancel_meetings_of_ended_group(*, group_id: int, now: dt.datetime | None = None) -> int:
    """Cancel the ended group's future meetings; returns how many. Safe to run again."""
    now = now or timezone.now()
    with transaction.atomic():
        group = Group.objects.select_for_update().filter(pk=group_id).first()
        if group is None or group.status != GroupStatus.ENDED:
            return 0
        rows = Meeting.objects.filter(group_id=group_id, starts_at__gt=now)
        ids = revise(
            meetings=rows.exclude(status=MeetingStatus.CANCELLED),
            now=now,
            status=MeetingStatus.CANCELLED,
            cancel_reason=GROUP_ENDED_REASON,
        )
        # Nobody presents at a meeting that will not happen.
        HotSeat.objects.filter(meeting_id__in=ids).delete()
    return len(ids)

"""The meetings app's public write API: views, admin, tasks and commands call only this.

The work lives in modules named for what they do, re-exported here:
``meetings`` (cancel and move by hand, membership changes, and ``revise*``: every change
to what a meeting's calendar event says bumps its SEQUENCE there), ``lifecycle`` (a
group's end), ``schedule`` (series sync, pauses, a group's agenda), ``agenda`` (agenda
templates: the default and an intake's own), ``hot_seat`` (rotation glue), ``attendance``
(can't come, preparation, commitments), ``swaps``, ``preferences`` (what a member wants
emailed, unsubscribe) and the reminder sweep (:mod:`meetings.reminders.sweep`).
"""

from meetings.reminders.sweep import sweep as sweep_reminders
from meetings.services import preferences
from meetings.services.agenda import set_intake_agenda
from meetings.services.attendance import (
    mark_absent,
    mark_commitment,
    mark_present,
    record_commitment,
    save_preparation,
)
from meetings.services.hot_seat import replan_group
from meetings.services.lifecycle import cancel_meetings_of_ended_group
from meetings.services.meetings import (
    cancel_meeting,
    move_meeting,
    on_membership_changed,
    revise,
    revise_for_departures,
    revise_group,
    revise_meeting,
    revise_presenter,
)
from meetings.services.schedule import (
    cancel_series,
    ensure_agenda,
    preview_sync,
    save_schedule,
    sync_after_pause_change,
    sync_all,
    sync_meetings,
)
from meetings.services.swaps import accept_swap, decline_swap, request_swap, withdraw_swap

__all__ = [
    "accept_swap",
    "cancel_meeting",
    "cancel_meetings_of_ended_group",
    "cancel_series",
    "decline_swap",
    "ensure_agenda",
    "mark_absent",
    "mark_commitment",
    "mark_present",
    "move_meeting",
    "on_membership_changed",
    "preferences",
    "preview_sync",
    "record_commitment",
    "replan_group",
    "request_swap",
    "revise",
    "revise_for_departures",
    "revise_group",
    "revise_meeting",
    "revise_presenter",
    "save_preparation",
    "save_schedule",
    "set_intake_agenda",
    "sweep_reminders",
    "sync_after_pause_change",
    "sync_all",
    "sync_meetings",
    "withdraw_swap",
]

"""The groups app's public write API: views, admin, tasks, commands and meetings call this.

* membership and groups (:mod:`groups.services.groups`): create groups from a proposal,
  add from the waitlist, move, leave, end, account deletion;
* :mod:`groups.services.applications`: the intake (double opt-in, edit, withdraw,
  decisions, the interest list);
* :mod:`groups.services.proposals`: the Django glue around the pure matching core;
* :mod:`groups.services.proposal_jobs`: computing a proposal in the background;
* :mod:`groups.services.retention`: deleting applications that led nowhere;
* :mod:`groups.services.renewal`: a group's term, the renewal question and the term's end.
"""

from groups.services import applications, proposal_jobs, proposals, renewal, retention
from groups.services.groups import (
    GroupsError,
    add_member_from_waitlist,
    close_memberships_of_deleted_account,
    create_groups,
    end_group,
    ensure_member_account,
    group_capacity,
    group_letter,
    leave_group,
    move_member,
    waitlist_candidates,
)

__all__ = [
    "GroupsError",
    "add_member_from_waitlist",
    "applications",
    "close_memberships_of_deleted_account",
    "create_groups",
    "end_group",
    "ensure_member_account",
    "group_capacity",
    "group_letter",
    "leave_group",
    "move_member",
    "proposal_jobs",
    "proposals",
    "renewal",
    "retention",
    "waitlist_candidates",
]

"""Django glue around the pure matching core: load, normalise, store and adjust a proposal.

Time slots
----------
Applicants give evenings as ``"tue-19"``: a meeting starting 19:00 on Tuesday *in their own
time zone*. Before matching, every slot is converted to the intake's zone, at the week of
the intake's deadline (so daylight-saving offsets are those of the weeks the groups start),
and keyed again as ``"<weekday>-<hour>"`` (``"tue-19:30"`` for half-hour zones). Two people
share a slot exactly when they can meet at the same absolute time. A slot that lands
outside the evening (say 16:00 in the intake's zone) still counts; it keeps its key.

Stored proposal (``Intake.proposal``)
-------------------------------------
A JSON object: ``groups`` (each with ``members``: application ids, ``shared_slots``,
``suggested_slot``, ``suggested_time``, ``shared_topics``, ``score``), ``waitlist``,
``warnings`` (``code``, ``applicant_ids``, ``params``; turned into sentences when shown, in
the viewer's language), ``proven_optimal`` and ``gap`` (how far from the best possible the
matching's answer may be, a fraction, or null) and the settings it was made with; ``job``
while one is computed in the background (groups.services.proposal_jobs). Organiser edits
(move, pin) rewrite it under a row lock on the intake and recompute what the edit touched.
"""

from __future__ import annotations

import datetime as dt
import math
import zoneinfo
from collections import Counter
from collections.abc import Iterable

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from groups import matching
from groups.models import Application, ApplicationStatus, Intake, MatchingPin, Membership, PinKind
from groups.slots import convert_slot, parse_slot, slot_sort_key

WAITLIST = "waitlist"
NEW_GROUP = "new"


class ProposalError(Exception):
    """An edit or action that cannot be done; the message is shown to the organiser."""


def reference_date(intake: Intake) -> dt.date:
    return timezone.localtime(intake.deadline, zoneinfo.ZoneInfo(intake.time_zone)).date()


# --------------------------------------------------------------------------- loading


def _topic_canon(applications: Iterable[Application]) -> dict[str, str]:
    """Case-insensitive topic identity; the first spelling seen is shown."""
    canon: dict[str, str] = {}
    for app in applications:
        for topic in app.all_topics:
            canon.setdefault(topic.strip().casefold(), topic.strip())
    return canon


def to_applicants(intake: Intake, applications: Iterable[Application]) -> list[matching.Applicant]:
    applications = list(applications)
    canon = _topic_canon(applications)
    ref = reference_date(intake)
    out = []
    for app in applications:
        slots = {
            convert_slot(s, from_zone=app.time_zone, to_zone=intake.time_zone, reference=ref)
            for s in app.availability
        }
        topics = {canon[t.strip().casefold()] for t in app.all_topics if t.strip()}
        out.append(
            matching.Applicant(
                id=app.pk,
                slots=frozenset(s for s in slots if s),
                topics=frozenset(topics),
                language=app.language,
            )
        )
    return out


def eligible_applications(intake: Intake):
    """Accepted applications with a confirmed email that were not withdrawn, nor placed
    already in an existing group (a free place after its term, groups.services.free_places)."""
    elsewhere = Membership.objects.current().exclude(group__intake_id=intake.pk)
    return (
        Application.objects.confirmed()
        .filter(intake=intake, status=ApplicationStatus.ACCEPTED)
        .exclude(pk__in=elsewhere.filter(application__isnull=False).values("application_id"))
    )


def pin_pairs(intake: Intake) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    apart, together = [], []
    for kind, first, second in MatchingPin.objects.filter(intake=intake).values_list(
        "kind", "first_id", "second_id"
    ):
        (apart if kind == PinKind.KEEP_APART else together).append((first, second))
    return apart, together


# --------------------------------------------------------------------------- storing


def _warning(w: matching.MatchWarning, code: str | None = None) -> dict:
    return {
        "code": code or w.code,
        "applicant_ids": list(w.applicant_ids),
        "params": dict(w.params),
    }


def _group_dict(members: list[matching.Applicant], intake: Intake) -> dict:
    members = sorted(members, key=lambda a: a.id)
    common = frozenset.intersection(*(a.slots for a in members)) if members else frozenset()
    shared = sorted(common, key=slot_sort_key)
    counts = Counter(t for a in members for t in a.topics)
    suggested = shared[0] if shared else None
    parsed = parse_slot(suggested) if suggested else None
    return {
        "members": [a.id for a in members],
        "shared_slots": shared,
        "suggested_slot": suggested,
        "suggested_time": (
            {"weekday": parsed[0], "start": f"{parsed[1]:02d}:{parsed[2]:02d}"} if parsed else None
        ),
        "shared_topics": sorted(t for t, n in counts.items() if n >= 2),
        "score": round(matching.group_score(members, topic_preference=intake.topic_preference), 2),
    }


def build_proposal(intake: Intake, *, allow_off_size: bool = False) -> dict:
    """Match the intake's eligible applicants into a new proposal, without storing it.
    Reads only; takes up to the matching's time limit (groups.services.proposal_jobs)."""
    applicants = to_applicants(intake, eligible_applications(intake))
    by_id = {a.id: a for a in applicants}
    apart, together = pin_pairs(intake)
    result = matching.propose_groups(
        applicants,
        min_size=intake.min_group_size,
        max_size=intake.max_group_size,
        keep_apart=apart,
        keep_together=together,
        topic_preference=intake.topic_preference,
        allow_off_size=allow_off_size,
    )
    return {
        "version": 1,
        "made_at": timezone.now().isoformat(),
        "edited": False,
        "allow_off_size": allow_off_size,
        "time_zone": intake.time_zone,
        "reference_date": reference_date(intake).isoformat(),
        "groups": [_group_dict([by_id[i] for i in g.member_ids], intake) for g in result.groups],
        "waitlist": list(result.waitlist),
        "warnings": [_warning(w) for w in result.warnings],
        "run_warnings": [_warning(w) for w in result.warnings],
        "proven_optimal": result.proven_optimal,
        "gap": result.gap,
    }


def run_matching(*, intake: Intake, allow_off_size: bool = False) -> dict:
    """(Re-)propose groups at once and store the proposal (the demo data; the organiser's
    page computes in the background, groups.services.proposal_jobs). Creates no groups."""
    with transaction.atomic():
        intake = Intake.objects.select_for_update().get(pk=intake.pk)
        refuse_if_created(intake)
        intake.proposal = build_proposal(intake, allow_off_size=allow_off_size)
        intake.save(update_fields=["proposal", "updated_at"])
        return intake.proposal


def has_groups(proposal: dict | None) -> bool:
    """Whether a proposal was computed (a stored one may hold only a background job)."""
    return bool(proposal) and "groups" in proposal


def refuse_if_created(intake: Intake) -> None:
    if intake.groups_created_at is not None:
        raise ProposalError(_("The groups of this intake have already been created."))


PIN_CODES = frozenset({"keep_apart_violated", "keep_together_violated"})


def _recompute(intake: Intake, proposal: dict) -> dict:
    """Refresh groups and validity warnings after a hand edit or a pin change.

    Until someone is moved by hand, the matching's own explanations (why people wait, why
    sizes do not work out) stay and only broken pins are added; after a move, the checks
    of the edited grouping replace them.
    """
    groups = [g["members"] for g in proposal["groups"] if g["members"]]
    ids = [i for g in groups for i in g] + list(proposal["waitlist"])
    apps = Application.objects.filter(intake=intake, pk__in=ids)
    by_id = {a.id: a for a in to_applicants(intake, apps)}
    apart, together = pin_pairs(intake)
    checks = matching.check_groups(
        by_id.values(),
        groups,
        min_size=intake.min_group_size,
        max_size=intake.max_group_size,
        keep_apart=apart,
        keep_together=together,
    )
    run_warnings = proposal.get("run_warnings", proposal["warnings"])
    waitlist = sorted(proposal["waitlist"])
    if not proposal.get("edited"):
        warnings = [*run_warnings, *(_warning(w) for w in checks if w.code in PIN_CODES)]
    else:
        warnings = []  # the checks also report the input's own (keep_together_unsatisfiable)
        for w in checks:
            code = "group_no_shared_slot" if w.code == "no_shared_slot" else w.code
            warnings.append(_warning(w, code))
        if waitlist:
            warnings.append({"code": "waitlisted", "applicant_ids": waitlist, "params": {}})
    return {
        **proposal,
        "groups": [_group_dict([by_id[i] for i in g if i in by_id], intake) for g in groups],
        "waitlist": waitlist,
        "warnings": warnings,
    }


def _edit_locked(intake: Intake, edit) -> dict:
    with transaction.atomic():
        intake = Intake.objects.select_for_update().get(pk=intake.pk)
        refuse_if_created(intake)
        if not has_groups(intake.proposal):
            raise ProposalError(_("There is no proposal yet. Propose groups first."))
        proposal = edit(intake, intake.proposal)
        intake.proposal = _recompute(intake, proposal)
        intake.save(update_fields=["proposal", "updated_at"])
        return intake.proposal


def move_applicant(*, intake: Intake, application_id: int, target: str | int) -> dict:
    """Move one person to group ``target`` (index), ``NEW_GROUP`` or ``WAITLIST``."""

    def edit(intake: Intake, proposal: dict) -> dict:
        groups = [list(g["members"]) for g in proposal["groups"]]
        waitlist = list(proposal["waitlist"])
        if application_id not in waitlist and not any(application_id in g for g in groups):
            raise ProposalError(_("This person is not part of the proposal. Re-run it first."))
        if target not in (WAITLIST, NEW_GROUP) and not (
            isinstance(target, int) and 0 <= target < len(groups)
        ):
            raise ProposalError(_("That group does not exist (any more)."))
        groups = [[i for i in g if i != application_id] for g in groups]
        waitlist = [i for i in waitlist if i != application_id]
        if target == WAITLIST:
            waitlist.append(application_id)
        elif target == NEW_GROUP:
            groups.append([application_id])
        else:
            groups[target].append(application_id)
        groups_out = [{"members": g} for g in groups]
        return {**proposal, "edited": True, "groups": groups_out, "waitlist": waitlist}

    return _edit_locked(intake, edit)


def pin_pair(*, intake: Intake, first_id: int, second_id: int, kind: str) -> MatchingPin:
    """Pin two applicants apart or together (replacing an earlier pin of the pair)."""
    if first_id == second_id:
        raise ProposalError(_("Choose two different people."))
    if kind not in PinKind.values:
        raise ProposalError(_("Unknown kind of pin."))
    low, high = sorted((first_id, second_id))
    if Application.objects.filter(intake=intake, pk__in=(low, high)).count() != 2:
        raise ProposalError(_("Both people must have applied to this intake."))
    with transaction.atomic():
        pin, _created = MatchingPin.objects.update_or_create(
            intake=intake, first_id=low, second_id=high, defaults={"kind": kind}
        )
        _refresh_warnings(intake)
    return pin


def unpin(*, pin: MatchingPin) -> None:
    with transaction.atomic():
        intake = pin.intake
        pin.delete()  # a pin is a wish for the next run, not history
        _refresh_warnings(intake)


def _refresh_warnings(intake: Intake) -> None:
    """Show at once whether the current proposal breaks the new pins."""
    locked = Intake.objects.select_for_update().get(pk=intake.pk)
    if has_groups(locked.proposal) and locked.groups_created_at is None:
        _edit_locked(locked, lambda _intake, proposal: proposal)


# --------------------------------------------------------------------------- warnings


_REASONS = {
    "too_large": lambda: _("more people than fit in one group"),
    "no_shared_slot": lambda: _("no common evening"),
    "keep_apart": lambda: _("a keep-apart pin between them"),
}


def quality_note(proposal: dict) -> str | None:
    """How good the matching's answer is, for the proposal page; None once edited by hand
    (or for a proposal stored before the matching said)."""
    if proposal.get("edited") or "proven_optimal" not in proposal:
        return None
    if proposal["proven_optimal"]:
        return _("Best possible grouping: no other grouping places more people or fits better.")
    gap = proposal.get("gap")
    if gap is None:
        return _("Good grouping, not proven to be the best possible.")
    percent = max(math.ceil(gap * 1000) / 10, 0.1)  # rounded up: "within" stays true
    return _("Good grouping, not proven best: within %(percent)s%% of the best possible.") % {
        "percent": formats.number_format(percent, 1)
    }


def describe_warning(warning: dict, names: dict[int, str]) -> str:
    """One warning as a sentence in the active language, naming the people."""
    ids = warning.get("applicant_ids", [])
    p = dict(warning.get("params", {}))
    values = {
        **p,
        "names": ", ".join(names.get(i, f"#{i}") for i in ids),
        "count": len(ids),
    }
    code = warning.get("code")
    if code == "keep_together_unsatisfiable":
        reason = _REASONS.get(str(p.get("reason")))
        values["reason"] = reason() if reason else str(p.get("reason", ""))
    text = _warning_template(code, values)
    try:
        return text % values
    except (KeyError, TypeError, ValueError):
        return f"{code}: {values['names']}"


def _warning_template(code: str | None, values: dict) -> str:
    n = int(values.get("n") or values["count"] or 0)
    templates = {
        "too_few": ngettext(
            "Only %(n)s accepted applicant; a group needs at least %(min_size)s. "
            "Everyone stays on the waitlist.",
            "Only %(n)s accepted applicants; a group needs at least %(min_size)s. "
            "Everyone stays on the waitlist.",
            n,
        ),
        "size_infeasible": _(
            "%(n)s people cannot be split into groups of %(min_size)s to %(max_size)s people; "
            "%(waitlisted)s of them must wait."
        ),
        "waitlisted": _("On the waitlist, without a place in a group that fits: %(names)s."),
        "no_shared_slot": _(
            "No evening shared with at least %(min_size)s people, so no group is possible "
            "for: %(names)s."
        ),
        "group_no_shared_slot": _("The group of %(names)s has no evening in common."),
        "off_size_group": _(
            "The group of %(names)s has %(size)s members, outside %(min_size)s to %(max_size)s."
        ),
        "keep_apart_violated": _("%(names)s should be kept apart but are in the same group."),
        "keep_together_violated": _(
            "%(names)s should be kept together but are not in the same group."
        ),
        "keep_together_unsatisfiable": _(
            "%(names)s cannot be kept together (%(reason)s); they were matched one by one."
        ),
        "not_in_proposal": _(
            "Accepted after this proposal was made, not placed yet: %(names)s. "
            "Propose again to include them."
        ),
        "no_longer_eligible": _(
            "No longer accepted, or withdrawn, since this proposal was made: %(names)s. "
            "Move them to the waitlist or propose again."
        ),
    }
    return templates.get(code, "%(names)s")


def stale_warnings(intake: Intake, proposal: dict) -> list[dict]:
    """Differences between the stored proposal and the applications as they are now."""
    current = set(eligible_applications(intake).values_list("pk", flat=True))
    grouped = {i for g in proposal.get("groups", []) for i in g["members"]}
    listed = grouped | set(proposal.get("waitlist", []))
    out = []
    if gone := sorted(grouped - current):
        out.append({"code": "no_longer_eligible", "applicant_ids": gone, "params": {}})
    if new := sorted(current - listed):
        out.append({"code": "not_in_proposal", "applicant_ids": new, "params": {}})
    return out

"""Staff pages the admin links to: the group proposal of an intake, and managing a group."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from groups import selectors, services, slots
from groups.forms.groups import (
    AddFromWaitlistForm,
    EndGroupForm,
    MoveApplicantForm,
    MoveMemberForm,
    PinForm,
    RunMatchingForm,
)
from groups.models import Application, Group, Intake, MatchingPin, RenewalAnswer, TopicPreference
from groups.services import proposal_jobs, proposals
from groups.services.evenings import evening_label, evenings_of

# --------------------------------------------------------------------------- proposal page


@dataclass
class MemberRow:
    application: Application
    local_time: str | None  # the suggested time in the member's own zone, if it differs


@dataclass
class GroupCard:
    index: int
    letter: str
    rows: list[MemberRow]
    shared_slots: list[str]
    suggested: str | None
    shared_topics: list[str]
    score: float
    size_ok: bool
    warnings: list[str] = field(default_factory=list)


def _cards(intake: Intake, proposal: dict, apps: dict[int, Application]) -> list[GroupCard]:
    ref = proposals.reference_date(intake)
    cards = []
    for index, plan in enumerate(proposal.get("groups", [])):
        slot = plan.get("suggested_slot")
        rows = []
        for pk in plan["members"]:
            app = apps.get(pk)
            if app is None:
                continue
            local = None
            if slot and app.time_zone != intake.time_zone:
                there = slots.convert_slot(
                    slot, from_zone=intake.time_zone, to_zone=app.time_zone, reference=ref
                )
                if there and there != slot:
                    local = f"{slots.slot_label(there)} ({app.time_zone})"
            rows.append(MemberRow(app, local))
        size = len(plan["members"])
        cards.append(
            GroupCard(
                index=index,
                letter=services.group_letter(index),
                rows=rows,
                shared_slots=[slots.slot_label(s) for s in plan.get("shared_slots", [])],
                suggested=slots.slot_label(slot) if slot else None,
                shared_topics=plan.get("shared_topics", []),
                score=plan.get("score", 0),
                size_ok=intake.min_group_size <= size <= intake.max_group_size,
                warnings=_card_warnings(intake, plan),
            )
        )
    return cards


def _card_warnings(intake: Intake, plan: dict) -> list[str]:
    if intake.topic_preference == TopicPreference.SIMILAR and not plan.get("shared_topics"):
        return [_("No topic is shared by two members, though this intake groups similar topics.")]
    return []


@dataclass
class FreeGroup:
    group: Group
    free: int
    evening: str  # "Thursday 19:00 (Europe/Berlin)", or "" without a schedule


def _free_groups() -> list[FreeGroup]:
    """Existing groups with free places after their term, to top up from this intake."""
    groups = list(selectors.groups_with_free_places())
    evenings = evenings_of([g.pk for g in groups]) if groups else {}
    return [
        FreeGroup(group=g, free=g.n_free, evening=evening_label(evenings.get(g.pk))) for g in groups
    ]


def _proposal_context(intake: Intake) -> dict:
    apps = {a.pk: a for a in Application.objects.filter(intake=intake)}
    names = {pk: a.name for pk, a in apps.items()}
    job = proposal_jobs.job_state(intake.proposal)
    # A stored proposal may hold only a background job (the first one still computing).
    proposal = intake.proposal if proposals.has_groups(intake.proposal) else {}
    in_proposal = {i for g in proposal.get("groups", []) for i in g["members"]}
    in_proposal |= set(proposal.get("waitlist", []))
    eligible = set(proposals.eligible_applications(intake).values_list("pk", flat=True))
    # Before a proposal exists, nobody is missing from it: no warnings then.
    stale = proposals.stale_warnings(intake, proposal) if proposal else []
    warnings = [*proposal.get("warnings", []), *stale]
    cards = _cards(intake, proposal, apps)
    return {
        "intake": intake,
        "proposal": proposal,
        "cards": cards,
        "waitlist": [
            (apps[i], slots.availability_summary(apps[i].availability, apps[i].time_zone))
            for i in proposal.get("waitlist", [])
            if i in apps
        ],
        "warnings": [proposals.describe_warning(w, names) for w in warnings],
        "quality_note": proposals.quality_note(proposal) if proposal else None,
        "job": job,
        "computing": job == proposal_jobs.COMPUTING,
        "eligible_count": len(eligible),
        "pins": MatchingPin.objects.filter(intake=intake).select_related("first", "second"),
        "run_form": RunMatchingForm(initial={"allow_off_size": proposal.get("allow_off_size")}),
        "move_form": MoveApplicantForm(
            names={i: names[i] for i in in_proposal if i in names}, group_count=len(cards)
        ),
        "pin_form": PinForm(names={i: names[i] for i in eligible | in_proposal if i in names}),
        "created_groups": intake.groups.order_by("name") if intake.groups_created_at else [],
        "free_groups": _free_groups(),
    }


@staff_member_required
@require_GET
def intake_proposal(request: HttpRequest, pk: int) -> HttpResponse:
    intake = get_object_or_404(Intake, pk=pk)
    return render(request, "groups/organise/proposal.html", _proposal_context(intake))


def _back(intake: Intake) -> HttpResponse:
    return redirect("groups:intake_proposal", pk=intake.pk)


def _form_errors(request: HttpRequest, form) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


@staff_member_required
@require_POST
def proposal_run(request: HttpRequest, pk: int) -> HttpResponse:
    """Start computing a proposal in the background; the page shows how far it is."""
    intake = get_object_or_404(Intake, pk=pk)
    form = RunMatchingForm(request.POST)
    form.is_valid()
    try:
        started = proposal_jobs.request_proposal(
            intake=intake, allow_off_size=form.cleaned_data.get("allow_off_size", False)
        )
    except proposals.ProposalError as error:
        messages.error(request, str(error))
    else:
        if not started:  # a double click, or a second organiser
            messages.info(request, _("The proposal is already being computed."))
    return _back(intake)


def _names_in(intake: Intake, ids) -> dict[int, str]:
    return dict(Application.objects.filter(intake=intake, pk__in=ids).values_list("pk", "name"))


@staff_member_required
@require_POST
def proposal_move(request: HttpRequest, pk: int) -> HttpResponse:
    intake = get_object_or_404(Intake, pk=pk)
    proposal = intake.proposal or {}
    ids = [i for g in proposal.get("groups", []) for i in g["members"]]
    ids += proposal.get("waitlist", [])
    form = MoveApplicantForm(
        request.POST, names=_names_in(intake, ids), group_count=len(proposal.get("groups", []))
    )
    if not form.is_valid():
        _form_errors(request, form)
        return _back(intake)
    try:
        proposals.move_applicant(
            intake=intake,
            application_id=form.cleaned_data["applicant"],
            target=form.cleaned_data["target"],
        )
    except proposals.ProposalError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Moved. Shared evenings and warnings are updated."))
    return _back(intake)


@staff_member_required
@require_POST
def proposal_pin(request: HttpRequest, pk: int) -> HttpResponse:
    intake = get_object_or_404(Intake, pk=pk)
    form = PinForm(request.POST, names=dict(intake.applications.values_list("pk", "name")))
    if not form.is_valid():
        _form_errors(request, form)
        return _back(intake)
    try:
        proposals.pin_pair(
            intake=intake,
            first_id=form.cleaned_data["first"],
            second_id=form.cleaned_data["second"],
            kind=form.cleaned_data["kind"],
        )
    except proposals.ProposalError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Pinned. Propose again to apply it to the groups."))
    return _back(intake)


@staff_member_required
@require_POST
def proposal_unpin(request: HttpRequest, pk: int, pin_pk: int) -> HttpResponse:
    pin = get_object_or_404(MatchingPin, pk=pin_pk, intake_id=pk)
    proposals.unpin(pin=pin)
    messages.success(request, _("Pin removed."))
    return _back(pin.intake)


# --------------------------------------------------------------------------- one group


def _renewal_answers(group: Group, current: list) -> dict | None:
    """Who continues after the term, who leaves, who has not answered (None: no term)."""
    if group.term_ends_on is None:
        return None
    by_answer = {answer: [m for m in current if m.renewal_answer == answer] for answer in
                 (RenewalAnswer.CONTINUE, RenewalAnswer.LEAVE, "")}  # fmt: skip
    return {
        "asked_from": services.renewal.question_opens_on(group),
        "continuing": by_answer[RenewalAnswer.CONTINUE],
        "leaving": by_answer[RenewalAnswer.LEAVE],
        "unanswered": by_answer[""],
    }


def _group_context(group: Group, **forms) -> dict:
    history = group.memberships.select_related("user", "application").order_by("joined_at", "pk")
    current = [m for m in history if m.is_current]
    return {
        "group": group,
        "current": current,
        "history": [m for m in history if not m.is_current],
        "capacity": services.group_capacity(group),
        "renewal": _renewal_answers(group, current),
        "add_form": forms.get("add_form") or AddFromWaitlistForm(group=group),
        "move_form": forms.get("move_form") or MoveMemberForm(group=group),
        "end_form": forms.get("end_form") or EndGroupForm(),
    }


@staff_member_required
@require_http_methods(["GET", "POST"])
def group_manage(request: HttpRequest, pk: int) -> HttpResponse:
    """GET shows the group; POST with ``action`` = add / move / end goes through a service."""
    group = get_object_or_404(Group.objects.select_related("intake"), pk=pk)
    if request.method != "POST":
        return render(request, "groups/organise/group.html", _group_context(group))
    action = request.POST.get("action")
    forms = {
        "add": ("add_form", AddFromWaitlistForm(request.POST, group=group)),
        "move": ("move_form", MoveMemberForm(request.POST, group=group)),
        "end": ("end_form", EndGroupForm(request.POST)),
    }
    if action not in forms:
        return redirect("groups:group_manage", pk=group.pk)
    name, form = forms[action]
    if form.is_valid():
        try:
            _apply(request, action, group, form.cleaned_data)
        except services.GroupsError as error:
            messages.error(request, str(error))
        else:
            return redirect("groups:group_manage", pk=group.pk)
    context = _group_context(group, **{name: form})
    return render(request, "groups/organise/group.html", context, status=400)


def _apply(request: HttpRequest, action: str, group: Group, data: dict) -> None:
    if action == "add":
        services.add_member_from_waitlist(
            group=group, application=data["application"], by=request.user
        )
        messages.success(request, _("Added to the group; a welcome email is on its way."))
    elif action == "move":
        services.move_member(
            membership=data["membership"], to_group=data["to_group"], by=request.user
        )
        messages.success(request, _("Moved; the history keeps both memberships."))
    else:
        services.end_group(group=group)
        messages.success(request, _("The group has ended."))


urlpatterns = [
    path("organise/intakes/<int:pk>/proposal/", intake_proposal, name="intake_proposal"),
    path("organise/intakes/<int:pk>/proposal/run/", proposal_run, name="proposal_run"),
    path("organise/intakes/<int:pk>/proposal/move/", proposal_move, name="proposal_move"),
    path("organise/intakes/<int:pk>/proposal/pin/", proposal_pin, name="proposal_pin"),
    path(
        "organise/intakes/<int:pk>/proposal/pins/<int:pin_pk>/delete/",
        proposal_unpin,
        name="proposal_unpin",
    ),
    path("organise/groups/<int:pk>/", group_manage, name="group_manage"),
]

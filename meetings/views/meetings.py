"""Member pages for meetings, and the organiser's overview. Thin: parse, call, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from groups.models import Group
from meetings import agenda, rules, selectors, services
from meetings.choices import MeetingRole
from meetings.forms.meetings import AbsenceForm, CommitmentForm, PreparationForm, SwapRequestForm
from meetings.models import Commitment, Preparation, SwapRequest


def _errors(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@login_required
@require_GET
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_for_member(user=request.user, pk=pk)
    context = selectors.meeting_detail_context(meeting=meeting, user=request.user)
    context |= {"absence_form": AbsenceForm(), "commitment_form": CommitmentForm()}
    return render(request, "meetings/meeting_detail.html", context)


@login_required
@require_GET
def run_meeting(request: HttpRequest, pk: int) -> HttpResponse:
    """The facilitator's view: the agenda block by block, with what each block needs."""
    meeting = selectors.meeting_for_member(user=request.user, pk=pk)
    context = selectors.meeting_detail_context(meeting=meeting, user=request.user)
    context |= agenda.run_context(
        meeting=context["meeting"],
        presenters=context["meeting"].presenters,
        previous=context["previous_meeting"],
    )
    context["commitment_form"] = CommitmentForm()
    return render(request, "meetings/meeting_run.html", context)


@login_required
@require_POST
def absence(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_for_member(user=request.user, pk=pk)
    form = AbsenceForm(request.POST)
    try:
        if request.POST.get("coming"):
            services.mark_present(meeting=meeting, user=request.user)
            messages.success(request, _("Good to have you there."))
        elif form.is_valid():
            presented = rules.presents(user=request.user, meeting=meeting)
            services.mark_absent(meeting=meeting, user=request.user, note=form.cleaned_data["note"])
            messages.success(request, _absence_noted(meeting, presented=presented))
        else:
            for field_errors in form.errors.values():
                for message in field_errors:
                    messages.error(request, message)
    except ValidationError as error:
        _errors(request, error)
    return redirect(meeting)


def _absence_noted(meeting, *, presented: bool) -> str:
    """The confirmation of "I can't come"; a presenter learns who presents instead."""
    if not presented:
        return _("Noted: you can't come. The group can see it.")
    names = [user.first_name for user in selectors.presenters_of(meeting)]
    if not names:
        return _("Noted: you can't come. Nobody else can take the hot seat that evening.")
    return _("Noted: you can't come. %(names)s presents instead; the group can see it.") % {
        "names": ", ".join(names)
    }


@login_required
@require_http_methods(["GET", "POST"])
def prepare(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_for_member(user=request.user, pk=pk)
    if not rules.presents(user=request.user, meeting=meeting):
        raise PermissionDenied
    instance = Preparation.objects.filter(meeting=meeting, user=request.user).first()
    form = PreparationForm(request.POST if request.method == "POST" else None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_preparation(meeting=meeting, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            _errors(request, error)
        else:
            messages.success(request, _("Your preparation is saved; your group can read it."))
            return redirect(meeting)
    return render(request, "meetings/meeting_prepare.html", {"meeting": meeting, "form": form})


@login_required
@require_POST
def commit(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_for_member(user=request.user, pk=pk)
    form = CommitmentForm(request.POST)
    if form.is_valid():
        try:
            services.record_commitment(
                meeting=meeting, user=request.user, text=form.cleaned_data["text"]
            )
            messages.success(request, _("Your commitment is saved."))
        except ValidationError as error:
            _errors(request, error)
    else:
        messages.error(request, _("Please write down your commitment."))
    return _back(request, meeting.pk)


@login_required
@require_POST
def mark_commitment(request: HttpRequest, pk: int) -> HttpResponse:
    commitment = get_object_or_404(Commitment.objects.select_related("meeting"), pk=pk)
    selectors.meeting_for_member(user=request.user, pk=commitment.meeting_id)
    done = request.POST.get("done") == "1"
    services.mark_commitment(commitment=commitment, user=request.user, done=done)
    if done:
        message = _("Marked as done: “%(text)s”.") % {"text": commitment.text}
    else:
        message = _("Marked as not done: “%(text)s”.") % {"text": commitment.text}
    messages.success(request, message)
    back = request.POST.get("meeting")
    # isdecimal, not isdigit: "²" is a digit that int() refuses; and int() refuses
    # strings of more than 4,300 digits.
    if back and back.isdecimal() and len(back) <= 18:
        return _back(request, int(back))
    return redirect(commitment.meeting)


def _back(request: HttpRequest, meeting_pk: int) -> HttpResponse:
    """Back to the meeting page, or to its facilitator view if the form came from there."""
    page = (
        "meetings:run_meeting" if request.POST.get("from") == "run" else "meetings:meeting_detail"
    )
    return redirect(page, pk=meeting_pk)


@login_required
@require_http_methods(["GET", "POST"])
def swap_request(request: HttpRequest, pk: int, role: str = "") -> HttpResponse:
    """Ask another member to swap: my hot seat (or my turn in ``role``) at meeting ``pk`` for
    theirs."""
    meeting = selectors.meeting_for_member(user=request.user, pk=pk)
    if role and role not in MeetingRole.values:
        raise Http404
    mine = (
        rules.holds_role(user=request.user, meeting=meeting, role=role)
        if role
        else rules.presents(user=request.user, meeting=meeting)
    )
    if not mine:
        raise Http404
    options = selectors.swap_options(meeting=meeting, user=request.user, role=role)
    form = SwapRequestForm(request.POST if request.method == "POST" else None, options=options)
    if request.method == "POST" and form.is_valid():
        target = form.cleaned_data["target"]
        try:
            services.request_swap(
                requester=request.user,
                requester_meeting=meeting,
                responder=target.user,
                responder_meeting=target.meeting,
                role=role,
            )
        except ValidationError as error:
            _errors(request, error)
        else:
            messages.success(request, _("Your request is sent. We'll email you the answer."))
            return redirect(meeting)
    context = {
        "meeting": meeting,
        "form": form,
        "role": MeetingRole(role).label if role else "",
    }
    return render(request, "meetings/swap_request.html", context)


@login_required
@require_GET
def swaps(request: HttpRequest) -> HttpResponse:
    pending = selectors.pending_swaps_for(user=request.user)
    return render(request, "meetings/swaps.html", {"swaps": pending})


@login_required
@require_POST
def swap_answer(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    swap = get_object_or_404(SwapRequest, pk=pk)
    if request.user.pk not in (swap.requester_id, swap.responder_id):
        raise Http404
    actions = {
        "accept": (services.accept_swap, _("Swapped. Both of you get an email.")),
        "decline": (services.decline_swap, _("Declined. We'll let them know.")),
        "withdraw": (services.withdraw_swap, _("Your request is withdrawn.")),
    }
    if action not in actions:
        raise Http404
    service, done = actions[action]
    try:
        service(swap=swap, by=request.user)
        messages.success(request, done)
    except ValidationError as error:
        _errors(request, error)
    return redirect("meetings:swaps")


@login_required
@require_GET
def group_meetings(request: HttpRequest, pk: int) -> HttpResponse:
    group = get_object_or_404(Group, pk=pk)
    if not rules.may_see_group(user=request.user, group_id=group.pk):
        raise Http404
    context = selectors.group_meetings_context(group=group, user=request.user)
    return render(request, "meetings/meeting_list.html", context)


@staff_member_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    return render(request, "meetings/overview.html", selectors.overview_context())


urlpatterns = [
    path("meetings/<int:pk>/", meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/run/", run_meeting, name="run_meeting"),
    path("meetings/<int:pk>/absence/", absence, name="absence"),
    path("meetings/<int:pk>/prepare/", prepare, name="prepare"),
    path("meetings/<int:pk>/commit/", commit, name="commit"),
    path("meetings/<int:pk>/swap/", swap_request, name="swap_request"),
    path("meetings/<int:pk>/swap/<slug:role>/", swap_request, name="swap_role"),
    path("meetings/swaps/", swaps, name="swaps"),
    path("meetings/swaps/<int:pk>/<slug:action>/", swap_answer, name="swap_answer"),
    path("commitments/<int:pk>/mark/", mark_commitment, name="mark_commitment"),
    path("groups/<int:pk>/meetings/", group_meetings, name="group_meetings"),
    path("organise/meetings/", overview, name="overview"),
]

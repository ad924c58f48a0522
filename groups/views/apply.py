"""Public pages of the intake: apply, confirm, edit or withdraw, and the interest list.

Thin views: parse the form, call a service in ``groups/applications.py``, render.
Every answer to a submitted form is the same whether the address was new, known, or
a robot's (honeypot), so the pages reveal nothing about who applied.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from groups import signing
from groups.forms.apply import ApplicationForm, EditApplicationForm, InterestForm
from groups.markdown import render_markdown
from groups.models import Application, Intake, Membership
from groups.notifications.intake import manage_urls
from groups.selectors import open_intakes, upcoming_intakes
from groups.services import applications
from mastermind.core import ratelimit
from mastermind.core.middleware import visitor_time_zone

# (submissions, seconds) per client address. Generous for people, a wall for scripts.
APPLY_RATE = (10, 3600)
INTEREST_RATE = (10, 3600)
GET_POST = require_http_methods(["GET", "POST"])


def _over_limit(request: HttpRequest, scope: str, rate: tuple[int, int]) -> HttpResponse | None:
    limit, period = rate
    if ratelimit.hit(scope, ratelimit.client_ip(request), limit, period):
        return None
    return ratelimit.rate_limited(request, period=period)


def _interest_form(request: HttpRequest) -> InterestForm:
    return InterestForm(initial={"language": get_language()})


@require_GET
def intake_list(request: HttpRequest) -> HttpResponse:
    intakes = list(open_intakes())
    if len(intakes) == 1:
        return redirect(intakes[0])
    context = {"intakes": intakes, "upcoming": [], "interest_form": None}
    if not intakes:
        context["upcoming"] = list(upcoming_intakes()[:5])
        context["interest_form"] = _interest_form(request)
    return render(request, "groups/apply/intake_list.html", context)


def _intake_page(
    request: HttpRequest, intake: Intake, form: ApplicationForm | None, *, status: int = 200
) -> HttpResponse:
    now = timezone.now()
    is_open = intake.is_open(now)
    context = {
        "intake": intake,
        "pitch_html": render_markdown(intake.pitch),
        "is_open": is_open,
        "not_open_yet": now < intake.opens_at,
        "form": form if is_open else None,
        "interest_form": None if is_open else _interest_form(request),
        # A closed intake points to the ones open right now first, the interest list second.
        "open_elsewhere": [] if is_open else list(open_intakes(now=now).exclude(pk=intake.pk)),
        "refused": status == 403,
    }
    return render(request, "groups/apply/intake_detail.html", context, status=status)


@GET_POST
def apply(request: HttpRequest, slug: str) -> HttpResponse:
    intake = get_object_or_404(Intake, slug=slug)
    if request.method == "GET":
        initial = {"time_zone": visitor_time_zone(request), "language": get_language()}
        return _intake_page(request, intake, ApplicationForm(intake=intake, initial=initial))
    if limited := _over_limit(request, "apply", APPLY_RATE):
        return limited
    form = ApplicationForm(request.POST, intake=intake)
    if form.is_spam():
        return redirect("groups:apply_thanks", slug=intake.slug)
    if not intake.is_open():
        return _intake_page(request, intake, None, status=403)
    if not form.is_valid():
        return _intake_page(request, intake, form)
    try:
        applications.submit_application(intake=intake, data=form.cleaned_data)
    except applications.IntakeClosed:  # the deadline passed while the form was validated
        return _intake_page(request, intake, None, status=403)
    return redirect("groups:apply_thanks", slug=intake.slug)


@require_GET
def apply_thanks(request: HttpRequest, slug: str) -> HttpResponse:
    intake = get_object_or_404(Intake, slug=slug)
    return render(request, "groups/apply/thanks.html", {"intake": intake})


def _bad_link(request: HttpRequest, error: signing.BadToken) -> HttpResponse:
    return render(
        request,
        "groups/apply/link_invalid.html",
        {"expired": error.expired},
        status=410 if error.expired else 404,
    )


def _closed_for_changes(request: HttpRequest, application: Application) -> HttpResponse:
    context = {"intake": application.intake}
    return render(request, "groups/apply/closed_for_changes.html", context, status=410)


def _placed(request: HttpRequest, membership: Membership) -> HttpResponse:
    """The application led to a place in a group: the link changes nothing any more."""
    context = {
        "membership": membership,
        "group": membership.group,
        "is_current": membership.is_current,
        "leave_url": reverse("groups:leave_group", kwargs={"pk": membership.group_id}),
        "delete_account_url": reverse("privacy_delete"),
    }
    status = 409 if request.method == "POST" else 200
    return render(request, "groups/apply/placed.html", context, status=status)


@GET_POST
def application_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button, POST confirms: mail scanners that open links confirm nothing."""
    try:
        if request.method == "GET":
            signing.read(signing.APPLICATION_CONFIRM, token, max_age=signing.CONFIRM_MAX_AGE)
            return render(request, "groups/apply/confirm.html", {"confirmed": None})
        application = applications.confirm_application(token=token)
    except signing.BadToken as error:
        return _bad_link(request, error)
    context = {
        "confirmed": application,
        "intake": application.intake,
        "open_for_changes": timezone.now() < application.intake.deadline,
        **manage_urls(application),
    }
    return render(request, "groups/apply/confirm.html", context)


@GET_POST
def application_edit(request: HttpRequest, token: str) -> HttpResponse:
    try:
        application = applications.application_for_manage_token(token=token)
    except signing.BadToken as error:
        return _bad_link(request, error)
    if (membership := applications.placement(application)) is not None:
        return _placed(request, membership)
    intake = application.intake
    if timezone.now() >= intake.deadline:
        return _closed_for_changes(request, application)
    kwargs = {"intake": intake, "extra_topics": application.topics}
    if request.method == "GET":
        initial = {name: getattr(application, name) for name in applications.EDITABLE_FIELDS}
        form = EditApplicationForm(initial=initial, **kwargs)
    else:
        if limited := _over_limit(request, "apply", APPLY_RATE):
            return limited
        form = EditApplicationForm(request.POST, **kwargs)
        if not form.is_spam() and form.is_valid():
            try:
                applications.update_application(application=application, data=form.cleaned_data)
            except applications.IntakeClosed:
                return _closed_for_changes(request, application)
            except applications.ApplicationPlaced as placed:
                return _placed(request, placed.membership)
            messages.success(request, _("Your changes are saved."))
            return redirect(request.path)
    context = {"application": application, "intake": intake, "form": form}
    return render(request, "groups/apply/edit.html", {**context, **manage_urls(application)})


@GET_POST
def application_withdraw(request: HttpRequest, token: str) -> HttpResponse:
    try:
        application = applications.application_for_manage_token(token=token)
    except signing.BadToken as error:
        return _bad_link(request, error)
    if (membership := applications.placement(application)) is not None:
        return _placed(request, membership)
    intake = application.intake
    if timezone.now() >= intake.deadline:
        return _closed_for_changes(request, application)
    if request.method == "GET":
        context = {"application": application, "intake": intake}
        return render(request, "groups/apply/withdraw.html", context)
    try:
        applications.withdraw_application(application=application)
    except applications.IntakeClosed:
        return _closed_for_changes(request, application)
    except applications.ApplicationPlaced as placed:  # placed since the page was checked
        return _placed(request, placed.membership)
    return render(request, "groups/apply/withdrawn.html", {"intake": intake})


@GET_POST
def interest(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        form = _interest_form(request)
    else:
        if limited := _over_limit(request, "interest", INTEREST_RATE):
            return limited
        form = InterestForm(request.POST)
        if form.is_spam():
            return redirect("groups:interest_thanks")
        if form.is_valid():
            applications.join_interest_list(
                email=form.cleaned_data["email"], language=form.cleaned_data["language"]
            )
            return redirect("groups:interest_thanks")
    return render(request, "groups/apply/interest.html", {"interest_form": form})


@require_GET
def interest_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "groups/apply/interest_thanks.html")


@GET_POST
def interest_confirm(request: HttpRequest, token: str) -> HttpResponse:
    try:
        if request.method == "GET":
            signing.read(signing.INTEREST_CONFIRM, token, max_age=signing.CONFIRM_MAX_AGE)
            return render(request, "groups/apply/interest_confirm.html", {"signup": None})
        signup = applications.confirm_interest(token=token)
    except signing.BadToken as error:
        return _bad_link(request, error)
    return render(request, "groups/apply/interest_confirm.html", {"signup": signup})


@csrf_exempt  # RFC 8058 one-click unsubscribe POSTs without a CSRF token; the token signs it
@GET_POST
def interest_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        if request.method == "GET":
            signing.read(signing.INTEREST_UNSUBSCRIBE, token)
            return render(request, "groups/apply/unsubscribe.html", {"done": False})
        applications.unsubscribe_interest(token=token)
    except signing.BadToken as error:
        return _bad_link(request, error)
    return render(request, "groups/apply/unsubscribe.html", {"done": True})


urlpatterns = [
    path("apply/", intake_list, name="intake_list"),
    path("apply/interest/", interest, name="interest"),
    path("apply/interest/thanks/", interest_thanks, name="interest_thanks"),
    path("apply/interest/confirm/<str:token>/", interest_confirm, name="interest_confirm"),
    path("apply/unsubscribe/<str:token>/", interest_unsubscribe, name="interest_unsubscribe"),
    path("apply/confirm/<str:token>/", application_confirm, name="application_confirm"),
    path("apply/edit/<str:token>/", application_edit, name="application_edit"),
    path("apply/withdraw/<str:token>/", application_withdraw, name="application_withdraw"),
    path("apply/<slug:slug>/", apply, name="apply"),
    path("apply/<slug:slug>/thanks/", apply_thanks, name="apply_thanks"),
]

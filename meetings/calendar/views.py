"""Calendar pages: the member's feed page, the private feed and one meeting's .ics."""

import re
from urllib.parse import quote, urlsplit

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from mastermind.core import ratelimit
from mastermind.core.mail import absolute_url
from meetings.calendar import feed as calendar
from meetings.calendar import feed_cache
from meetings.models import Meeting, MeetingStatus

ICS_CONTENT_TYPE = "text/calendar; charset=utf-8"
FEED_MAX_AGE = 300
MAX_TOKEN_LENGTH = 64
# Tokens are secrets.token_urlsafe(): anything else is refused before the database sees it
# (PostgreSQL rejects a NUL character in a query parameter with an error, i.e. a 500).
TOKEN_RE = re.compile(rf"[A-Za-z0-9_-]{{1,{MAX_TOKEN_LENGTH}}}")


class InvitationsForm(forms.Form):
    calendar_invitations = forms.BooleanField(
        label=gettext_lazy("Send me calendar invitations by email"), required=False
    )


@login_required
@require_http_methods(["GET"])
def calendar_page(request: HttpRequest) -> HttpResponse:
    member_settings = calendar.settings_for(request.user)
    feed_url = absolute_url(calendar.feed_path(member_settings))
    webcal_url = "webcal://" + feed_url.split("://", 1)[1]
    context = {
        "feed_url": feed_url,
        "webcal_url": webcal_url,
        "google_url": "https://calendar.google.com/calendar/r?cid=" + quote(webcal_url, safe=""),
        "site_host": urlsplit(settings.SITE_URL).hostname,
        "form": InvitationsForm(
            initial={"calendar_invitations": member_settings.calendar_invitations}
        ),
        "renewals_per_hour": calendar.RENEWALS_PER_HOUR,
    }
    return render(request, "meetings/calendar.html", context)


@login_required
@require_POST
def renew_feed(request: HttpRequest) -> HttpResponse:
    try:
        calendar.renew_token(user=request.user)
    except calendar.TooManyRenewals:
        return ratelimit.rate_limited(
            request,
            period=60 * 60,
            message=_("You renewed your calendar address too often. Please try again later."),
        )
    else:
        messages.success(
            request,
            _(
                "Your calendar has a new address. Subscribe to it again in your calendar app; "
                "the old address no longer works."
            ),
        )
    return redirect("meetings:calendar")


@login_required
@require_POST
def update_invitations(request: HttpRequest) -> HttpResponse:
    form = InvitationsForm(request.POST)
    if form.is_valid():  # an unchecked box is simply False: the form is always valid
        enabled = form.cleaned_data["calendar_invitations"]
        calendar.set_calendar_invitations(user=request.user, enabled=enabled)
        if enabled:
            messages.success(request, _("You will get calendar invitations by email."))
        else:
            messages.success(request, _("You will not get calendar invitations by email."))
    return redirect("meetings:calendar")


@require_http_methods(["GET", "HEAD"])
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The private feed. Validators first: with Redis a 304 is one round trip (feed_cache)."""
    if not TOKEN_RE.fullmatch(token):
        raise Http404
    state = feed_cache.feed_state(token=token, now=timezone.now())
    if state is None:
        raise Http404
    etag = f'"{state.etag}"'
    last_modified = int(state.last_modified.timestamp())
    if request.META.get("HTTP_IF_NONE_MATCH") == etag:  # the usual poll, parsed the quick way
        response = HttpResponseNotModified()
    else:
        response = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if response is None:
        body = calendar.feed_body(state)
        response = HttpResponse(body, content_type=ICS_CONTENT_TYPE)
        response["Content-Length"] = str(len(body))
        response["Content-Disposition"] = 'inline; filename="mastermind.ics"'
        if request.method == "HEAD":
            response.content = b""
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    response["Cache-Control"] = f"private, max-age={FEED_MAX_AGE}"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@login_required
@require_http_methods(["GET", "HEAD"])
def meeting_ics(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Add to calendar" for one meeting: current members of its group and staff only."""
    meeting = get_object_or_404(
        Meeting.objects.select_related("group").prefetch_related(
            calendar.with_presenters(), calendar.with_roles()
        ),
        pk=pk,
        status__in=[MeetingStatus.SCHEDULED, MeetingStatus.CANCELLED],
    )
    if not calendar.can_see_meeting(user=request.user, meeting=meeting):
        raise Http404
    body = calendar.single_meeting_ics(meeting=meeting, user=request.user)
    response = HttpResponse(body, content_type=ICS_CONTENT_TYPE)
    local_day = timezone.localtime(meeting.starts_at).date()
    response["Content-Disposition"] = f'attachment; filename="mastermind-{local_day:%Y-%m-%d}.ics"'
    response["Cache-Control"] = "private, no-cache"
    return response


urlpatterns = [
    path("calendar/", calendar_page, name="calendar"),
    path("calendar/renew/", renew_feed, name="calendar_renew"),
    path("calendar/invitations/", update_invitations, name="calendar_invitations"),
    path("calendar/<str:token>.ics", feed, name="feed"),
    path("meetings/<int:pk>/calendar.ics", meeting_ics, name="meeting_ics"),
]

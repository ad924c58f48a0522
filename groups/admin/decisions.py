"""Sending decisions from the admin: a confirmation page first, then the emails.

Decisions cannot be taken back once emailed, so both actions (on applications and on
intakes) first show how many of each decision would go out, and warn while an intake is
still open for applications.
"""

from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from groups.models import Application, ApplicationStatus, Intake
from groups.services import applications

CONFIRM_FIELD = "confirm_send_decisions"


def send_decisions_after_confirmation(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    selected: QuerySet,
    candidates: QuerySet[Application],
):
    """The action's body: the confirmation page, or (once confirmed) the emails."""
    if request.POST.get(CONFIRM_FIELD) == "yes":
        report_decisions(modeladmin, request, applications.send_decisions(applications=candidates))
        return None
    counts = applications.decision_counts(candidates)
    intakes = Intake.objects.filter(applications__in=candidates).distinct()
    open_intakes = [i for i in intakes if i.deadline > timezone.now()]
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": _("Send decisions?"),
        "opts": modeladmin.model._meta,
        "action": request.POST.get("action", ""),
        "selected": [str(pk) for pk in selected.values_list("pk", flat=True)],
        "action_checkbox_name": ACTION_CHECKBOX_NAME,
        "confirm_field": CONFIRM_FIELD,
        "rows": [
            (ApplicationStatus(status).label, counts.get(status, 0))
            for status in (
                ApplicationStatus.ACCEPTED,
                ApplicationStatus.WAITLISTED,
                ApplicationStatus.DECLINED,
            )
        ],
        "total": sum(counts.values()),
        "open_intakes": open_intakes,
    }
    return TemplateResponse(request, "admin/groups/send_decisions_confirm.html", context)


def report_decisions(modeladmin: admin.ModelAdmin, request: HttpRequest, count: int) -> None:
    message = ngettext(
        "%(count)d decision email queued; everyone else was told already or is undecided.",
        "%(count)d decision emails queued; everyone else was told already or is undecided.",
        count,
    )
    modeladmin.message_user(request, message % {"count": count})

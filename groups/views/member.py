"""Member pages: my groups, one group, leaving a group. Also collects this part's URLs."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from groups import rules
from groups.extensions import group_page_sections
from groups.forms.groups import LeaveGroupForm
from groups.models import Group, Membership, current_membership_q
from groups.services import GroupsError, leave_group
from groups.views import organise as views_organise
from groups.views import renewal as views_renewal
from groups.views import signin as signin_links


def _current_count(now):
    current = current_membership_q(now, prefix="group__memberships__")
    return Count("group__memberships", filter=current, distinct=True)


@login_required
@require_GET
def my_groups(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    memberships = list(
        Membership.objects.filter(user=request.user, joined_at__lte=now)
        .select_related("group")
        .annotate(member_count=_current_count(now))
        .order_by("-joined_at", "-pk")
    )
    current = [m for m in memberships if m.left_at is None or m.left_at > now]
    current_ids = {m.group_id for m in current}
    past, seen = [], set(current_ids)
    for m in memberships:
        if m.group_id not in seen:
            seen.add(m.group_id)
            past.append(m)
    return render(request, "groups/member/my_groups.html", {"current": current, "past": past})


def _visible_group(request: HttpRequest, pk: int) -> tuple[Group, list[Membership]]:
    """The group and its current members; 404 unless the viewer is one of them or staff."""
    group = get_object_or_404(Group.objects.select_related("intake"), pk=pk)
    members = list(group.memberships.current().select_related("user").order_by("joined_at", "pk"))
    if not rules.may_see_group_of(user=request.user, current_members=members):
        raise Http404
    return group, members


@login_required
@require_GET
def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    group, members = _visible_group(request, pk)
    now = timezone.now()
    context = {
        "group": group,
        "members": members,
        "is_member": any(m.user_id == request.user.pk for m in members),
        "now": now,
        "sections": [],
    }
    for _name, section in group_page_sections:
        template, section_context = section(group=group, user=request.user, now=now)
        context["sections"].append(template)
        context.update(section_context)
    return render(request, "groups/member/group_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def leave(request: HttpRequest, pk: int) -> HttpResponse:
    group, members = _visible_group(request, pk)
    membership = next((m for m in members if m.user_id == request.user.pk), None)
    if membership is None:
        raise Http404
    form = LeaveGroupForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            leave_group(membership=membership, reason=form.cleaned_data["reason"])
        except GroupsError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("You have left %(group)s. Thank you for being part of it.")
                % {"group": group.name},
            )
        return redirect("groups:my_groups")
    return render(request, "groups/member/leave.html", {"group": group, "form": form})


urlpatterns = [
    path("groups/", my_groups, name="my_groups"),
    path("groups/<int:pk>/", group_detail, name="group_detail"),
    path("groups/<int:pk>/leave/", leave, name="leave_group"),
    *signin_links.urlpatterns,
    *views_organise.urlpatterns,
    *views_renewal.urlpatterns,
]

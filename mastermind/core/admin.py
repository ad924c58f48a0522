"""A mixin for every ModelAdmin: bad input in a changelist is a message, not a 500.

- An action posted with ids that are not ids (``_selected_action=abc``) is refused with
  a message; Django would pass them to ``filter(pk__in=...)`` and crash.
- A filter or date-hierarchy value that no query can hold (``?starts_at__year=99999``,
  a month 13 once the year is valid, a number too big for the database) sends the
  organiser back to the unfiltered list with a message, the way Django handles a filter
  it does not know.
- Every text field of the admin's forms and inlines follows the text policy
  (``mastermind.core.text``).
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import ValidationError
from django.db import DataError
from django.http import HttpResponseRedirect
from django.utils.translation import gettext as _

from mastermind.core.text import TextPolicyFormMixin


def _with_text_policy(form_class):
    if issubclass(form_class, TextPolicyFormMixin):
        return form_class
    return type(form_class.__name__, (TextPolicyFormMixin, form_class), {})


class SafeAdminMixin:
    def response_action(self, request, queryset):
        selected = request.POST.getlist(ACTION_CHECKBOX_NAME)
        pk_field = self.model._meta.pk
        try:
            for value in selected:
                pk_field.to_python(value)
        except ValidationError:
            self.message_user(
                request,
                _("The selection could not be read. Please choose the items again."),
                messages.ERROR,
            )
            return HttpResponseRedirect(request.get_full_path())
        return super().response_action(request, queryset)

    def get_changelist_instance(self, request):
        try:
            return super().get_changelist_instance(request)
        except (ValueError, OverflowError, DataError) as error:
            self.message_user(
                request,
                _("The filter could not be applied (%(error)s). Showing the whole list.")
                % {"error": str(error)[:200]},
                messages.ERROR,
            )
            raise IncorrectLookupParameters(error) from error

    def get_form(self, request, obj=None, change=False, **kwargs):
        return _with_text_policy(super().get_form(request, obj, change=change, **kwargs))

    def get_formsets_with_inlines(self, request, obj=None):
        for formset, inline in super().get_formsets_with_inlines(request, obj):
            formset.form = _with_text_policy(formset.form)
            yield formset, inline


class SafeModelAdmin(SafeAdminMixin, admin.ModelAdmin):
    """``admin.ModelAdmin`` with the mixin."""


def harden_admin_site(site: admin.AdminSite) -> None:
    """Give every registered ModelAdmin the mixin, also those of Django and allauth.

    Called once the apps have registered their admins (from the URL configuration).
    """
    for model, model_admin in list(site._registry.items()):
        if isinstance(model_admin, SafeAdminMixin):
            continue
        cls = type(model_admin)
        hardened = type(cls.__name__, (SafeAdminMixin, cls), {"__module__": cls.__module__})
        site.unregister(model)
        site.register(model, hardened)

"""A member's own data: download it as JSON, or delete the account."""

import json

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from mastermind.privacy import services as privacy


class DeleteAccountForm(forms.Form):
    email = forms.EmailField(
        label=_("Type your email address to confirm"), max_length=254, required=True
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_email(self) -> str:
        email = self.cleaned_data["email"]
        if email.strip().lower() != self.user.email.lower():
            raise forms.ValidationError(_("This is not the email address of your account."))
        return email


@login_required
@require_GET
def my_data(request: HttpRequest) -> HttpResponse:
    form = DeleteAccountForm(user=request.user)
    return render(request, "mastermind/my_data.html", {"form": form})


@login_required
@require_GET
def export_data(request: HttpRequest) -> HttpResponse:
    data = privacy.export_user_data(user=request.user)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json"
    )
    filename = f"mastermind-data-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["POST"])
def delete_account(request: HttpRequest) -> HttpResponse:
    form = DeleteAccountForm(request.POST, user=request.user)
    if not form.is_valid():
        return render(request, "mastermind/my_data.html", {"form": form}, status=400)
    privacy.delete_account(user=request.user)
    logout(request)
    messages.success(request, _("Your account and your personal data have been deleted."))
    return redirect("home")

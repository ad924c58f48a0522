"""The member's profile page and the one-click unsubscribe link from every email."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from meetings.forms.profile import ProfileForm
from meetings.services import preferences


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    member_settings = preferences.settings_for(request.user)
    form = ProfileForm(
        request.POST if request.method == "POST" else None,
        user=request.user,
        member_settings=member_settings,
    )
    if request.method == "POST" and form.is_valid():
        data = form.profile_data()
        preferences.update_profile(user=request.user, **data)
        # Said in the language the next page will be in: the one just chosen.
        with translation.override(data["language"]):
            messages.success(request, _("Your profile has been saved."))
        response = redirect("meetings:profile")
        # The language switcher's cookie wins over the profile, so keep them in step.
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            data["language"],
            max_age=settings.LANGUAGE_COOKIE_AGE,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
        return response
    return render(request, "meetings/profile.html", {"form": form})


# RFC 8058: the mail client's one-click POST carries no CSRF token. Exempting this one
# view is safe because, whatever is posted, it can only turn one email preference off
# for the user the signed token names.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    parsed = preferences.read_unsubscribe_token(token)
    if parsed is None:
        return render(request, "meetings/unsubscribe_invalid.html", status=400)
    user_id, preference = parsed
    context = {"preference": preferences.label(preference)}
    if request.method == "POST":
        if not preferences.unsubscribe(user_id=user_id, preference=preference):
            return render(request, "meetings/unsubscribe_invalid.html", status=400)
        return render(request, "meetings/unsubscribe_done.html", context)
    # A GET never unsubscribes: link scanners and previews open links too.
    return render(request, "meetings/unsubscribe.html", context)


urlpatterns = [
    path("profile/", profile, name="profile"),
    path("unsubscribe/<str:token>/", unsubscribe, name="unsubscribe"),
]

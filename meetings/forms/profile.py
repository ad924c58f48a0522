"""The profile form: name, language, time zone and which emails to get."""

import unicodedata

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from mastermind.core.text import has_forbidden
from mastermind.core.timezones import validate_time_zone, zone_choices
from meetings.services import preferences

PREFERENCE_HELP = {
    "meeting_reminders": _(
        "A reminder before each meeting, with the date, the video link and a calendar file."
    ),
    "preparation_reminders": _("A few days before your hot seat, with questions to prepare."),
    "commitment_prompts": _("After each meeting, a link to write down your commitment."),
    "hot_seat_changes": _("When the hot-seat plan changes, e.g. after someone cancels."),
    "calendar_invitations": _(
        "Calendar invitations by email, for calendars that don't subscribe to feeds."
    ),
    "organiser_digests": _("A summary of the applications when an intake's deadline passes."),
}


UNSHOWABLE = {"Cc", "Cn", "Co", "Cs"}


def _user_label(name: str) -> str:
    return capfirst(get_user_model()._meta.get_field(name).verbose_name)


class ProfileForm(forms.Form):
    display_name = forms.CharField(
        max_length=100,
        help_text=_("How your group sees you, e.g. your first and last name."),
    )
    language = forms.ChoiceField(choices=settings.LANGUAGES)
    time_zone = forms.ChoiceField(
        choices=zone_choices,
        help_text=_("Meeting times on the pages and in emails are shown in this zone."),
    )

    def __init__(self, *args, user, member_settings, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "display_name": user.display_name,
                "language": user.language,
                "time_zone": user.time_zone,
            },
        )
        super().__init__(*args, **kwargs)
        for name in ("display_name", "language", "time_zone"):
            self.fields[name].label = _user_label(name)
        self.preference_names = preferences.preferences_for(user)
        for name in self.preference_names:
            self.fields[name] = forms.BooleanField(
                label=capfirst(preferences.label(name)),
                required=False,
                initial=getattr(member_settings, name),
                help_text=PREFERENCE_HELP.get(name, ""),
            )

    def clean_display_name(self) -> str:
        name = unicodedata.normalize("NFC", " ".join(self.cleaned_data["display_name"].split()))
        if not name:
            raise forms.ValidationError(_("Please enter the name your group sees."))
        # The site's text policy, and no unassigned or private-use characters either.
        if has_forbidden(name) or any(unicodedata.category(c) in UNSHOWABLE for c in name):
            raise forms.ValidationError(_("Please use letters, digits and punctuation only."))
        return name

    def clean_time_zone(self) -> str:
        value = self.cleaned_data["time_zone"]
        validate_time_zone(value)
        return value

    def profile_data(self) -> dict:
        """Keyword arguments for ``preferences.update_profile``."""
        data = self.cleaned_data
        return {
            "display_name": data["display_name"],
            "language": data["language"],
            "time_zone": data["time_zone"],
            "preferences": {name: data[name] for name in self.preference_names},
        }

    @property
    def profile_fields(self):
        return [self[name] for name in ("display_name", "language", "time_zone")]

    @property
    def preference_fields(self):
        return [self[name] for name in self.preference_names]

"""Public forms of the intake: apply, edit an application, join the interest list.

Forms validate and convert; the views hand ``cleaned_data`` to the services in
``groups/applications.py``. Every text field has the model's length limit, text is
normalised to NFC and follows the site's text policy (``mastermind.core.text``: no
control, bidirectional or invisible characters, which have no business in a name and can
hide text in the admin or a CSV).
"""

from django import forms
from django.conf import settings
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from groups.models import Application
from groups.slots import FORM_DAYS, FORM_SLOTS, START_HOURS
from mastermind.core.text import clean_name, clean_text
from mastermind.core.timezones import zone_choices
from mastermind.core.widgets import LongSelect


def _field_max(name: str) -> int:
    return Application._meta.get_field(name).max_length


class HoneypotMixin(forms.Form):
    # Hidden from people by the .hp-field class; bots fill every field they find.
    website = forms.CharField(
        label=_("Leave this field empty (it catches spam robots)"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def is_spam(self) -> bool:
        return bool(self.data.get(self.add_prefix("website"), "").strip())


class OrganiserTopics(forms.CheckboxSelectMultiple):
    """The organiser's topics, marked with the language they are written in when the
    page is in another (``lang`` for screen readers and translation tools)."""

    content_language = ""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if self.content_language:
            option["label"] = format_html('<span lang="{}">{}</span>', self.content_language, label)
        return option


class ApplicationForm(HoneypotMixin):
    name = forms.CharField(label=_("Your name"), max_length=_field_max("name"))
    email = forms.EmailField(
        label=_("Email address"),
        max_length=_field_max("email"),
        help_text=_("We send you a link to confirm it. Your application counts once confirmed."),
    )
    about = forms.CharField(
        label=_("About me"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Key facts: what you do, for whom, and where your business stands."),
    )
    topics = forms.MultipleChoiceField(
        label=_("Main topics"),
        required=False,
        widget=OrganiserTopics,
        help_text=_("Choose the topics you want to work on."),
    )
    topics_other = forms.CharField(
        label=_("Other topics"),
        required=False,
        max_length=_field_max("topics_other"),
        help_text=_("Optional; separate several with commas."),
    )
    expectations = forms.CharField(
        label=_("What do you expect from the group?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    availability = forms.MultipleChoiceField(
        label=_("Which evenings can you make?"),
        choices=[(slot, slot) for slot in FORM_SLOTS],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Please choose at least one evening.")},
    )
    time_zone = forms.ChoiceField(
        label=_("Your time zone"), choices=zone_choices, widget=LongSelect
    )
    language = forms.ChoiceField(
        label=_("Preferred language for emails"), choices=settings.LANGUAGES
    )
    consent = forms.BooleanField(
        label=_("I have read the privacy notice and agree that my details are stored."),
        error_messages={"required": _("Please agree to the privacy notice to apply.")},
    )

    def __init__(self, *args, intake, extra_topics=(), **kwargs):
        super().__init__(*args, **kwargs)
        if translation.get_language() != settings.CONTENT_LANGUAGE:
            self.fields["topics"].widget.content_language = settings.CONTENT_LANGUAGE
        topics = list(dict.fromkeys([*intake.topics, *extra_topics]))
        self.fields["topics"].choices = [(t, t) for t in topics]

    def clean_name(self) -> str:
        return clean_name(self.cleaned_data["name"])

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

    def clean_about(self) -> str:
        return clean_text(self.cleaned_data["about"], multiline=True)

    def clean_topics_other(self) -> str:
        return clean_text(self.cleaned_data["topics_other"])

    def clean_expectations(self) -> str:
        return clean_text(self.cleaned_data["expectations"], multiline=True)

    def clean_availability(self) -> list[str]:
        chosen = set(self.cleaned_data["availability"])
        return [slot for slot in FORM_SLOTS if slot in chosen]  # a stable, weekly order

    def clean(self) -> dict:
        data = super().clean()
        chosen = data.get("topics"), data.get("topics_other")
        if "topics" in data and "topics_other" in data and not any(chosen):
            self.add_error("topics", _("Please choose at least one topic or name your own below."))
        return data

    def availability_grid(self) -> list[tuple[str, list]]:
        """Rows of (weekday label, [checkbox subwidgets for 18, 19, 20 h]) for the template."""
        boxes = {box.data["value"]: box for box in self["availability"]}
        return [(label, [boxes[f"{day}-{h}"] for h in START_HOURS]) for day, label in FORM_DAYS]


class EditApplicationForm(ApplicationForm):
    """The same fields, minus the email address (it is how we know it is you) and consent."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["email"]
        del self.fields["consent"]


class InterestForm(HoneypotMixin):
    email = forms.EmailField(label=_("Email address"), max_length=254)
    language = forms.ChoiceField(
        label=_("Preferred language for emails"), choices=settings.LANGUAGES
    )

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

"""Forms for proposals, organiser changes to groups, and leaving a group."""

from django import forms
from django.utils.translation import gettext_lazy as _

from groups.models import Group, GroupStatus, PinKind
from groups.services import evenings, group_letter, waitlist_candidates
from groups.services.proposals import NEW_GROUP, WAITLIST
from mastermind.core.text import TextPolicyFormMixin


class LeaveGroupForm(TextPolicyFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Would you like to tell the organisers why? (optional)"),
        max_length=150,
        required=False,
    )


class RunMatchingForm(forms.Form):
    allow_off_size = forms.BooleanField(
        label=_("Allow one group outside the size range if that places everyone"),
        required=False,
    )


def _people_choices(names: dict[int, str]) -> list[tuple[str, str]]:
    return [("", "—"), *((str(pk), name) for pk, name in sorted(names.items(), key=lambda x: x[1]))]


class MoveApplicantForm(forms.Form):
    """Move someone in the stored proposal. ``names`` are the people in it."""

    applicant = forms.TypedChoiceField(label=_("Person"), coerce=int)
    target = forms.ChoiceField(label=_("Move to"))

    def __init__(self, *args, names: dict[int, str], group_count: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["applicant"].choices = _people_choices(names)
        self.fields["target"].choices = [
            *(
                (str(i), _("Group %(letter)s") % {"letter": group_letter(i)})
                for i in range(group_count)
            ),
            (NEW_GROUP, _("A new group")),
            (WAITLIST, _("The waitlist")),
        ]

    def clean_target(self):
        value = self.cleaned_data["target"]
        return int(value) if value.isdigit() else value


class PinForm(forms.Form):
    first = forms.TypedChoiceField(label=_("Person"), coerce=int)
    kind = forms.ChoiceField(label=_("Pin"), choices=PinKind.choices)
    second = forms.TypedChoiceField(label=_("and"), coerce=int)

    def __init__(self, *args, names: dict[int, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first"].choices = _people_choices(names)
        self.fields["second"].choices = _people_choices(names)

    def clean(self):
        data = super().clean()
        if data.get("first") and data.get("first") == data.get("second"):
            raise forms.ValidationError(_("Choose two different people."))
        return data


class AddFromWaitlistForm(forms.Form):
    """Each person shown with whether they can make the group's evening in their own zone;
    adding someone who cannot needs "add anyway"."""

    application = forms.ModelChoiceField(label=_("Person waiting for a place"), queryset=None)
    add_anyway = forms.BooleanField(
        label=_("Add anyway, even though this person did not name the group's evening"),
        required=False,
    )

    def __init__(self, *args, group: Group, **kwargs):
        super().__init__(*args, **kwargs)
        evening = evenings.evening_of(group)
        candidates = waitlist_candidates(group=group)
        self.fits = {app.pk: evenings.evening_fit(app, evening) for app in candidates}
        field = self.fields["application"]
        field.queryset = candidates
        field.label_from_instance = self._label
        if evening is None:
            del self.fields["add_anyway"]

    def _label(self, application) -> str:
        fit = self.fits.get(application.pk)
        if fit is None:
            return application.name
        if fit.shares:
            return _("%(name)s – can make %(time)s") % {
                "name": application.name,
                "time": fit.their_time,
            }
        return _("%(name)s – did not name %(time)s (gave: %(evenings)s)") % {
            "name": application.name,
            "time": fit.their_time,
            "evenings": fit.their_evenings,
        }

    def clean(self):
        cleaned = super().clean()
        application = cleaned.get("application")
        fit = self.fits.get(application.pk) if application else None
        if fit and not fit.shares and not cleaned.get("add_anyway"):
            self.add_error(
                "add_anyway",
                _(
                    "%(name)s did not name the group's evening, %(evening)s: for them that is "
                    "%(time)s, and they gave %(evenings)s. Tick “Add anyway” to add them all "
                    "the same."
                )
                % {
                    "name": application.name,
                    "evening": fit.group_evening,
                    "time": fit.their_time,
                    "evenings": fit.their_evenings,
                },
            )
        return cleaned


class MoveMemberForm(forms.Form):
    membership = forms.ModelChoiceField(label=_("Member"), queryset=None)
    to_group = forms.ModelChoiceField(label=_("Move to group"), queryset=None)

    def __init__(self, *args, group: Group, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["membership"].queryset = group.memberships.current().select_related(
            "user", "group"
        )
        self.fields["to_group"].queryset = Group.objects.exclude(pk=group.pk).exclude(
            status=GroupStatus.ENDED
        )


class EndGroupForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Yes, end this group and close all its memberships"), required=True
    )

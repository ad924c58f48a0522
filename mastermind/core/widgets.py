"""Form widgets shared by the apps."""

from html import escape

from django import forms
from django.forms.utils import flatatt
from django.utils.safestring import SafeString, mark_safe


class LongSelect(forms.Select):
    """A plain ``<select>`` rendered in Python, for long flat choice lists.

    Django renders every ``<option>`` through its own template include; for the ~600
    time zones that took ~40 ms per page, most of the application form's time (see
    bench/README.md). The markup is the same as Django's select widget; no optgroups.
    """

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        chosen = {str(v) for v in self.format_value(value)}
        options = "".join(
            f'<option value="{escape(str(key))}"{" selected" if str(key) in chosen else ""}>'
            f"{escape(str(label))}</option>"
            for key, label in self.choices
        )
        # Every value and label was escaped above.
        return mark_safe(f"<select{flatatt(final)}>{options}</select>")

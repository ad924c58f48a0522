"""Helpers for every test folder: where the tests run, and how many examples to try."""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import settings

TESTS_DIR = Path(__file__).resolve().parent
ROOT = TESTS_DIR.parent
JS_DIR = TESTS_DIR / "js"


def on_ci() -> bool:
    """True when the environment variable ``CI`` is set to something other than false."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def examples(fraction: float) -> int:
    """``fraction`` of the active Hypothesis profile's ``max_examples`` (at least one).

    For properties whose every example is expensive (many requests, a database full of
    rows): ``@settings(max_examples=examples(0.2))`` tries a fifth of what the profile
    asks for, so ``--hypothesis-profile=thorough`` still multiplies it. Evaluated when the
    test module is imported, after tests/conftest.py and the command line chose the profile.
    """
    return max(1, round(settings().max_examples * fraction))


def create_groups_post_data(client, intake, *, start=None, **overrides) -> dict:
    """The confirmation page's form as the organiser submits it unchanged (``create``).

    ``overrides`` maps a schedule field to a value for every group; ``start`` sets the
    date all groups start from.
    """
    page = client.get(f"/organise/intakes/{intake.pk}/groups/create/")
    assert page.status_code == 200, page.status_code
    formset, start_form = page.context["formset"], page.context["start_form"]
    data = {
        "create": "1",
        "start": (start or start_form.initial["start"]).isoformat(),
        "fingerprint": start_form.initial["fingerprint"],
        **{f"form-{name}": value for name, value in formset.management_form.initial.items()},
    }
    for index, form in enumerate(formset):
        for name, field in form.fields.items():
            value = overrides.get(name, form.initial.get(name))
            shown = field.widget.format_value(value)
            data[f"form-{index}-{name}"] = (shown[0] if isinstance(shown, list) else shown) or ""
    return data


def admin_change_data(client, url: str) -> dict:
    """An admin change page's form and inline formsets as rendered, submitted unchanged."""
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    data = _form_data(page.context["adminform"].form)
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        for name, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{name}"] = value
        for form in formset.forms:
            data |= _form_data(form)
    return data


def _form_data(form) -> dict:
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:  # unchecked, empty; but 0 is a value
            continue
        data[form.add_prefix(name)] = value.isoformat() if hasattr(value, "isoformat") else value
    return data

"""The committed German catalogue is complete and its .mo matches the .po."""

import ast
import gettext
from pathlib import Path

import pytest
from django.utils import translation

LOCALE = Path(__file__).resolve().parents[2] / "locale" / "de" / "LC_MESSAGES"


def parse_po(path: Path) -> list[dict]:
    """A small reader for the subset of the PO format that makemessages writes."""
    entries, entry, key = [], {}, None
    for raw in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = raw.strip()
        if not line:
            if entry:
                entries.append(entry)
            entry, key = {}, None
        elif line.startswith("#,"):
            entry["flags"] = line[2:].replace(" ", "").split(",")
        elif line.startswith("#~"):
            entry["obsolete"] = True
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[key] += ast.literal_eval(line)
        else:
            key, _, value = line.partition(" ")
            entry[key] = ast.literal_eval(value)
    return [e for e in entries if "msgid" in e and not e.get("obsolete")]


ENTRIES = [e for e in parse_po(LOCALE / "django.po") if e["msgid"]]


def test_catalogue_has_entries():
    assert len(ENTRIES) > 40


def test_every_german_entry_is_translated_and_not_fuzzy():
    untranslated = [
        e["msgid"]
        for e in ENTRIES
        if "fuzzy" in e.get("flags", [])
        or not (e.get("msgstr") or (e.get("msgstr[0]") and e.get("msgstr[1]")))
    ]
    assert untranslated == []


def test_compiled_mo_matches_po():
    with (LOCALE / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for entry in ENTRIES:
        context = entry.get("msgctxt")
        if "msgid_plural" in entry:
            for n, form in ((1, "msgstr[0]"), (2, "msgstr[1]")):
                if context:
                    got = compiled.npgettext(context, entry["msgid"], entry["msgid_plural"], n)
                else:
                    got = compiled.ngettext(entry["msgid"], entry["msgid_plural"], n)
                assert got == entry[form], entry["msgid"]
        else:
            got = (
                compiled.pgettext(context, entry["msgid"])
                if context
                else compiled.gettext(entry["msgid"])
            )
            assert got == entry["msgstr"], entry["msgid"]


@pytest.mark.parametrize("entry", [e for e in ENTRIES if "msgstr" in e][:1])
def test_django_loads_the_catalogue(entry):
    with translation.override("de"):
        assert translation.gettext(entry["msgid"]) == entry["msgstr"]

"""One text policy for everything people type: names, notes, topics, agendas.

Refused (by a form) or removed (by a service that copies text on):

- control characters (escape sequences, bell, NUL, …); multi-line texts keep tabs and
  line breaks;
- bidirectional overrides, embeddings, isolates and marks (``U+202E`` turns
  "abc\\u202edcba" around on screen), which make a name or a note look like something else;
- invisible characters: zero-width space, word joiner, byte-order mark, invisible
  operators, and the line and paragraph separators ``U+2028``/``U+2029``;
- in names also the zero-width (non-)joiner unless it sits between two non-ASCII
  characters (where emoji sequences and some scripts need it).

Everything else stays as typed: umlauts, accents, other scripts, emoji. Text is
normalised to NFC, so "ü" typed two ways is stored one way.
"""

from __future__ import annotations

import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MULTILINE_CONTROLS = frozenset("\n\r\t")
JOINERS = frozenset("\u200c\u200d")
BIDI = frozenset(
    "\u061c\u200e\u200f"  # Arabic letter mark, left-to-right and right-to-left marks
    "\u202a\u202b\u202c\u202d\u202e"  # embeddings and overrides
    "\u2066\u2067\u2068\u2069"  # isolates
)
INVISIBLE = frozenset(
    "\u180e\u200b\u2060\u2061\u2062\u2063\u2064\ufeff"
    "\u206a\u206b\u206c\u206d\u206e\u206f"  # deprecated format characters
    "\ufff9\ufffa\ufffb"  # interlinear annotations
    "\u2028\u2029"  # line and paragraph separators
)


def _forbidden(value: str, index: int, *, multiline: bool) -> bool:
    char = value[index]
    if char in BIDI or char in INVISIBLE:
        return True
    if unicodedata.category(char) == "Cc":
        return not (multiline and char in MULTILINE_CONTROLS)
    if char in JOINERS and not multiline:
        before = value[index - 1] if index > 0 else " "
        after = value[index + 1] if index + 1 < len(value) else " "
        return not all(ord(c) > 127 and not c.isspace() for c in (before, after))
    return False


def has_forbidden(value: str, *, multiline: bool = False) -> bool:
    """True if ``value`` contains a character the policy refuses."""
    return any(_forbidden(value, i, multiline=multiline) for i in range(len(value)))


def strip_forbidden(value: str, *, multiline: bool = False) -> str:
    """``value`` in NFC without the refused characters (for text a service copies on)."""
    value = unicodedata.normalize("NFC", value or "")
    line_break = "\n" if multiline else " "
    kept = "".join(
        (line_break if ch.isspace() else "") if _forbidden(value, i, multiline=multiline) else ch
        for i, ch in enumerate(value)
    )
    if not multiline:
        kept = " ".join(kept.split())
    return kept.strip()


def clean_text(value: str, *, multiline: bool = False) -> str:
    """``value`` in NFC and stripped; a ``ValidationError`` if it breaks the policy."""
    value = unicodedata.normalize("NFC", value or "").strip()
    if has_forbidden(value, multiline=multiline):
        raise ValidationError(
            _(
                "Please remove the invisible or control characters from this text "
                "(for example text-direction marks or zero-width spaces)."
            ),
            code="control",
        )
    return value


def clean_name(value: str) -> str:
    """A name: one line, inner whitespace collapsed, the policy applied."""
    return " ".join(clean_text(value).split())


class TextPolicyFormMixin:
    """Apply the policy to every text field of a form (put it before ``forms.Form``).

    Fields with a ``Textarea`` are multi-line; all others are single-line. Runs in
    ``clean()`` of each field (a validator), so every form gets it without the form's own
    ``clean_<field>`` methods having to remember.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        apply_text_policy(self)


def apply_text_policy(form) -> None:
    """Add the policy's validator to each text field of ``form`` (a form instance)."""
    for field in form.fields.values():
        if isinstance(field, forms.CharField) and not isinstance(field.widget, forms.PasswordInput):
            multiline = isinstance(field.widget, forms.Textarea)
            field.validators.append(TextValidator(multiline=multiline))


class TextValidator:
    """A field validator for the policy (single- or multi-line)."""

    def __init__(self, *, multiline: bool = False):
        self.multiline = multiline

    def __call__(self, value) -> None:
        if isinstance(value, str):
            clean_text(value, multiline=self.multiline)

    def __eq__(self, other) -> bool:
        return isinstance(other, TextValidator) and other.multiline == self.multiline

    def deconstruct(self):
        return ("mastermind.core.text.TextValidator", (), {"multiline": self.multiline})

"""Render and send one templated email in the recipient's language and time zone.

Each message is a template set: ``templates/<app>/email/<name>.subject.txt``,
``<name>.txt`` and ``<name>.html``. Links in emails must be absolute; use
:func:`absolute_url`.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mimetype: str


@dataclass
class Email:
    template: str
    to: str
    context: Mapping = field(default_factory=dict)
    language: str = settings.LANGUAGE_CODE
    time_zone: str = settings.TIME_ZONE
    attachments: Sequence[Attachment] = ()
    # Extra multipart/alternative parts as (content, mimetype), e.g. an iMIP text/calendar.
    alternatives: Sequence[tuple[str, str]] = ()
    headers: Mapping[str, str] = field(default_factory=dict)
    # Why it was sent, for the footer; the outbox fills it in from the email's kind.
    reason: str = ""


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _unsubscribe_url(headers: Mapping[str, str]) -> str:
    return headers.get("List-Unsubscribe", "").strip("<>")


def _with_footer(text: str, html: str, context: dict) -> tuple[str, str]:
    """Every email ends alike: why it was sent, the one-click unsubscribe when optional,
    the product's name. An HTML fragment is put into the branded layout first."""
    text = text.rstrip() + "\n" + render_to_string("mastermind/email/_footer.txt", context)
    footer = render_to_string("mastermind/email/_footer.html", context)
    if "</body>" in html:
        head, _sep, tail = html.rpartition("</body>")
        return text, f"{head}{footer}</body>{tail}"
    layout = {**context, "content": mark_safe(html), "footer": mark_safe(footer)}
    return text, render_to_string("mastermind/email/_layout.html", layout)


def render_email(email: Email) -> EmailMultiAlternatives:
    context = {"SITE_URL": settings.SITE_URL, "SITE_NAME": settings.SITE_NAME, **email.context}
    with translation.override(email.language), timezone.override(email.time_zone):
        subject = render_to_string(f"{email.template}.subject.txt", context)
        text = render_to_string(f"{email.template}.txt", context)
        html = render_to_string(f"{email.template}.html", context)
        footer_context = {
            **context,
            "reason": str(email.reason),
            "unsubscribe_url": _unsubscribe_url(email.headers),
        }
        text, html = _with_footer(text, html, footer_context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=text,
        to=[email.to],
        headers=dict(email.headers),
    )
    message.attach_alternative(html, "text/html")
    for content, mimetype in email.alternatives:
        message.attach_alternative(content, mimetype)
    for attachment in email.attachments:
        message.attach(attachment.filename, attachment.content, attachment.mimetype)
    return message

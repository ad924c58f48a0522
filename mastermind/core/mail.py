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


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def render_email(email: Email) -> EmailMultiAlternatives:
    context = {"SITE_URL": settings.SITE_URL, **email.context}
    with translation.override(email.language), timezone.override(email.time_zone):
        subject = render_to_string(f"{email.template}.subject.txt", context)
        text = render_to_string(f"{email.template}.txt", context)
        html = render_to_string(f"{email.template}.html", context)
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

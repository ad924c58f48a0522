"""Small bar charts as inline SVG, drawn on the server: no JavaScript, nothing from a CDN.

A chart shows one share per meeting (oldest left, newest right), each bar as high as its
percent. It is an image with a text alternative: ``role="img"`` and an ``aria-label`` that
reads every figure ("Attendance: 12.01.2027 75 % (3 of 4); …"), the same text as its
``<title>`` (the tooltip). Colours come from classes in static/css/admin.css, so the strict
Content-Security-Policy (no inline styles) holds and the admin's dark mode applies.

Fifty groups mean 150 charts on one page: the markup is put together with plain string
formatting, and the only text in it (title and figures) is escaped once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from meetings.domain.health import WINDOW, Share

BAR, GAP, HEIGHT = 8, 3, 24
WIDTH = WINDOW * (BAR + GAP) - GAP
NO_FIGURE_HEIGHT = 2
NO_FIGURE = "–"


@dataclass(frozen=True)
class Point:
    label: str  # the meeting's local date, e.g. "12.01.2027"
    share: Share


def share_format() -> str:
    """The active language's "75 % (3 of 4)" pattern, for :func:`share_text`."""
    return _("%(percent)s %% (%(part)s of %(whole)s)")


def share_text(share: Share, pattern: str | None = None) -> str:
    """ "75 % (3 of 4)", or "–" when there was nothing to count."""
    if share.percent is None:
        return NO_FIGURE
    values = {"percent": share.percent, "part": share.part, "whole": share.whole}
    return (pattern or share_format()) % values


def describe(title: str, points: Sequence[Point], pattern: str | None = None) -> str:
    if not points:
        return _("%(title)s: no meeting held yet") % {"title": title}
    pattern = pattern or share_format()
    figures = "; ".join(f"{point.label} {share_text(point.share, pattern)}" for point in points)
    return f"{title}: {figures}"


def _bar(slot: int, share: Share, low_below: int | None) -> str:
    x = WIDTH - (slot + 1) * (BAR + GAP) + GAP
    percent = share.percent
    if percent is None:
        height, css = NO_FIGURE_HEIGHT, "spark-bar none"
    else:
        height = max(1, round(percent * (HEIGHT - 1) / 100))
        low = low_below is not None and share.below(low_below)
        css = "spark-bar low" if low else "spark-bar"
    return f'<rect class="{css}" x="{x}" y="{HEIGHT - height}" width="{BAR}" height="{height}"/>'


def spark(
    *,
    title: str,
    points: Sequence[Point],
    low_below: int | None = None,
    guide: bool = False,
    pattern: str | None = None,
) -> SafeString:
    """An SVG bar chart of ``points`` (oldest first, at most :data:`WINDOW` of them); bars
    of shares under ``low_below`` percent are marked "low", with a line there if ``guide``."""
    points = list(points)[-WINDOW:]
    text = escape(describe(title, points, pattern))
    parts = [
        f'<svg class="spark" role="img" aria-label="{text}" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" xmlns="http://www.w3.org/2000/svg">'
        f'<title>{text}</title><line class="spark-base" x1="0" x2="{WIDTH}" '
        f'y1="{HEIGHT - 0.5}" y2="{HEIGHT - 0.5}"/>'
    ]
    if guide and low_below is not None:
        y = HEIGHT - round(low_below * (HEIGHT - 1) / 100)
        parts.append(f'<line class="spark-line" x1="0" x2="{WIDTH}" y1="{y}" y2="{y}"/>')
    parts += [_bar(slot, p.share, low_below) for slot, p in enumerate(reversed(points))]
    parts.append("</svg>")
    return mark_safe("".join(parts))  # numbers and the escaped text only

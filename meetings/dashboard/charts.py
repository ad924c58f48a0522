"""Small bar charts as inline SVG, drawn on the server: no JavaScript, nothing from a CDN.

A chart shows one share per meeting (oldest left), each bar as high as its percent. It is
an image with a text alternative: ``role="img"`` and an ``aria-label`` that reads every
figure ("Attendance: 12.01.2027 75 % (3 of 4); …"), the same text as its ``<title>``
(a tooltip), and a ``<title>`` per bar. Colours come from classes in static/css/admin.css,
so the strict Content-Security-Policy (no inline styles) holds and dark mode follows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from meetings.domain.health import WINDOW, Share

BAR, GAP, HEIGHT = 8, 3, 24
WIDTH = WINDOW * (BAR + GAP) - GAP
NO_FIGURE_HEIGHT = 2


@dataclass(frozen=True)
class Point:
    label: str  # the meeting's local date, e.g. "12.01.2027"
    share: Share


def share_text(share: Share) -> str:
    """ "75 % (3 of 4)", or "–" when there was nothing to count."""
    if share.percent is None:
        return "–"
    return _("%(percent)s %% (%(part)s of %(whole)s)") % {
        "percent": share.percent,
        "part": share.part,
        "whole": share.whole,
    }


def describe(title: str, points: Sequence[Point]) -> str:
    if not points:
        return _("%(title)s: no meeting held yet") % {"title": title}
    figures = "; ".join(f"{point.label} {share_text(point.share)}" for point in points)
    return f"{title}: {figures}"


def _bar(index: int, point: Point, low_below: int | None) -> tuple:
    x = WIDTH - (index + 1) * (BAR + GAP) + GAP
    percent = point.share.percent
    if percent is None:
        height, css = NO_FIGURE_HEIGHT, "spark-bar none"
    else:
        height = max(1, round(percent * (HEIGHT - 1) / 100))
        low = low_below is not None and point.share.below(low_below)
        css = "spark-bar low" if low else "spark-bar"
    label = f"{point.label}: {share_text(point.share)}"
    return css, x, HEIGHT - height, BAR, height, label


def spark(
    *, title: str, points: Sequence[Point], low_below: int | None = None, guide: bool = False
) -> SafeString:
    """An SVG bar chart of ``points`` (oldest first, at most :data:`WINDOW` of them); bars
    of shares under ``low_below`` percent are marked "low", with a line there if ``guide``."""
    points = list(points)[-WINDOW:]
    text = describe(title, points)
    bars = format_html_join(
        "",
        '<rect class="{}" x="{}" y="{}" width="{}" height="{}"><title>{}</title></rect>',
        (_bar(index, point, low_below) for index, point in enumerate(reversed(points))),
    )
    line = ""
    if guide and low_below is not None:
        y = HEIGHT - round(low_below * (HEIGHT - 1) / 100)
        line = format_html(
            '<line class="spark-line" x1="0" x2="{}" y1="{}" y2="{}"></line>', WIDTH, y, y
        )
    return format_html(
        '<svg class="spark" role="img" aria-label="{}" width="{}" height="{}" '
        'viewBox="0 0 {} {}" xmlns="http://www.w3.org/2000/svg"><title>{}</title>'
        '<line class="spark-base" x1="0" x2="{}" y1="{}" y2="{}"></line>{}{}</svg>',
        text,
        WIDTH,
        HEIGHT,
        WIDTH,
        HEIGHT,
        text,
        WIDTH,
        HEIGHT - 0.5,
        HEIGHT - 0.5,
        line,
        bars,
    )

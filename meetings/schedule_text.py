"""A group's schedule in words, in the active language:
"alle 2 Wochen dienstags, 19:00–21:00 (Europe/Berlin)", "every 2 weeks on Tuesdays,
7–9 p.m. (Europe/Berlin)". Times are the schedule's wall-clock times in its own zone.
"""

from __future__ import annotations

import datetime as dt

from django.utils import formats
from django.utils.translation import ngettext, pgettext

from meetings.models import Schedule

# Django's English TIME_FORMAT ends in "a.m."/"p.m."; a range shares it once: "7–9 p.m."
_SHARED_SUFFIXES = (" a.m.", " p.m.")


def _weekdays(weekday: int) -> str:
    return (
        pgettext("every … weeks on", "Mondays"),
        pgettext("every … weeks on", "Tuesdays"),
        pgettext("every … weeks on", "Wednesdays"),
        pgettext("every … weeks on", "Thursdays"),
        pgettext("every … weeks on", "Fridays"),
        pgettext("every … weeks on", "Saturdays"),
        pgettext("every … weeks on", "Sundays"),
    )[weekday]


def time_range(start: dt.time, end: dt.time) -> str:
    first, last = formats.time_format(start), formats.time_format(end)
    for suffix in _SHARED_SUFFIXES:
        if first.endswith(suffix) and last.endswith(suffix):
            first = first.removesuffix(suffix)
    return f"{first}–{last}"


def describe(schedule: Schedule) -> str:
    start = dt.datetime.combine(dt.date(2000, 1, 3), schedule.start_time)
    end = (start + dt.timedelta(minutes=schedule.duration_minutes)).time()
    every = ngettext(
        "every week on %(weekdays)s, %(time)s",
        "every %(n)s weeks on %(weekdays)s, %(time)s",
        schedule.every_weeks,
    ) % {
        "n": schedule.every_weeks,
        "weekdays": _weekdays(schedule.weekday),
        "time": time_range(schedule.start_time, end),
    }
    return f"{every} ({schedule.time_zone})"

"""Calendar arithmetic for a group's term (pure: no Django)."""

import calendar
import datetime as dt


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later; the month's last day where it is shorter (31 Jan + 1
    month is 28 or 29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))

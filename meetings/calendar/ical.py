"""Pure iCalendar (RFC 5545 / RFC 7986 / RFC 6047) builders for meetings.

No Django imports: everything here works on plain data (:class:`EventData`) and
returns the serialized calendar as bytes (UTF-8, CRLF line endings, lines folded
at 75 octets by ``icalendar``).

Time zones
----------
Every event is written as local time in its ``time_zone`` with a ``TZID``
parameter (``DTSTART;TZID=Europe/Berlin:20250330T190000``) and the calendar
contains one ``VTIMEZONE`` per TZID used (plus one for ``X-WR-TIMEZONE``).
A local time that occurs twice (the hour when clocks go back) is written in UTC
instead: a TZID time there is ambiguous and parsers disagree on which one it is.

The ``VTIMEZONE`` observances are read off zoneinfo's own transitions, one
sub-component per change (:mod:`meetings.calendar.vtimezone`).

Zones that icalendar considers equivalent to UTC (``UTC``, ``Etc/UTC``,
``Africa/Abidjan``, ``Iceland``, ...) are written as UTC (``...Z``) without a
``VTIMEZONE``, as RFC 5545 requires for UTC.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

from icalendar import (
    Calendar,
    Conference,
    Event,
    vCalAddress,
    vDatetime,
    vDuration,
    vText,
    vUri,
)

from meetings.calendar.vtimezone import vtimezone as _vtimezone
from meetings.calendar.vtimezone import zone as _zone

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["EventData", "build_calendar", "event_uid", "web_uri"]

METHODS = frozenset({"PUBLISH", "REQUEST", "CANCEL"})
STATUSES = frozenset({"CONFIRMED", "TENTATIVE", "CANCELLED"})

# C0 controls except HTAB and LF, plus DEL: not allowed in TEXT (RFC 5545 3.3.11).
_TEXT_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# Parameter values additionally must not contain LF or DQUOTE unescaped; rather
# than relying on RFC 6868 (^n, ^') which Outlook does not understand we replace them.
_PARAM_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]+")
_URI_FORBIDDEN_RE = re.compile(r"[\x00-\x20\x7f]")
# Characters a URI may carry as they are (RFC 3986 reserved and unreserved, and "%").
_URI_SAFE = "!#$%&'()*+,/:;=?@[]~"


@dataclass(frozen=True)
class EventData:
    """Everything needed to render one VEVENT."""

    uid: str
    sequence: int
    dtstamp: datetime  # aware
    last_modified: datetime  # aware
    starts_at: datetime  # aware (any tz); emitted in ``time_zone`` with TZID
    ends_at: datetime
    time_zone: str  # IANA name, e.g. "Europe/Berlin"
    summary: str
    description: str = ""
    location: str = ""  # the video link, as text
    url: str = ""  # the meeting's page
    conference: str = ""  # the video link (RFC 7986 CONFERENCE)
    conference_label: str = ""
    status: str = "CONFIRMED"  # or "CANCELLED"
    organizer_email: str = ""  # for iMIP
    organizer_name: str = ""
    attendees: tuple[tuple[str, str], ...] = ()  # (email, name) for iMIP


def event_uid(meeting_id: int, domain: str) -> str:
    """Stable UID for a meeting: it must never change for the same meeting."""
    return f"meeting-{int(meeting_id)}@{domain}"


def build_calendar(
    *,
    events: Sequence[EventData],
    time_zone: str,
    name: str = "",
    method: str | None = None,
    feed: bool = False,
    refresh_minutes: int = 60,
    product_id: str = "-//Mastermind//Mastermind//EN",
) -> bytes:
    """Serialize ``events`` into a complete VCALENDAR.

    ``method`` is ``None`` for subscription feeds and downloads (no METHOD property), or
    one of ``PUBLISH``/``REQUEST``/``CANCEL`` for iMIP (RFC 6047) attachments. Only with
    ``feed`` does the calendar get a name and a refresh interval (``NAME``,
    ``X-WR-CALNAME``, ``REFRESH-INTERVAL``, ``X-PUBLISHED-TTL``): in an invitation or a
    download they would make some clients create a calendar of that name. With
    ``CANCEL`` every event is written with ``STATUS:CANCELLED``. ``REQUEST`` and
    ``CANCEL`` require ``organizer_email`` on every event; ``REQUEST`` also at
    least one attendee.

    Raises :class:`ValueError` for invalid input (naive datetimes, unknown time
    zone, invalid method/status, e-mail addresses with whitespace or control
    characters, ...). A ``url`` or ``conference`` that is no web address is left out.
    """
    if method is not None:
        method = method.upper()
        if method not in METHODS:
            raise ValueError(f"Unsupported METHOD {method!r}; expected one of {sorted(METHODS)}")
    if refresh_minutes <= 0:
        raise ValueError("refresh_minutes must be positive")
    calendar_zone = _zone(time_zone)

    calendar = Calendar()
    calendar.add("VERSION", "2.0")
    calendar.add("PRODID", vText(_clean_text(product_id)))
    calendar.add("CALSCALE", "GREGORIAN")
    if method is not None:
        calendar.add("METHOD", method)
    if feed:
        # NAME (RFC 7986) and X-WR-CALNAME are TEXT: "," ";" "\\" and newlines escaped.
        # icalendar's type map knows neither (nor does its calendar_name setter escape),
        # so wrap the value in vText ourselves.
        calendar.add("NAME", vText(_clean_text(name)))
        calendar.add("X-WR-CALNAME", vText(_clean_text(name)))
    calendar.add("X-WR-TIMEZONE", vText(time_zone))
    if feed:
        refresh = timedelta(minutes=refresh_minutes)
        # RFC 7986 5.7: the VALUE=DURATION parameter is REQUIRED.
        calendar.add("REFRESH-INTERVAL", vDuration(refresh), parameters={"VALUE": "DURATION"})
        calendar.add("X-PUBLISHED-TTL", vDuration(refresh))

    vevents: list[Event] = []
    tzids: set[str] = set()
    first_day: date | None = None
    last_day: date | None = None
    for data in events:
        vevent, local_start, local_end = _build_event(data, method)
        vevents.append(vevent)
        for prop_name in ("DTSTART", "DTEND"):
            tzid = vevent[prop_name].params.get("TZID")
            if tzid:
                tzids.add(tzid)
        start_day = local_start.date() - timedelta(days=1)
        end_day = local_end.date() + timedelta(days=1)
        first_day = start_day if first_day is None else min(first_day, start_day)
        last_day = end_day if last_day is None else max(last_day, end_day)

    calendar_tzid = _tzid_for(calendar_zone)
    if calendar_tzid is not None:
        tzids.add(calendar_tzid)
    if first_day is None or last_day is None:
        # Empty calendar: only the X-WR-TIMEZONE zone, for the current year.
        first_day = last_day = datetime.now(UTC).date()

    # VTIMEZONEs first so they precede the events that reference them.
    for tzid in sorted(tzids):
        calendar.add_component(_vtimezone(tzid, first_day.year, last_day.year))
    for vevent in vevents:
        calendar.add_component(vevent)
    return calendar.to_ical()


# --------------------------------------------------------------------------- events


def _build_event(data: EventData, method: str | None) -> tuple[Event, datetime, datetime]:
    zone = _zone(data.time_zone)
    start = _local(data.starts_at, zone, "starts_at")
    end = _local(data.ends_at, zone, "ends_at")
    if end < start:
        raise ValueError(f"ends_at is before starts_at for event {data.uid!r}")
    status = "CANCELLED" if method == "CANCEL" else data.status.upper()
    if status not in STATUSES:
        raise ValueError(f"Unsupported STATUS {data.status!r}")
    if data.sequence < 0:
        raise ValueError("sequence must not be negative")

    vevent = Event()
    vevent.add("UID", vText(_clean_text(data.uid)))
    # icalendar converts DTSTAMP / LAST-MODIFIED to UTC itself; be explicit anyway.
    vevent.add("DTSTAMP", _utc(data.dtstamp, "dtstamp"))
    vevent.add("LAST-MODIFIED", _utc(data.last_modified, "last_modified"))
    vevent.add("SEQUENCE", int(data.sequence))
    # A zoneinfo datetime gets TZID=<zone key> from icalendar (UTC-like zones: "Z").
    vevent.add("DTSTART", vDatetime(_unambiguous(start)))
    vevent.add("DTEND", vDatetime(_unambiguous(end)))
    vevent.add("SUMMARY", vText(_clean_text(data.summary)))
    if data.description:
        vevent.add("DESCRIPTION", vText(_clean_text(data.description)))
    if data.location:
        vevent.add("LOCATION", vText(_clean_text(data.location)))
    url = web_uri(data.url)
    if url:
        vevent.add("URL", vUri(url))
    conference = web_uri(data.conference)
    if conference:
        label = _clean_param(data.conference_label) or None
        vevent.conferences = [Conference(conference, feature="VIDEO", label=label)]
    vevent.add("STATUS", status)
    # A cancelled meeting no longer blocks the evening in free/busy views.
    vevent.add("TRANSP", "TRANSPARENT" if status == "CANCELLED" else "OPAQUE")

    if method in ("REQUEST", "CANCEL") and not data.organizer_email:
        raise ValueError(f"METHOD:{method} requires an organizer_email")
    if method == "REQUEST" and not data.attendees:
        raise ValueError("METHOD:REQUEST requires at least one attendee")
    if data.organizer_email:
        vevent.add("ORGANIZER", _cal_address(data.organizer_email, data.organizer_name))
    for email, attendee_name in data.attendees:
        vevent.add(
            "ATTENDEE",
            _cal_address(
                email,
                attendee_name,
                ROLE="REQ-PARTICIPANT",
                PARTSTAT="NEEDS-ACTION",
                RSVP="FALSE",
            ),
        )
    return vevent, start, end


def _cal_address(email: str, display_name: str, **params: str) -> vCalAddress:
    email = email.strip()
    if "@" not in email:
        raise ValueError(f"Invalid e-mail address {email!r}")
    address = vCalAddress(_check_uri(f"mailto:{email}", "e-mail address"))
    display_name = _clean_param(display_name)
    if display_name:
        address.params["CN"] = display_name
    address.params.update(params)
    return address


# ---------------------------------------------------------------------------- helpers


def _tzid_for(zone: ZoneInfo) -> str | None:
    """The TZID icalendar writes for datetimes in ``zone`` (None for UTC-like zones)."""
    return vDatetime(datetime(2000, 1, 1, tzinfo=zone)).params.get("TZID")


def _require_aware(value: datetime, field: str) -> None:
    if not isinstance(value, datetime):
        raise ValueError(f"{field} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{field} must be timezone-aware")


def _local(value: datetime, zone: ZoneInfo, field: str) -> datetime:
    _require_aware(value, field)
    return value.astimezone(zone).replace(microsecond=0)


def _unambiguous(local: datetime) -> datetime:
    """``local`` itself, or in UTC if its wall time occurs twice (clocks going back)."""
    other = local.replace(fold=1 - local.fold)
    if other.utcoffset() != local.utcoffset():
        return local.astimezone(UTC)
    return local


def web_uri(value: str) -> str:
    """An http(s) address as a URI: non-ASCII percent-encoded (host in IDNA), or "".

    Stored links come from forms that validated them, but a value that is no web address
    (a typo in a shell, an old row) must cost its property, not the whole feed.
    """
    value = str(value or "").strip()
    if not value or _URI_FORBIDDEN_RE.search(value):
        return ""
    try:
        parts = urlsplit(value)
        host = parts.hostname or ""
        port = parts.port
        ascii_host = host.encode("idna").decode("ascii") if host else ""
    except (ValueError, UnicodeError):
        return ""
    if parts.scheme.lower() not in ("http", "https") or not ascii_host:
        return ""
    if ":" in ascii_host:  # an IPv6 literal
        ascii_host = f"[{ascii_host}]"
    netloc = ascii_host if port is None else f"{ascii_host}:{port}"
    if parts.username is not None:
        userinfo = quote(parts.username, safe=_URI_SAFE)
        if parts.password is not None:
            userinfo += ":" + quote(parts.password, safe=_URI_SAFE)
        netloc = f"{userinfo}@{netloc}"
    return urlunsplit(
        (
            parts.scheme.lower(),
            netloc,
            quote(parts.path, safe=_URI_SAFE),
            quote(parts.query, safe=_URI_SAFE),
            quote(parts.fragment, safe=_URI_SAFE),
        )
    )


def _utc(value: datetime, field: str) -> datetime:
    _require_aware(value, field)
    return value.astimezone(UTC).replace(microsecond=0)


def _clean_text(value: str) -> str:
    """Normalise line breaks and drop control characters not allowed in TEXT."""
    value = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return _TEXT_CONTROL_RE.sub("", value)


def _clean_param(value: str) -> str:
    return _PARAM_CONTROL_RE.sub(" ", str(value)).replace('"', "'").strip()


def _check_uri(value: str, field: str) -> str:
    value = str(value).strip()
    if _URI_FORBIDDEN_RE.search(value):
        raise ValueError(f"{field} must not contain whitespace or control characters")
    return value

// Parse an iCalendar document with Mozilla's ical.js (the engine used by
// Thunderbird) and print a JSON summary of its events.
//
// Usage: node tests/js/parse_ics.mjs [text-property ...] < calendar.ics
//
// Properties named on the command line (e.g. "name", RFC 7986) are registered as TEXT
// first, so their escapes are undone as by a client that knows them.
//
// Every VTIMEZONE in the document is registered with ICAL.TimezoneService,
// so local <-> UTC conversions use the time zone definitions shipped in the
// file itself (ical.js has no built-in tz database), exactly like a client
// that does not know the TZID would.
//
// Output:
// {
//   "method": "REQUEST" | null,
//   "name", "x_wr_calname": the calendar's NAME and X-WR-CALNAME (or null),
//   "timezones": ["Europe/Berlin", ...],
//   "events": [{
//     "uid", "sequence", "status", "summary", "description", "location", "url",
//     "transp", "conference",
//     "organizer", "attendees": [...],
//     "start": {"local": "2025-03-30T19:00:00", "tzid": "Europe/Berlin",
//               "zone": "Europe/Berlin", "utc": "2025-03-30T17:00:00Z"},
//     "end": {...}
//   }]
// }
// "tzid" is the TZID parameter as written, "zone" the zone ical.js resolved
// it to ("floating" if it could not be resolved, "UTC" for Z times).

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
// Resolve relative to this script so it works from any working directory.
const ICAL = (await import(require.resolve("ical.js"))).default;

function describeTime(prop) {
  if (!prop) {
    return null;
  }
  const time = prop.getFirstValue();
  const utc = time.convertToZone(ICAL.Timezone.utcTimezone);
  return {
    local: time.toString(),
    tzid: prop.getParameter("tzid") ?? null,
    zone: time.zone ? time.zone.tzid : null,
    utc: utc.toString(),
    is_date: time.isDate,
  };
}

function textOrNull(component, name) {
  const value = component.getFirstPropertyValue(name);
  return value === null || value === undefined ? null : String(value);
}

function describeAddress(prop) {
  return {
    value: String(prop.getFirstValue()),
    cn: prop.getParameter("cn") ?? null,
    role: prop.getParameter("role") ?? null,
    partstat: prop.getParameter("partstat") ?? null,
    rsvp: prop.getParameter("rsvp") ?? null,
  };
}

function main() {
  for (const name of process.argv.slice(2)) {
    ICAL.design.icalendar.property[name.toLowerCase()] = { defaultType: "text" };
  }
  const text = readFileSync(0, "utf8");
  const root = new ICAL.Component(ICAL.parse(text));

  const timezones = [];
  for (const vtimezone of root.getAllSubcomponents("vtimezone")) {
    const timezone = new ICAL.Timezone(vtimezone);
    ICAL.TimezoneService.register(timezone);
    timezones.push(timezone.tzid);
  }

  const events = root.getAllSubcomponents("vevent").map((vevent) => {
    const organizer = vevent.getFirstProperty("organizer");
    return {
      uid: textOrNull(vevent, "uid"),
      sequence: vevent.getFirstPropertyValue("sequence"),
      status: textOrNull(vevent, "status"),
      summary: textOrNull(vevent, "summary"),
      description: textOrNull(vevent, "description"),
      location: textOrNull(vevent, "location"),
      url: textOrNull(vevent, "url"),
      transp: textOrNull(vevent, "transp"),
      conference: textOrNull(vevent, "conference"),
      organizer: organizer ? describeAddress(organizer) : null,
      attendees: vevent.getAllProperties("attendee").map(describeAddress),
      start: describeTime(vevent.getFirstProperty("dtstart")),
      end: describeTime(vevent.getFirstProperty("dtend")),
    };
  });

  const output = {
    method: textOrNull(root, "method"),
    name: textOrNull(root, "name"),
    x_wr_calname: textOrNull(root, "x-wr-calname"),
    timezones,
    events,
  };
  process.stdout.write(JSON.stringify(output, null, 2) + "\n");
}

main();

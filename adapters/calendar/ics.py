"""RFC 5545 feeds with the icalendar package, times in Europe/London with a VTIMEZONE."""

from __future__ import annotations

from collections.abc import Sequence

import icalendar

from service.domain.calendar import CalendarEntry
from service.domain.timeslots import LONDON


class IcsWriter:
    def feed(self, name: str, entries: Sequence[CalendarEntry]) -> bytes:
        calendar = icalendar.Calendar()
        calendar.add("prodid", "-//Roomhire//Room bookings//EN")
        calendar.add("version", "2.0")
        calendar.add("x-wr-calname", name)
        calendar.add("x-wr-timezone", "Europe/London")
        for entry in entries:
            event = icalendar.Event()
            event.add("uid", entry.uid)
            event.add("summary", entry.summary)
            event.add("location", entry.location)
            event.add("dtstart", entry.start.astimezone(LONDON))
            event.add("dtend", entry.end.astimezone(LONDON))
            event.add("dtstamp", entry.stamp)
            event.add("status", "CANCELLED" if entry.cancelled else "CONFIRMED")
            calendar.add_component(event)
        calendar.add_missing_timezones()
        return bytes(calendar.to_ical())

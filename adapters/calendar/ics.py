"""RFC 5545 feeds with the icalendar package, times in Europe/London with a VTIMEZONE."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, timedelta

import icalendar

from service.domain.calendar import CalendarEntry
from service.domain.timeslots import LONDON, Interval
from service.domain.venue_invitations import Invitation, Method, Occurrence


class IcsWriter:
    def feed(self, name: str, entries: Sequence[CalendarEntry]) -> bytes:
        calendar = _calendar()
        calendar.add("x-wr-calname", name)
        calendar.add("x-wr-timezone", "Europe/London")
        calendar.add_component(london_timezone())
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
        return bytes(calendar.to_ical())

    def invitation(self, invite: Invitation) -> bytes:
        """An iTIP message (RFC 5546): the series as one event with a weekly rule and its
        excluded dates, or the cancellation of some of its occurrences or of all of it."""
        calendar = _calendar()
        calendar.add("method", invite.method.value)
        calendar.add_component(london_timezone())
        if invite.method is Method.CANCEL and invite.cancelled:
            for occurrence in invite.cancelled:
                calendar.add_component(_occurrence(invite, occurrence))
            return bytes(calendar.to_ical())
        event = _event(invite, invite.first, invite.location)
        if invite.repeat is not None and invite.until is not None:
            weeks = invite.repeat.days // 7
            until = invite.until.astimezone(UTC)  # UTC, as RFC 5545 wants with a TZID
            event.add("rrule", {"freq": "weekly", "interval": weeks, "until": until})
        for excluded in invite.excluded:
            event.add("exdate", excluded.astimezone(LONDON))
        calendar.add_component(event)
        for moved in invite.moved:
            calendar.add_component(_occurrence(invite, moved))
        return bytes(calendar.to_ical())


def _calendar() -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Roomhire//Room bookings//EN")
    calendar.add("version", "2.0")
    return calendar


def _occurrence(invite: Invitation, occurrence: Occurrence) -> icalendar.Event:
    """One occurrence of the series on its own: moved, or called off."""
    event = _event(invite, occurrence.slot, occurrence.location)
    event.add("recurrence-id", occurrence.recurrence_id.astimezone(LONDON))
    return event


def _event(invite: Invitation, slot: Interval, location: str) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", invite.uid)
    event.add("sequence", invite.sequence)
    event.add("dtstamp", invite.stamp)
    event.add("dtstart", slot.start.astimezone(LONDON))
    event.add("dtend", slot.end.astimezone(LONDON))
    event.add("summary", invite.summary)
    event.add("location", location)
    event.add("description", invite.description)
    event.add("organizer", f"mailto:{invite.organizer}", parameters={"cn": "Roomhire"})
    event.add(
        "attendee",
        f"mailto:{invite.attendee}",
        parameters={"role": "REQ-PARTICIPANT", "partstat": "NEEDS-ACTION", "rsvp": "FALSE"},
    )
    cancelling = invite.method is Method.CANCEL
    event.add("status", "CANCELLED" if cancelling else "CONFIRMED")
    event.add("transp", "OPAQUE")
    return event


def london_timezone() -> icalendar.Timezone:
    """Europe/London as the UK's rules say, for every year since 1996: clocks go forward at
    01:00 GMT on the last Sunday of March and back at 02:00 BST (01:00 GMT) on the last Sunday
    of October. Written out, not generated: the generated one put the change to BST at 02:00
    GMT, an hour late, and stopped in 2037."""
    zone = icalendar.Timezone()
    zone.add("tzid", "Europe/London")
    for kind, name, before, after, start, month in (
        (icalendar.TimezoneDaylight, "BST", "+0000", "+0100", "19960331T010000", 3),
        (icalendar.TimezoneStandard, "GMT", "+0100", "+0000", "19961027T020000", 10),
    ):
        change = kind()
        change.add("tzname", name)
        change.add("tzoffsetfrom", _offset(before))
        change.add("tzoffsetto", _offset(after))
        change["dtstart"] = start  # local time before the change, as RFC 5545 wants
        change.add("rrule", {"freq": "yearly", "bymonth": month, "byday": "-1SU"})
        zone.add_component(change)
    return zone


def _offset(text: str) -> timedelta:
    return timedelta(hours=int(text[:3]), minutes=int(text[0] + text[3:]))

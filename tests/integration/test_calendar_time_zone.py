"""The feeds' VTIMEZONE, read by an independent RFC 5545 parser (vobject) under a name only
the feed defines, gives every session the instant it was booked for, across both clock
changes; and the zone changes at 01:00 GMT, not an hour late."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from adapters.calendar.ics import IcsWriter
from service.domain.calendar import CalendarEntry
from service.domain.timeslots import london_instant

vobject = pytest.importorskip("vobject")
ZONE = "Roomhire-Test/London"  # not a zone any library knows: only the feed's own definition

SESSIONS = [  # London wall-clock starts around the changes of 2027 (28 March, 31 October)
    (date(2027, 3, 27), time(13)),
    (date(2027, 3, 28), time(0, 30)),
    (date(2027, 3, 28), time(3)),
    (date(2027, 3, 29), time(13)),
    (date(2027, 10, 30), time(13)),
    (date(2027, 10, 31), time(0, 30)),
    (date(2027, 10, 31), time(2, 30)),
    (date(2027, 11, 1), time(13)),
    (date(2040, 7, 3), time(13)),  # long after 2037
]


def parsed_feed() -> object:
    entries = [
        CalendarEntry(
            uid=f"s{n}",
            summary="Room hire",
            location="Hall",
            start=london_instant(day, at),
            end=london_instant(day, at) + timedelta(hours=1),
            cancelled=False,
            stamp=datetime(2027, 1, 1, tzinfo=UTC),
        )
        for n, (day, at) in enumerate(SESSIONS)
    ]
    feed = IcsWriter().feed("Sessions", entries).decode().replace("Europe/London", ZONE)
    return vobject.readOne(feed)


def test_every_session_is_at_the_instant_it_was_booked_for() -> None:
    calendar = parsed_feed()
    starts = {e.uid.value: e.dtstart.value for e in calendar.vevent_list}  # type: ignore[attr-defined]
    for n, (day, at) in enumerate(SESSIONS):
        assert starts[f"s{n}"].astimezone(UTC) == london_instant(day, at), (day, at)


@pytest.mark.parametrize(
    ("instant", "offset"),
    [
        (datetime(2027, 3, 28, 0, 59, tzinfo=UTC), 0),
        (datetime(2027, 3, 28, 1, 30, tzinfo=UTC), 1),  # the old feed said GMT until 02:00 UTC
        (datetime(2027, 10, 31, 0, 59, tzinfo=UTC), 1),
        (datetime(2027, 10, 31, 1, 30, tzinfo=UTC), 0),
    ],
)
def test_the_clocks_change_at_one_in_the_morning_gmt(instant: datetime, offset: int) -> None:
    calendar = parsed_feed()
    zone = calendar.vevent_list[0].dtstart.value.tzinfo  # type: ignore[attr-defined]
    assert instant.astimezone(zone).utcoffset() == timedelta(hours=offset)

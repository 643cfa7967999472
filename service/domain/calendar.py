"""Entries of an iCalendar feed, independent of the format."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class CalendarEntry:
    uid: str
    summary: str
    location: str
    start: datetime
    end: datetime
    cancelled: bool
    stamp: datetime

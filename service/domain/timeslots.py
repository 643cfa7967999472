"""Wall-clock times in Europe/London turned into exact UTC instants, and said as people say them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from service.domain.errors import RuleViolation

LONDON = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class Interval:
    """A half-open span of time [start, end) between two aware datetimes."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("Interval needs timezone-aware datetimes")
        if self.end <= self.start:
            raise RuleViolation("The end must be after the start.")

    def overlaps(self, other: Interval) -> bool:
        return self.start < other.end and other.start < self.end

    def widened(self, before: timedelta, after: timedelta) -> Interval:
        return Interval(self.start - before, self.end + after)


def spoken_date(day: date | datetime) -> str:
    """As people say it, in London: 'Tuesday 12 January 2027'."""
    if isinstance(day, datetime):
        day = day.astimezone(LONDON).date()
    return f"{day:%A} {day.day} {day:%B %Y}"


def london_instant(day: date, at: time) -> datetime:
    """The UTC instant of a London wall-clock time; refuses times the clock change skips."""
    local = datetime.combine(day, at, LONDON)
    instant = local.astimezone(UTC)
    if instant.astimezone(LONDON).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise RuleViolation(
            f"{at:%H:%M} does not exist on {spoken_date(day)} in London (the clocks go forward)."
        )
    if local.replace(fold=1).utcoffset() != local.utcoffset():
        raise RuleViolation(
            f"{at:%H:%M} happens twice on {spoken_date(day)} in London (the clocks go back), "
            "so a session can't start or end then; choose another time."
        )
    return instant


def london_slot(day: date, start: time, end: time) -> Interval:
    return Interval(london_instant(day, start), london_instant(day, end))


def london_days(first: date, last: date) -> Interval:
    """From London midnight starting `first` to the midnight ending `last` (both included)."""
    if last < first:
        raise RuleViolation("The last date is before the first.", field="to")
    return Interval(
        london_instant(first, time(0)), london_instant(last + timedelta(days=1), time(0))
    )


def as_london(moment: datetime) -> datetime:
    """Read an incoming datetime: naive values are London wall-clock time."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=LONDON)
    return moment.astimezone(LONDON)


def clock_time(at: time | datetime) -> str:
    """13:00 -> '1pm', 13:30 -> '1:30pm', 12:00 -> 'midday', 00:00 -> 'midnight'."""
    if isinstance(at, datetime):
        at = at.astimezone(LONDON).time()
    if at.minute == 0 and at.hour in (0, 12):
        return "midnight" if at.hour == 0 else "midday"
    hour = at.hour % 12 or 12
    minutes = f":{at.minute:02d}" if at.minute else ""
    return f"{hour}{minutes}{'am' if at.hour < 12 else 'pm'}"


def time_range(start: time | datetime, end: time | datetime) -> str:
    return f"{clock_time(start)} to {clock_time(end)}"


def when(start: datetime, end: datetime) -> str:
    """'Tuesday 12 January 2027, 1pm to 4pm' (London time)."""
    return f"{spoken_date(start)}, {time_range(start, end)}"

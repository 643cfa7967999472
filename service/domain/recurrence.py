"""Which dates a booking series falls on, and which it skips and why."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from service.domain.errors import RuleViolation
from service.domain.timeslots import spoken_date

MAX_SESSIONS = 104
MAX_HORIZON = timedelta(days=2 * 366)


class Frequency(StrEnum):
    ONCE = "once"
    WEEKLY = "weekly"
    FORTNIGHTLY = "fortnightly"

    @property
    def step(self) -> timedelta:
        return timedelta(weeks=2 if self is Frequency.FORTNIGHTLY else 1)


@dataclass(frozen=True)
class Skipped:
    day: date
    reason: str  # "bank holiday: New Year's Day", "venue closed: Decorating"

    @property
    def sentence(self) -> str:
        """Why it can't be booked: 'Friday 1 January 2027 is a bank holiday: New Year's Day'."""
        kind, _, why = self.reason.partition(": ")
        day = spoken_date(self.day)
        if kind == "bank holiday" and why:
            return f"{day} is a bank holiday: {why}"
        if kind == "venue closed" and why:
            return f"The venue is closed on {day}: {why}"
        return f"{day} can't be booked: {self.reason}"


@dataclass(frozen=True)
class Recurrence:
    """`count` sessions or every date `until`; skipped dates are made up at the end
    when `keep_count` is set (the usual closed 6- or 12-week group)."""

    first_date: date
    frequency: Frequency = Frequency.ONCE
    count: int | None = None
    until: date | None = None
    keep_count: bool = True

    def __post_init__(self) -> None:
        if self.frequency is Frequency.ONCE:
            if self.until is not None or self.count not in (None, 1):
                raise RuleViolation("A single booking has one session: leave out count and until.")
            return
        if (self.count is None) == (self.until is None):
            raise RuleViolation("A recurring booking needs either a count or an until date.")
        if self.count is not None and not 1 <= self.count <= MAX_SESSIONS:
            raise RuleViolation(f"A series has 1 to {MAX_SESSIONS} sessions.")
        if self.until is not None and not self.first_date <= self.until:
            raise RuleViolation("The until date is before the first date.")
        if self.until is not None and self.until - self.first_date > MAX_HORIZON:
            raise RuleViolation("A series can run for at most two years.")
        if self.count is not None and self.frequency.step * (self.count - 1) > MAX_HORIZON:
            last = self.first_date + self.frequency.step * (self.count - 1)
            raise RuleViolation(
                f"{self.count} {self.frequency.value} sessions would run until {spoken_date(last)}"
                f", but a series can run for at most two years: book at most "
                f"{MAX_HORIZON // self.frequency.step + 1} {self.frequency.value} sessions.",
                field="sessions",
            )


SkipRule = Callable[[date], str | None]


def plan(recurrence: Recurrence, skip_reason: SkipRule) -> tuple[list[date], list[Skipped]]:
    """Dates to book and dates skipped, in order."""
    held: list[date] = []
    skipped: list[Skipped] = []
    wanted = recurrence.count or 1
    day = recurrence.first_date
    while not _done(recurrence, day, len(held) + len(skipped), len(held), wanted):
        reason = skip_reason(day)
        if reason:
            skipped.append(Skipped(day, reason))
        else:
            held.append(day)
        day += recurrence.frequency.step
    if not held:
        raise _nothing_to_book(skipped)
    if len(held) > MAX_SESSIONS:  # only an until date can take it this far
        raise RuleViolation(
            f"{recurrence.frequency.value.capitalize()} sessions from "
            f"{spoken_date(recurrence.first_date)} until {spoken_date(held[-1])} would be "
            f"{len(held)} sessions, but a series has at most {MAX_SESSIONS}: end it on or "
            f"before {spoken_date(held[MAX_SESSIONS - 1])}.",
            field="until",
        )
    return held, skipped


def _nothing_to_book(skipped: list[Skipped]) -> RuleViolation:
    """Name the dates and why each can't be booked."""
    if len(skipped) == 1:
        sentence = skipped[0].sentence.rstrip(".")
        return RuleViolation(f"{sentence}.", date=skipped[0].day.isoformat())
    days = ", ".join(f"{spoken_date(s.day)} ({s.reason})" for s in skipped)
    return RuleViolation(
        f"None of this booking's dates can be booked: {days}.",
        dates=[s.day.isoformat() for s in skipped],
    )


def _done(r: Recurrence, day: date, seen: int, held: int, wanted: int) -> bool:
    if r.until is not None:
        return day > r.until
    makes_up_skips = r.keep_count and r.frequency is not Frequency.ONCE
    if (held if makes_up_skips else seen) >= wanted:
        return True
    if day - r.first_date > MAX_HORIZON:  # only made-up skipped dates take it this far
        skipped = seen - held
        dates = "date" if skipped == 1 else "dates"
        raise RuleViolation(
            f"{wanted} {r.frequency.value} sessions fit in two years, but with the {skipped} "
            f"skipped {dates} made up at the end the series would run past two years: book "
            "fewer sessions, or don't make up skipped dates (keep_session_count false).",
            field="sessions",
            skipped=skipped,
        )
    return False

"""How pages say dates, times and money: "Tuesday 12 January 2027", "1pm to 4pm", "£1,234.50"."""

from __future__ import annotations

from datetime import datetime, time

from flask import Flask

from service.domain.money import format_pounds
from service.domain.timeslots import LONDON, spoken_date


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


def init_app(app: Flask) -> None:
    app.add_template_filter(spoken_date, "long_date")
    app.add_template_filter(clock_time)
    app.add_template_filter(format_pounds, "pounds")
    app.add_template_global(time_range)
    app.add_template_global(when)

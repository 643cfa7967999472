"""How pages say dates, times and money: "Tuesday 12 January 2027", "1pm to 4pm", "£1,234.50"."""

from __future__ import annotations

from flask import Flask

from service.domain.money import format_pounds
from service.domain.timeslots import clock_time, spoken_date, time_range, when


def init_app(app: Flask) -> None:
    app.add_template_filter(spoken_date, "long_date")
    app.add_template_filter(clock_time)
    app.add_template_filter(format_pounds, "pounds")
    app.add_template_global(time_range)
    app.add_template_global(when)

"""Reading forms as people fill them in: each problem is kept against its field, worded for
a person, and what they typed is shown again."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, time
from typing import Any

from service.domain.errors import DomainError

_TIME = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?$")


class FormErrors:
    def __init__(self) -> None:
        self.messages: dict[str, str] = {}

    def add(self, field: str, message: str) -> None:
        self.messages.setdefault(field, message)

    def refusal(self, error: DomainError, default_field: str) -> None:
        """A use case's refusal, shown against the field it names (or the one given)."""
        self.add(str(error.details.get("field") or default_field), error.message)

    def __bool__(self) -> bool:
        return bool(self.messages)

    @property
    def summary(self) -> list[dict[str, str]]:
        return [{"text": m, "href": f"#{f}"} for f, m in self.messages.items()]

    def on(self, field: str) -> dict[str, str] | None:
        """The design system's errorMessage parameter for a field, if it has a problem."""
        message = self.messages.get(field)
        return {"text": message} if message else None


def read_date(
    form: Mapping[str, str], name: str, errors: FormErrors, what: str, *, required: bool = True
) -> date | None:
    """A date from the design system's three boxes: name[day], name[month], name[year]."""
    parts = [form.get(f"{name}[{part}]", "").strip() for part in ("day", "month", "year")]
    if not any(parts):
        if required:
            errors.add(name, f"Enter {what}")
        return None
    try:
        if not all(p.isdigit() for p in parts) or len(parts[2]) != 4:
            raise ValueError
        return date(int(parts[2]), int(parts[1]), int(parts[0]))
    except ValueError:
        errors.add(name, f"{what[:1].upper()}{what[1:]} must be a real date, like 12 1 2027")
        return None


def read_time(form: Mapping[str, str], name: str, errors: FormErrors, what: str) -> time | None:
    """'13:00', '13.30', '1pm', '1:30pm' and '9am' are all understood."""
    text = form.get(name, "").strip().lower().replace(" ", "")
    match = _TIME.match(text)
    if not text:
        errors.add(name, f"Enter {what}")
        return None
    hour, minute = (int(match.group(1)), int(match.group(2) or 0)) if match else (99, 0)
    if match and match.group(3):
        hour = -1 if not 1 <= hour <= 12 else hour % 12 + (12 if match.group(3) == "pm" else 0)
    if not match or not (0 <= hour < 24 and 0 <= minute < 60):
        errors.add(name, f"Enter {what} like 1pm or 13:00")
        return None
    return time(hour, minute)


def read_whole(
    form: Mapping[str, str], name: str, errors: FormErrors, what: str, *, least: int, most: int
) -> int | None:
    """An optional whole number between `least` and `most`."""
    text = form.get(name, "").strip()
    if not text:
        return None
    if not (text.isascii() and text.isdigit()) or not least <= int(text) <= most:
        errors.add(name, f"{what} must be a whole number from {least} to {most}")
        return None
    return int(text)


def date_items(form: Mapping[str, str], name: str, errors: FormErrors) -> list[dict[str, Any]]:
    """The design system's date input items, keeping what was typed."""
    classes = " nhsuk-input--error" if errors.on(name) else ""
    return [
        {
            "name": part,
            "value": form.get(f"{name}[{part}]", ""),
            "classes": f"nhsuk-input--width-{w}{classes}",
        }
        for part, w in (("day", 2), ("month", 2), ("year", 4))
    ]

"""Field types and schemas shared by the blueprints."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime, time
from typing import Any

from marshmallow import INCLUDE, Schema, ValidationError, fields, validate

from service.domain.timeslots import LONDON, as_london

MAX_ID = 2**31 - 1


def id_field(**kwargs: Any) -> fields.Integer:
    """An integer id that fits every database's INTEGER column."""
    return fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_ID), **kwargs)


def query_id_field(**kwargs: Any) -> fields.Integer:
    """An id in a query string, where every value arrives as text ("3")."""
    return fields.Integer(validate=validate.Range(min=1, max=MAX_ID), **kwargs)


EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)


def in_service_years(value: date) -> None:
    day = value.date() if isinstance(value, datetime) else value
    if not EARLIEST <= day <= LATEST:
        raise ValidationError(f"Must be between {EARLIEST} and {LATEST}.")


class Text(fields.String):
    """Free text from outside: trimmed, and no control characters but newline and tab
    (PostgreSQL refuses NUL, and nobody means to send the others)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text: str = super()._deserialize(value, attr, data, **kwargs)
        if any(unicodedata.category(c) == "Cc" and c not in "\n\t" for c in text):
            raise ValidationError("Control characters are not allowed.")
        if any(unicodedata.category(c) == "Cs" for c in text):  # no database can store one
            raise ValidationError("Not valid text: it has half of a surrogate pair (\\ud800).")
        return text.strip()


LINE_BREAKS = "\n\r\t\v\f\x85\u2028\u2029"


class Line(Text):
    """One line of text: names, codes, labels, anything that can reach an email header or a
    subject. A line break there could add headers (or stop the email being built at all)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if any(c in LINE_BREAKS for c in text):
            raise ValidationError("Must be one line: no line breaks or tabs.")
        return text


class EmailAddress(fields.Email):
    """An email address with nothing in it that can't go in an email header (marshmallow
    accepts control characters inside a quoted local part)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        address: str = super()._deserialize(value, attr, data, **kwargs)
        if any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in address):
            raise ValidationError("Not a valid email address: it has a control character.")
        return address


class StrictBoolean(fields.Boolean):
    """A JSON `true` or `false`, nothing else: marshmallow's Boolean also takes 1, 0, "yes",
    "off" and the like, so a mistyped value would silently mean something. For request bodies;
    a query string, where everything is text, would need the words."""

    default_error_messages = {"invalid": "Must be true or false (not 1, 0 or text)."}  # noqa: RUF012

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class LondonDateTime(fields.DateTime):
    """Reads naive values as London wall-clock time; writes ISO 8601 in London time."""

    # marshmallow's way to reword its messages (merged along the MRO), not shared state
    default_error_messages = {  # noqa: RUF012
        "invalid": "Not a valid date and time: use YYYY-MM-DDTHH:MM, like 2027-01-12T13:00 "
        "(London time, unless it ends with Z or an offset such as +01:00)."
    }

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return None if value is None else value.astimezone(LONDON).isoformat()

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        parsed = super()._deserialize(value, attr, data, **kwargs)
        in_service_years(parsed)
        return as_london(parsed)


class Day(fields.Date):
    default_error_messages = {  # noqa: RUF012
        "invalid": "Not a valid date: use YYYY-MM-DD, like 2027-01-12."
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(validate=in_service_years, **kwargs)


class ClockTime(fields.Time):
    """A wall-clock time of day, as on a timetable."""

    default_error_messages = {"invalid": "Not a valid time: use HH:MM, like 13:00."}  # noqa: RUF012

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> time:
        parsed: time = super()._deserialize(value, attr, data, **kwargs)
        if parsed.tzinfo is not None:  # London time is meant; an offset can't apply to it
            raise ValidationError("Give the time without an offset: London time, like 13:00.")
        return parsed


class ProblemSchema(Schema):
    """RFC 7807 problem details, with a stable `code` for programs; extension members
    (e.g. `booking_id` and `date` of a clash) may follow."""

    class Meta:
        unknown = INCLUDE

    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    code = fields.String(required=True)
    detail = fields.String(required=True)
    errors = fields.Dict()

"""Booking rooms, single or recurring, and cancelling sessions."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from service.api.blueprint import Blueprint, refuses
from service.api.edge import attachment, ctx, current_user, requires, uow
from service.api.fields import (
    EARLIEST,
    LATEST,
    ClockTime,
    Day,
    Line,
    LondonDateTime,
    StrictBoolean,
    id_field,
    query_id_field,
)
from service.api.idempotent import idempotent
from service.domain.bookings import BookingChanges, BookingRequest, BookingSeries, InvoiceCadence
from service.domain.directory import MAX_CAPACITY
from service.domain.recurrence import MAX_SESSIONS, Frequency, Recurrence
from service.domain.spreadsheets import XLSX
from service.domain.timeslots import Interval, london_days
from service.domain.users import Role
from service.usecases import booking, downloads
from service.usecases.booking import Cancellation
from service.usecases.downloads import Format

blp = Blueprint("bookings", __name__, url_prefix="/api/v1", description="Bookings and sessions")

_label = validate.Length(min=1, max=120)


class BookingInput(Schema):
    room_id = id_field(required=True)
    group_label = Line(
        required=True, validate=_label, metadata={"description": "Neutral name chosen by staff."}
    )
    invoice_description = Line(
        validate=_label, metadata={"description": "Invoice line text; default 'Room hire'."}
    )
    first_date = Day(required=True)
    start_time = ClockTime(required=True, metadata={"example": "13:00"})
    end_time = ClockTime(required=True, metadata={"example": "16:00"})
    expected_people = fields.Integer(
        strict=True,
        validate=validate.Range(min=1, max=MAX_CAPACITY),
        metadata={"description": "How many people are expected; the room must hold them."},
    )
    frequency = fields.Enum(Frequency, by_value=True, load_default=Frequency.ONCE)
    sessions = fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_SESSIONS))
    until = Day()
    keep_session_count = StrictBoolean(
        load_default=True,
        metadata={
            "description": "Make up skipped dates at the end so the series keeps N sessions."
        },
    )
    purchase_order_id = id_field(
        metadata={
            "description": "The PO covering the sessions up to its end date; later ones "
            "(after 31 March, say) are booked without a PO until one covers them."
        }
    )
    invoice_cadence = fields.Enum(
        InvoiceCadence, by_value=True, load_default=InvoiceCadence.MONTHLY
    )
    facilitator_id = id_field(
        metadata={"description": "Admin only; facilitators book for themselves."}
    )
    keep_bank_holidays = fields.List(
        Day(),
        load_default=list,
        validate=validate.Length(max=MAX_SESSIONS),
        metadata={
            "description": "Bank holidays to book anyway: dates of this booking that would "
            "otherwise be skipped as bank holidays (closures are still skipped). A date the "
            "booking doesn't fall on is refused."
        },
    )

    @validates_schema
    def _one_series_end(self, data: dict[str, Any], **_: Any) -> None:
        if data["frequency"] is not Frequency.ONCE and ("sessions" in data) == ("until" in data):
            raise ValidationError("Give either sessions or until for a recurring booking.")


class BookingChangesInput(Schema):
    group_label = Line(validate=_label)
    invoice_description = Line(validate=_label, allow_none=True)
    invoice_cadence = fields.Enum(InvoiceCadence, by_value=True)
    expected_people = fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_CAPACITY))

    @validates_schema
    def _something_to_change(self, data: dict[str, Any], **_: Any) -> None:
        if not data:
            raise ValidationError(
                "Give group_label, invoice_description, invoice_cadence or expected_people."
            )


class SessionSchema(Schema):
    id = fields.Integer()
    booking_id = fields.Integer(attribute="series_id")
    room_id = fields.Integer()
    date = fields.Date(attribute="local_date")
    starts_at = LondonDateTime(attribute="slot.start")
    ends_at = LondonDateTime(attribute="slot.end")
    status = fields.String()
    chargeable = fields.Boolean()
    net_pence = fields.Integer(attribute="charge.net")
    vat_pence = fields.Integer(attribute="charge.vat")
    gross_pence = fields.Integer(attribute="charge.gross")
    cancelled_at = LondonDateTime(allow_none=True)
    purchase_order_id = fields.Integer(allow_none=True)


class SkippedSchema(Schema):
    date = fields.Date(attribute="day")
    reason = fields.String()


class BookingSchema(Schema):
    id = fields.Integer()
    room_id = fields.Integer()
    facilitator_id = fields.Integer()
    group_label = fields.String()
    invoice_description = fields.String(attribute="description")
    frequency = fields.String(attribute="recurrence.frequency")
    start_time = fields.Time()
    end_time = fields.Time()
    purchase_order_ids = fields.List(
        fields.Integer(), metadata={"description": "The POs covering its sessions."}
    )
    needs_purchase_order_from = fields.Date(
        allow_none=True,
        metadata={
            "description": "The first chargeable session no PO covers (no PO, no invoice); "
            "null when every one is covered."
        },
    )
    trust_id = fields.Integer(allow_none=True, metadata={"description": "The facilitator's trust"})
    expected_people = fields.Integer(
        allow_none=True, metadata={"description": "null for a booking made before it was asked"}
    )
    invoice_cadence = fields.String()
    created_at = LondonDateTime()
    sessions = fields.List(fields.Nested(SessionSchema))
    skipped = fields.List(fields.Nested(SkippedSchema))


class CancelRestInput(Schema):
    from_date = Day(
        metadata={"description": "First date to cancel; default: every future session."}
    )


class _WhatItCosts(Schema):
    still_charged_pence = fields.Integer(
        metadata={"description": "What the venue will still be paid (gross): late cancellations."}
    )
    message = fields.String(
        attribute="cancelled_message",
        metadata={
            "example": "Cancelled 1 session; the venue will still be paid £75.00 because it "
            "was less than 48 hours away."
        },
    )


class CancelledSchema(_WhatItCosts):
    cancelled = fields.List(fields.Nested(SessionSchema), attribute="sessions")


class CancelledSessionSchema(SessionSchema, _WhatItCosts):
    """The session as cancelled, with what the venue will still be paid for it."""

    def get_attribute(self, obj: Cancellation, attr: str, default: Any) -> Any:
        about = obj if attr in ("still_charged_pence", "cancelled_message") else obj.sessions[0]
        return super().get_attribute(about, attr, default)


class BookingQuery(Schema):
    from_ = Day(
        data_key="from",
        metadata={"description": "Only series with a session on or after this date."},
    )
    to = Day(metadata={"description": "Only series with a session on or before this date."})
    room_id = query_id_field()


def _held(query: dict[str, Any]) -> Interval | None:
    if "from_" not in query and "to" not in query:
        return None
    return london_days(query.get("from_", EARLIEST), query.get("to", LATEST))


def _bookings_download(query: dict[str, Any], format: Format) -> Response:
    return attachment(
        downloads.bookings_download(
            ctx(), uow(), current_user(), format, room_id=query.get("room_id"), held=_held(query)
        )
    )


_DOWNLOAD = (
    "A row per session of the bookings `GET /bookings` lists (the same filters; with `from` "
    "or `to`, only the sessions on those days): booking, group, venue, room, date, times, "
    "status, people expected, PO, net, VAT and total (nothing for a session that isn't "
    "charged, so the column adds up to what the venue is owed) and whether it is invoiced."
)


@blp.route("/bookings.csv")
class BookingsCsv(MethodView):
    @refuses("422 rule_violation: `to` is before `from`")
    @blp.arguments(BookingQuery, location="query")
    @blp.response(200, {"type": "string"}, content_type="text/csv")
    @blp.doc(
        description=f"{_DOWNLOAD} Safe to open: cells a spreadsheet would run as formulas "
        "are neutralised."
    )
    def get(self, query: dict[str, Any]) -> Response:
        """Download bookings as CSV"""
        return _bookings_download(query, Format.CSV)


@blp.route("/bookings.xlsx")
class BookingsXlsx(MethodView):
    @refuses("422 rule_violation: `to` is before `from`")
    @blp.arguments(BookingQuery, location="query")
    @blp.response(200, {"type": "string", "format": "binary"}, content_type=XLSX)
    @blp.doc(
        description=f"{_DOWNLOAD} Sums of money are numbers in pounds, dates are dates; "
        "text is never run as a formula."
    )
    def get(self, query: dict[str, Any]) -> Response:
        """Download bookings as an Excel workbook"""
        return _bookings_download(query, Format.XLSX)


_NO_BOOKING = "404 not_found: there is no booking with that id (facilitators: of theirs)"
_PO_REFUSALS = (
    "404 not_found: there is no purchase order with that id",
    "409 po_not_valid: the PO is for another venue or trust, starts after a session it "
    "would cover, or ends before the first",
    "409 po_value_exceeded: the sessions would take the PO past its approved value",
)
bookers = requires(Role.FACILITATOR, Role.ADMIN)


@blp.route("/bookings")
class Bookings(MethodView):
    @refuses("422 rule_violation: `to` is before `from`")
    @blp.arguments(BookingQuery, location="query")
    @blp.response(200, BookingSchema(many=True))
    def get(self, query: dict[str, Any]) -> list[BookingSeries]:
        """List bookings

        Facilitators see their own bookings; finance and admin see all. `from` and `to`
        (London dates, either may be left out) keep the series with a session in between."""
        return booking.list_bookings(
            ctx(), uow(), current_user(), room_id=query.get("room_id"), held=_held(query)
        )

    @bookers
    @idempotent
    @refuses(
        "403 forbidden: a facilitator books for someone else",
        "404 not_found: there is no room with that id",
        *_PO_REFUSALS,
        "409 booking_clash: the room is booked at one of the times, set-up and clear-away "
        "included; `date` and `booking_id` say where",
        "409 room_too_small: the room holds fewer people than expected_people (`capacity`)",
        "422 rule_violation: the date is a bank holiday or the venue is closed (a single "
        "booking; a series skips such dates), a session would be in the past, the end is "
        "not after the start, a time the clocks skip, a series longer than two years, "
        "keep_bank_holidays names a date the booking doesn't fall on, or facilitator_id is "
        "not a facilitator",
        "422 patient_data_suspected: the group label or invoice description looks like patient "
        "data, such as an NHS number",
    )
    @blp.arguments(BookingInput)
    @blp.response(201, BookingSchema)
    def post(self, data: dict[str, Any]) -> BookingSeries:
        """Book a room once, weekly or fortnightly

        Bank holidays (of the venue's region, unless the venue opens on them) and venue
        closures in a series are skipped and listed (and made up at the end unless
        `keep_session_count` is false); `keep_bank_holidays` books chosen bank holidays
        anyway. A clash with another booking stores nothing. With `purchase_order_id` the PO
        covers the sessions up to its end date; `needs_purchase_order_from` names the first
        one left for the next PO."""
        actor = current_user()
        request = BookingRequest(
            room_id=data["room_id"],
            facilitator_id=data.get("facilitator_id") or actor.id or 0,
            group_label=data["group_label"].strip(),
            invoice_description=data.get("invoice_description"),
            recurrence=Recurrence(
                first_date=data["first_date"],
                frequency=data["frequency"],
                count=data.get("sessions"),
                until=data.get("until"),
                keep_count=data["keep_session_count"],
            ),
            start_time=data["start_time"],
            end_time=data["end_time"],
            purchase_order_id=data.get("purchase_order_id"),
            invoice_cadence=data["invoice_cadence"],
            expected_people=data.get("expected_people"),
            keep_bank_holidays=frozenset(data["keep_bank_holidays"]),
        )
        return booking.book(ctx(), uow(), actor, request)


@blp.route("/bookings/<int(max=2147483647):booking_id>")
class BookingById(MethodView):
    @refuses(_NO_BOOKING)
    @blp.response(200, BookingSchema)
    def get(self, booking_id: int) -> BookingSeries:
        """Read a booking

        Its sessions (with their status and charge) and the dates it skipped, and why."""
        return booking.get_booking(ctx(), uow(), current_user(), booking_id)

    @bookers
    @refuses(
        _NO_BOOKING,
        "409 room_too_small: a room of its sessions to come holds fewer than expected_people",
        "422 patient_data_suspected: the group label or invoice description looks like "
        "patient data, such as an NHS number",
    )
    @blp.arguments(BookingChangesInput)
    @blp.response(200, BookingSchema)
    def patch(self, data: dict[str, Any], booking_id: int) -> BookingSeries:
        """Change a booking's label, invoice wording, cadence or people expected

        Only the fields sent change; `invoice_description: null` goes back to "Room hire".
        The wording and cadence apply to invoices not yet issued. To move a session, see
        `POST /sessions/{id}/move`."""
        label = data.get("group_label")
        changes = BookingChanges(
            frozenset(data),
            group_label=label.strip() if label else None,
            invoice_description=data.get("invoice_description"),
            invoice_cadence=data.get("invoice_cadence"),
            expected_people=data.get("expected_people"),
        )
        return booking.change_booking(ctx(), uow(), current_user(), booking_id, changes)


class CoverInput(Schema):
    purchase_order_id = id_field(required=True)
    from_date = Day(
        metadata={
            "description": "Move the sessions from this date (not yet invoiced) to this PO, "
            "from whichever PO they were on; default: only the sessions no PO covers."
        }
    )


@blp.route("/bookings/<int(max=2147483647):booking_id>/purchase-order")
class CoverWithPurchaseOrder(MethodView):
    @refuses(
        _NO_BOOKING,
        *_PO_REFUSALS,
        "409 conflict: without from_date, every session is already on another PO",
        "422 rule_violation: no session from from_date is left to invoice",
    )
    @blp.arguments(CoverInput)
    @blp.response(200, BookingSchema)
    def post(self, data: dict[str, Any], booking_id: int) -> BookingSeries:
        """Put a booking's sessions on a purchase order

        The sessions no PO covers yet or, with `from_date`, every session from that date
        not yet invoiced (moved from the PO it was on: a new financial year's PO, say), up
        to the PO's end date. The PO must be for the booking's venue and trust, valid on
        those dates and have room for them. Asking again changes nothing."""
        return booking.cover_with_purchase_order(
            ctx(),
            uow(),
            current_user(),
            booking_id,
            data["purchase_order_id"],
            data.get("from_date"),
        )


@blp.route("/bookings/<int(max=2147483647):booking_id>/cancel")
class CancelRest(MethodView):
    @bookers
    @refuses(_NO_BOOKING, "422 rule_violation: no session to come is left to cancel")
    @blp.arguments(CancelRestInput)
    @blp.response(200, CancelledSchema)
    def post(self, data: dict[str, Any], booking_id: int) -> Cancellation:
        """Cancel the rest of a booking

        Every session to come (from `from_date`, if given). Sessions inside the venue's
        notice period stay chargeable (late_cancelled): `still_charged_pence` and `message`
        say what the venue will still be paid. The slots become free at once either way."""
        return booking.cancel_from(ctx(), uow(), current_user(), booking_id, data.get("from_date"))


@blp.route("/sessions/<int(max=2147483647):session_id>/cancel")
class CancelSession(MethodView):
    @bookers
    @refuses(
        "404 not_found: there is no session with that id (facilitators: of theirs)",
        "409 already_cancelled: the session is cancelled already",
        "422 rule_violation: the session has already started",
    )
    @blp.response(200, CancelledSessionSchema)
    def post(self, session_id: int) -> Cancellation:
        """Cancel one session

        Inside the venue's notice period it stays chargeable (late_cancelled):
        `still_charged_pence` and `message` say what the venue will still be paid. The slot
        becomes free at once either way."""
        return booking.cancel_one(ctx(), uow(), current_user(), session_id)


class MoveInput(Schema):
    date = Day(metadata={"description": "The new date; default: the session's."})
    start_time = ClockTime(metadata={"example": "10:00"})
    end_time = ClockTime(metadata={"example": "13:00"})
    room_id = id_field(metadata={"description": "Another room of the same venue."})

    @validates_schema
    def _something_to_move(self, data: dict[str, Any], **_: Any) -> None:
        if not data:
            raise ValidationError("Give the new date, start_time, end_time or room_id.")


class MovedSchema(Schema):
    booking = fields.Nested(BookingSchema, attribute="series")
    session = fields.Nested(SessionSchema, metadata={"description": "Where it is now."})
    late_cancelled = fields.Nested(
        SessionSchema,
        allow_none=True,
        metadata={
            "description": "Moved inside the venue's notice period: the old session, late "
            "cancelled and still charged (finance can waive it once invoiced); null otherwise."
        },
    )


@blp.route("/sessions/<int(max=2147483647):session_id>/move")
class MoveSession(MethodView):
    @bookers
    @refuses(
        "404 not_found: there is no session (facilitators: of theirs) or room with that id",
        "409 already_cancelled: the session is cancelled",
        "409 booking_clash: the room is booked then, set-up and clear-away included",
        "409 room_too_small: the room holds fewer than the booking's expected_people",
        "409 po_not_valid: the session's PO doesn't cover the new date",
        "409 po_value_exceeded: the new charge would take the PO past its approved value",
        "422 rule_violation: the session has started, the new time is in the past or ends "
        "before it starts, the venue is closed or it is a bank holiday, or the room is at "
        "another venue",
    )
    @blp.arguments(MoveInput)
    @blp.response(200, MovedSchema)
    def post(self, data: dict[str, Any], session_id: int) -> booking.Moved:
        """Move one session to another date, time or room

        With the checks of a new booking. Outside the venue's notice period the session
        moves (its id stays); inside it, the old one is a late cancellation, still charged
        unless finance waives it, and a new session is booked (`late_cancelled`). The venue
        is sent the booking's calendar invitation again, the moved date as its own
        occurrence."""
        move = booking.Move(
            data.get("date"), data.get("start_time"), data.get("end_time"), data.get("room_id")
        )
        return booking.move_session(ctx(), uow(), current_user(), session_id, move)

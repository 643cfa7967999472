"""Booking rooms, single or recurring, and cancelling sessions."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from service.api.edge import ctx, current_user, uow
from service.api.fields import EARLIEST, LATEST, Day, LondonDateTime, Text, id_field, query_id_field
from service.api.idempotent import HEADER, idempotent
from service.domain.bookings import BookingRequest, BookingSeries, InvoiceCadence, Session
from service.domain.recurrence import MAX_SESSIONS, Frequency, Recurrence
from service.domain.timeslots import london_days
from service.usecases import booking

blp = Blueprint("bookings", __name__, url_prefix="/api/v1", description="Bookings and sessions")

_label = validate.Length(min=1, max=120)


class BookingInput(Schema):
    room_id = id_field(required=True)
    group_label = Text(
        required=True, validate=_label, metadata={"description": "Neutral name chosen by staff."}
    )
    invoice_description = Text(
        validate=_label, metadata={"description": "Invoice line text; default 'Room hire'."}
    )
    first_date = Day(required=True)
    start_time = fields.Time(required=True, metadata={"example": "13:00"})
    end_time = fields.Time(required=True, metadata={"example": "16:00"})
    frequency = fields.Enum(Frequency, by_value=True, load_default=Frequency.ONCE)
    sessions = fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_SESSIONS))
    until = Day()
    keep_session_count = fields.Boolean(
        load_default=True,
        metadata={
            "description": "Make up skipped dates at the end so the series keeps N sessions."
        },
    )
    purchase_order_id = id_field(metadata={"description": "The PO covering this booking."})
    invoice_cadence = fields.Enum(
        InvoiceCadence, by_value=True, load_default=InvoiceCadence.MONTHLY
    )
    facilitator_id = id_field(
        metadata={"description": "Admin only; facilitators book for themselves."}
    )

    @validates_schema
    def _one_series_end(self, data: dict[str, Any], **_: Any) -> None:
        if data["frequency"] is not Frequency.ONCE and ("sessions" in data) == ("until" in data):
            raise ValidationError("Give either sessions or until for a recurring booking.")


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
    purchase_order_id = fields.Integer(allow_none=True)
    trust_id = fields.Integer(allow_none=True, metadata={"description": "The facilitator's trust"})
    invoice_cadence = fields.String()
    created_at = LondonDateTime()
    sessions = fields.List(fields.Nested(SessionSchema))
    skipped = fields.List(fields.Nested(SkippedSchema))


class CancelRestInput(Schema):
    from_date = Day(
        metadata={"description": "First date to cancel; default: every future session."}
    )


class CancelledSchema(Schema):
    cancelled = fields.List(fields.Nested(SessionSchema))


_IDEMPOTENCY_DOC = {
    "parameters": [
        {
            "in": "header",
            "name": HEADER,
            "required": False,
            "schema": {"type": "string", "minLength": 1, "maxLength": 255},
            "description": "Retry safely: a replay with the same key and body returns the first "
            "response and creates nothing; the same key with another body answers 422.",
        }
    ]
}


class BookingQuery(Schema):
    from_ = Day(
        data_key="from",
        metadata={"description": "Only series with a session on or after this date."},
    )
    to = Day(metadata={"description": "Only series with a session on or before this date."})
    room_id = query_id_field()


@blp.route("/bookings")
class Bookings(MethodView):
    @blp.arguments(BookingQuery, location="query")
    @blp.response(200, BookingSchema(many=True))
    def get(self, query: dict[str, Any]) -> list[BookingSeries]:
        """Facilitators see their own bookings; finance and admin see all. `from` and `to`
        (London dates, either may be left out) keep the series with a session in between."""
        held = None
        if "from_" in query or "to" in query:
            held = london_days(query.get("from_", EARLIEST), query.get("to", LATEST))
        user = current_user()
        return booking.list_bookings(uow(), user, room_id=query.get("room_id"), held=held)

    @idempotent
    @blp.arguments(BookingInput)
    @blp.response(201, BookingSchema)
    @blp.doc(**_IDEMPOTENCY_DOC)
    def post(self, data: dict[str, Any]) -> BookingSeries:
        """Book a room once, weekly or fortnightly. Bank holidays and venue closures are skipped
        and listed; a clash with another booking answers 409 and stores nothing."""
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
        )
        return booking.book(ctx(), uow(), actor, request)


@blp.route("/bookings/<int(max=2147483647):booking_id>")
class BookingById(MethodView):
    @blp.response(200, BookingSchema)
    def get(self, booking_id: int) -> BookingSeries:
        return booking.get_booking(uow(), current_user(), booking_id)


class CoverInput(Schema):
    purchase_order_id = id_field(required=True)


@blp.route("/bookings/<int(max=2147483647):booking_id>/purchase-order")
class CoverWithPurchaseOrder(MethodView):
    @blp.arguments(CoverInput)
    @blp.response(200, BookingSchema)
    def post(self, data: dict[str, Any], booking_id: int) -> BookingSeries:
        """Put a booking on a PO: the PO must be for its venue, cover its dates and have room."""
        return booking.cover_with_purchase_order(
            ctx(), uow(), current_user(), booking_id, data["purchase_order_id"]
        )


@blp.route("/bookings/<int(max=2147483647):booking_id>/cancel")
class CancelRest(MethodView):
    @blp.arguments(CancelRestInput)
    @blp.response(200, CancelledSchema)
    def post(self, data: dict[str, Any], booking_id: int) -> dict[str, list[Session]]:
        """Cancel the rest of a series. Sessions inside the venue's notice period stay
        chargeable (late_cancelled); the slots become free at once either way."""
        cancelled = booking.cancel_rest(
            ctx(), uow(), current_user(), booking_id, data.get("from_date")
        )
        return {"cancelled": cancelled}


@blp.route("/sessions/<int(max=2147483647):session_id>/cancel")
class CancelSession(MethodView):
    @blp.response(200, SessionSchema)
    def post(self, session_id: int) -> Session:
        """Cancel one session (late_cancelled, still chargeable, inside the notice period)."""
        return booking.cancel_session(ctx(), uow(), current_user(), session_id)

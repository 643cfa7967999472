"""Trusts, venues and rooms (admin writes, every user reads), and room availability."""

from __future__ import annotations

from typing import Any

from flask import request
from flask.views import MethodView
from marshmallow import Schema, fields, post_load, validate
from werkzeug.exceptions import BadRequest

from service.api.blueprint import Blueprint, refuses
from service.api.bookings import SessionSchema
from service.api.edge import admin_only, ctx, current_user, uow
from service.api.fields import Day, EmailAddress, Line, LondonDateTime, StrictBoolean, Text
from service.api.idempotent import idempotent
from service.domain.bank_holidays import Region
from service.domain.delivery import DEFAULT_SUBJECT
from service.domain.directory import (
    BANK_FIELDS,
    MAX_CAPACITY,
    ODS_CODE,
    UK_VAT_NUMBER,
    Closure,
    InvoiceDelivery,
    Room,
    Trust,
    VatTreatment,
    Venue,
    version_of,
)
from service.domain.timeslots import Interval
from service.usecases import closures, directory
from service.usecases.availability import free_rooms

blp = Blueprint("directory", __name__, url_prefix="/api/v1", description="Trusts, venues, rooms")

_text = validate.Length(min=1, max=200)


def _optional(longest: int, description: str) -> Line:
    """An optional one-line detail; its shape is the use case's to check (422, by field)."""
    return Line(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=longest),
        metadata={"description": description},
    )


class TrustSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = Line(required=True, validate=_text)
    organisation_code = Line(
        required=True,
        validate=validate.Regexp(
            rf"^{ODS_CODE}$",
            error="Give the trust's ODS code: 3 to 5 capital letters or digits, like RZZ.",
        ),
    )
    payables_code = Line(required=True, validate=validate.Length(min=1, max=40))
    accounts_payable_email = EmailAddress(required=True)
    invoice_address = Text(required=True, validate=validate.Length(min=1, max=500))
    po_number_pattern = Line(required=True, validate=_text)
    invoice_subject = Line(
        load_default=DEFAULT_SUBJECT,
        validate=_text,
        metadata={
            "description": "Email subject; must contain {document}, {number} and "
            "{po_number}; {supplier} is optional."
        },
    )
    send_on_issue = StrictBoolean(load_default=False)
    remind_facilitators = StrictBoolean(load_default=False)
    business_unit = Line(
        load_default=None,
        allow_none=True,
        validate=validate.Length(min=1, max=240),
        metadata={
            "description": "The trust's business unit as its finance exports spell it (e.g. "
            "`RVJ NORTH BRISTOL NHS TRUST`; case and spaces don't matter). Export rows naming "
            "another unit are never matched to this trust's invoices."
        },
    )
    peppol_id = _optional(
        60,
        "Its PEPPOL participant id, scheme:identifier (0088 GLN, 9932 UK VAT number, 0060 "
        "D-U-N-S), like 0088:5012345678900. A trust with one gets every invoice and credit "
        "note as a PEPPOL BIS Billing 3.0 e-invoice too (GET /invoices/{id}.xml).",
    )
    buyer_reference = Line(
        load_default=None,
        allow_none=True,
        validate=validate.Length(min=1, max=100),
        metadata={"description": "The buyer reference its e-invoices carry (BT-10), if any."},
    )
    invoice_delivery = fields.Enum(
        InvoiceDelivery,
        by_value=True,
        load_default=InvoiceDelivery.EMAIL,
        error_messages={"unknown": "Give how invoices travel to the trust: email or peppol."},
        metadata={
            "description": "How its invoices travel: email (the default: the PDF to its "
            "accounts-payable inbox) or peppol (the e-invoice through Roomhire's PEPPOL access "
            "point; only for a trust with a peppol_id)."
        },
    )


class TrustChangesSchema(TrustSchema):
    """Any of a trust's fields; those not sent stay as they are."""


class ClosureSchema(Schema):
    date = Day(required=True, attribute="day", data_key="date")
    reason = Line(required=True, validate=_text)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> Closure:
        return Closure(**data)


class VenueSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = Line(required=True, validate=_text)
    address = Text(required=True, validate=validate.Length(min=1, max=500))
    postcode = Text(required=True, validate=validate.Length(min=5, max=10))
    contact_email = EmailAddress(required=True)
    remittance_email = EmailAddress(required=True)
    vat_number = Line(
        load_default=None,
        allow_none=True,
        validate=validate.Regexp(
            rf"^{UK_VAT_NUMBER}$",
            error="Give a UK VAT number: 9 or 12 digits, with or without GB, like GB123456789.",
        ),
    )
    supplier_number = Line(load_default=None, allow_none=True, validate=_text)
    notice_period_hours = fields.Integer(
        load_default=48, strict=True, validate=validate.Range(min=0, max=24 * 60)
    )
    closures = fields.List(fields.Nested(ClosureSchema), load_default=list)
    region = fields.Enum(
        Region,
        by_value=True,
        load_default=Region.ENGLAND_AND_WALES,
        error_messages={
            "unknown": "Give the venue's region: england_and_wales, scotland or northern_ireland."
        },
        metadata={
            "description": "Whose bank holidays the venue keeps: england_and_wales (the "
            "default), scotland or northern_ireland."
        },
    )
    open_on_bank_holidays = StrictBoolean(
        load_default=False,
        metadata={
            "description": "True: the venue opens on bank holidays, so bookings there skip "
            "none (closures are still skipped)."
        },
    )
    queries_phone = _optional(30, "A UK phone number for queries about invoices.")
    queries_email = EmailAddress(
        load_default=None, allow_none=True, metadata={"description": "For queries."}
    )
    company_number = _optional(20, "Companies House number, like 01234567 or SC123456.")
    charity_number = _optional(20, "Registered charity number, like 1234567 or SC012345.")
    registered_office = Text(
        load_default=None, allow_none=True, validate=validate.Length(min=1, max=500)
    )
    bank_sort_code = _optional(
        20,
        "6 digits, answered as 12-34-56. Bank details are printed on invoices for remittance; "
        "only finance and admin read them. Changing recorded ones emails the venue's contact "
        "address.",
    )
    bank_account_number = _optional(20, "8 digits; given with the sort code, or neither.")
    peppol_id = _optional(
        60,
        "Its PEPPOL participant id, scheme:identifier: 0088 GLN, 9932 UK VAT number or 0060 "
        "D-U-N-S, like 0088:5012345678900. Without one, e-invoices address a VAT-registered "
        "venue by its VAT number.",
    )


class VenueChangesSchema(VenueSchema):
    """Any of a venue's fields but its closures (added one by one); the rest stay as they are."""


class RoomSchema(Schema):
    id = fields.Integer(dump_only=True)
    venue_id = fields.Integer(dump_only=True)
    name = Line(required=True, validate=_text)
    capacity = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=1, max=MAX_CAPACITY)
    )
    step_free = StrictBoolean(required=True)
    price_per_hour_pence = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=0, max=10_000_000)
    )
    vat_treatment = fields.Enum(VatTreatment, by_value=True, required=True)
    setup_minutes = fields.Integer(load_default=0, strict=True, validate=validate.Range(0, 240))
    clearaway_minutes = fields.Integer(load_default=0, strict=True, validate=validate.Range(0, 240))


class RoomChangesSchema(RoomSchema):
    """Any of a room's fields; those not sent stay as they are."""


Tagged = tuple[Trust | Venue | Room | dict[str, Any], int, dict[str, str]]
_IF_MATCH = {
    "in": "header",
    "name": "If-Match",
    "required": False,
    "schema": {"type": "string", "minLength": 1, "pattern": r"\S"},
    "description": "The ETag of the entry as you read it: if someone has changed it since, "
    "nothing changes and the answer is 412. Leave it out to edit whatever is there now; "
    "an empty If-Match is refused (400).",
}


class IfMatchEmpty(BadRequest):
    """An empty If-Match matches no version, so it would always answer 412 as if someone had
    changed the entry; it is nearly always an ETag variable that was never set."""

    problem_code = "if_match_empty"
    description = (
        'The If-Match header is empty: send the ETag you read (like "3f…"), '
        "or leave the header out to edit whatever is there now."
    )


def _tagged(entry: Trust | Venue | Room) -> Tagged:
    """The entry with its version as a strong ETag, for a later If-Match."""
    return entry, 200, {"ETag": f'"{version_of(entry)}"'}


def _venue(venue: Venue) -> Venue | dict[str, Any]:
    """Bank details only for those who may read them; others get no such fields at all."""
    if directory.sees_bank_details(current_user()):
        return venue
    return {k: v for k, v in vars(venue).items() if k not in BANK_FIELDS}


def _tagged_venue(venue: Venue) -> Tagged:
    """The ETag is of what the reader sees, so it can't fingerprint bank details."""
    seen = directory.as_seen_by(current_user(), venue)
    return _venue(seen), 200, {"ETag": f'"{version_of(seen)}"'}


def _edit(changes: dict[str, Any]) -> directory.Edit:
    """Called once the body is valid: a bad body answers 422 before any If-Match is looked at
    (RFC 9110 13.2.2: failures found before processing come before preconditions)."""
    if "If-Match" not in request.headers:
        return directory.Edit(changes, None)
    if not request.headers["If-Match"].strip():
        raise IfMatchEmpty()
    return directory.Edit(changes, request.if_match)


def _patch(view: Any) -> Any:
    """Documents the optional If-Match of an edit and its 412."""
    view = blp.doc(parameters=[_IF_MATCH])(view)
    return refuses(
        "400 if_match_empty: If-Match is sent empty",
        "412 precondition_failed: If-Match names a version someone has changed since",
    )(view)


_NO_TRUST = "404 not_found: there is no trust with that id"
_NO_VENUE = "404 not_found: there is no venue with that id"
_NO_ROOM = "404 not_found: there is no room with that id"
_BAD_TRUST = (
    "422 rule_violation: the PO number pattern is not a valid regular expression, or the "
    "invoice subject lacks {document}, {number} or {po_number} or uses other placeholders"
)
_BAD_VENUE = (
    "422 rule_violation: the postcode is not a UK postcode, or a supplier detail is not "
    "shaped as it should be (sort code 6 digits, account number 8, phone, company or charity "
    "number), or only one of sort code and account number is given"
)
_TAKEN_SUPPLIER_NUMBER = "409 conflict: another venue already has that supplier number"


class AvailabilityQuery(Schema):
    start = LondonDateTime(required=True)
    end = LondonDateTime(required=True)
    capacity = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_CAPACITY))
    postcode_area = Text(
        validate=validate.Regexp(
            r"^[A-Za-z]{1,2}(\d[A-Za-z\d]?)?$",
            error="Give the start of a postcode, like BS or BS1.",
        )
    )


class VenueSummarySchema(Schema):
    id = fields.Integer()
    name = fields.String()
    address = fields.String()
    postcode = fields.String()


class FreeRoomSchema(RoomSchema):
    venue = fields.Nested(VenueSummarySchema)


@blp.route("/trusts")
class Trusts(MethodView):
    @blp.response(200, TrustSchema(many=True))
    def get(self) -> list[Trust]:
        """List the NHS trusts

        The buyers: each with its accounts-payable inbox and its PO number format."""
        current_user()
        return directory.list_trusts(ctx(), uow(), current_user())

    @admin_only
    @idempotent
    @refuses(_BAD_TRUST)
    @blp.arguments(TrustSchema)
    @blp.response(201, TrustSchema)
    def post(self, fields_: dict[str, Any]) -> Trust:
        """Add an NHS trust (admin)

        The trust is the buyer: its invoices go to its accounts-payable inbox."""
        return directory.create_trust(ctx(), uow(), current_user(), Trust(**fields_))


@blp.route("/trusts/<int(max=2147483647):trust_id>")
class TrustById(MethodView):
    @refuses(_NO_TRUST)
    @blp.response(200, TrustSchema)
    def get(self, trust_id: int) -> Tagged:
        """Read a trust

        The ETag header is its version: send it back as If-Match to edit it safely."""
        current_user()
        return _tagged(directory.get_trust(uow(), trust_id))

    @admin_only
    @_patch
    @refuses(_NO_TRUST, _BAD_TRUST)
    @blp.arguments(TrustChangesSchema(partial=True))
    @blp.response(200, TrustSchema)
    def patch(self, changes: dict[str, Any], trust_id: int) -> Tagged:
        """Change a trust (admin)

        Send only the fields to change. Invoices already issued keep what they say."""
        edit = _edit(changes)
        return _tagged(directory.update_trust(ctx(), uow(), current_user(), trust_id, edit))


@blp.route("/venues")
class Venues(MethodView):
    @blp.response(200, VenueSchema(many=True))
    def get(self) -> list[Venue | dict[str, Any]]:
        """List the venues

        The social enterprises hiring rooms out, with their closures; bank details only for
        finance and admin."""
        current_user()
        return [_venue(v) for v in directory.list_venues(ctx(), uow(), current_user())]

    @admin_only
    @idempotent
    @refuses(_TAKEN_SUPPLIER_NUMBER, _BAD_VENUE)
    @blp.arguments(VenueSchema)
    @blp.response(201, VenueSchema)
    def post(self, fields_: dict[str, Any]) -> Venue:
        """Add a venue (admin)

        A social enterprise hiring rooms out; its rooms are added one by one afterwards."""
        return directory.create_venue(ctx(), uow(), current_user(), Venue(**fields_))


@blp.route("/venues/<int(max=2147483647):venue_id>")
class VenueById(MethodView):
    @refuses(_NO_VENUE)
    @blp.response(200, VenueSchema)
    def get(self, venue_id: int) -> Tagged:
        """Read a venue

        The ETag header is its version: send it back as If-Match to edit it safely. Bank
        details only for finance and admin."""
        return _tagged_venue(directory.get_venue(uow(), venue_id))

    @admin_only
    @_patch
    @refuses(_NO_VENUE, _TAKEN_SUPPLIER_NUMBER, _BAD_VENUE)
    @blp.arguments(VenueChangesSchema(partial=True, exclude=("closures",)))
    @blp.response(200, VenueSchema)
    def patch(self, changes: dict[str, Any], venue_id: int) -> Tagged:
        """Change a venue (admin)

        E.g. the supplier number NHS accounts gave it. Imports recognise the venue by its new
        name and number from then on. A change to bank details already recorded is audited
        (last digits only) and emailed to the venue's contact address, old and new."""
        edit = _edit(changes)
        venue = directory.update_venue(ctx(), uow(), current_user(), venue_id, edit)
        return _tagged_venue(venue)


class ClosureAddedSchema(VenueSchema):
    cancelled_sessions = fields.List(
        fields.Nested(SessionSchema),
        metadata={"description": "Booked sessions that day, now cancelled_by_venue."},
    )


@blp.route("/venues/<int(max=2147483647):venue_id>/closures")
class VenueClosures(MethodView):
    @admin_only
    @refuses(_NO_VENUE)
    @blp.arguments(ClosureSchema)
    @blp.response(200, ClosureAddedSchema)
    def post(self, closure: Closure, venue_id: int) -> dict[str, Any]:
        """Record a date the venue is closed (admin)

        New bookings skip it. Sessions already booked that day are cancelled by the venue
        (never charged) and listed in `cancelled_sessions`; their facilitators are emailed.
        Recording the same date again changes nothing."""
        added = closures.add_closure(ctx(), uow(), current_user(), venue_id, closure)
        return {**vars(added.venue), "cancelled_sessions": added.cancelled}


@blp.route("/venues/<int(max=2147483647):venue_id>/rooms")
class VenueRooms(MethodView):
    @refuses(_NO_VENUE)
    @blp.response(200, RoomSchema(many=True))
    def get(self, venue_id: int) -> list[Room]:
        """List a venue's rooms

        With their size, price per hour, VAT treatment and set-up and clear-away times."""
        return directory.rooms_of(ctx(), uow(), current_user(), venue_id)

    @admin_only
    @idempotent
    @refuses(_NO_VENUE)
    @blp.arguments(RoomSchema)
    @blp.response(201, RoomSchema)
    def post(self, fields_: dict[str, Any], venue_id: int) -> Room:
        """Add a room to a venue (admin)

        Its price per hour and VAT treatment are what bookings are charged."""
        room = Room(venue_id=venue_id, **fields_)
        return directory.create_room(ctx(), uow(), current_user(), room)


@blp.route("/rooms/<int(max=2147483647):room_id>")
class RoomById(MethodView):
    @refuses(_NO_ROOM)
    @blp.response(200, RoomSchema)
    def get(self, room_id: int) -> Tagged:
        """Read a room

        The ETag header is its version: send it back as If-Match to edit it safely."""
        current_user()
        return _tagged(directory.get_room(uow(), room_id))

    @admin_only
    @_patch
    @refuses(_NO_ROOM)
    @blp.arguments(RoomChangesSchema(partial=True))
    @blp.response(200, RoomSchema)
    def patch(self, changes: dict[str, Any], room_id: int) -> Tagged:
        """Change a room (admin)

        Sessions already booked keep their price and times."""
        edit = _edit(changes)
        return _tagged(directory.update_room(ctx(), uow(), current_user(), room_id, edit))


@blp.route("/rooms/availability")
class Availability(MethodView):
    @refuses("422 rule_violation: the end is not after the start")
    @blp.arguments(AvailabilityQuery, location="query")
    @blp.response(200, FreeRoomSchema(many=True))
    def get(self, query: dict[str, Any]) -> list[dict[str, Any]]:
        """Find rooms free for a time

        Rooms free for the whole slot (set-up and clear-away included), with their venue: not
        on a day the venue is closed, nor on a bank holiday in the venue's region unless the
        venue opens on bank holidays. `postcode_area` is the start of a postcode, like BS or
        BS1."""
        current_user()
        slot = Interval(query["start"], query["end"])
        found = free_rooms(
            ctx(), slot, min_capacity=query["capacity"], postcode_area=query.get("postcode_area")
        )
        return [{**vars(free.room), "venue": free.venue} for free in found]

"""Rows to domain objects and back. Rows and dataclasses share field names, so only the
fields that differ in shape (enums, intervals, child rows) are spelled out."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from operator import attrgetter
from typing import Any, TypeVar

from sqlalchemy import Row

from adapters.db.tables import (
    CalendarLinkRow,
    ClosureRow,
    ImportRow,
    InvoiceLineRow,
    InvoiceRow,
    InvoiceStateRow,
    OutboxRow,
    PurchaseOrderRow,
    RoomRow,
    SeriesRow,
    SessionRow,
    SignInLinkRow,
    StaffSessionRow,
    StatusEventRow,
    StatusLinkRow,
    TrustRow,
    UserRow,
    VenueRow,
)
from service.domain.bank_holidays import Region
from service.domain.bookings import BookingSeries, InvoiceCadence, Session, SessionStatus
from service.domain.calendar_links import CalendarLink
from service.domain.delivery import OutboxMessage, OutboxState, Recipient
from service.domain.directory import Closure, InvoiceDelivery, Room, Trust, VatTreatment, Venue
from service.domain.exports import AsOfSource, FinanceStatus, RowError
from service.domain.invoicing import DocumentKind, Invoice, Line, Party
from service.domain.money import LineAmount
from service.domain.purchasing import PurchaseOrder
from service.domain.reconciliation import ImportRecord, InvoiceState, StatusEvent
from service.domain.recurrence import Frequency, Recurrence, Skipped
from service.domain.staff_sessions import SignInLink, StaffSession
from service.domain.status_links import StatusLink
from service.domain.timeslots import Interval
from service.domain.users import Role, User

D = TypeVar("D")
UNRECORDED = "unrecorded"  # an invoice line issued before lines kept their VAT treatment


def _shared(target: type[Any], source: object, /, **overrides: Any) -> dict[str, Any]:
    """The values of `target`'s dataclass fields read from `source`, except those overridden."""
    names = [name for name in _field_names(target) if name not in overrides]
    return {**{name: getattr(source, name) for name in names if hasattr(source, name)}, **overrides}


_FIELDS: dict[type[Any], tuple[str, ...]] = {}


def _field_names(target: type[Any]) -> tuple[str, ...]:
    if target not in _FIELDS:
        _FIELDS[target] = tuple(f.name for f in dataclasses.fields(target))
    return _FIELDS[target]


def by_column(sources: Sequence[object], names: tuple[str, ...]) -> dict[str, Sequence[Any]]:
    """The attributes `names` (several) of each of `sources` (one or more), column by column:
    for the bulk inserts, which take thousands (a dict per object cost more than the
    insert's own Python work; vars() would not do: they have slots)."""
    return dict(zip(names, zip(*map(attrgetter(*names), sources), strict=True), strict=True))


def _columns(
    target: type[Any], sources: Sequence[object], /, *enums: str
) -> dict[str, Sequence[Any]]:
    """Every field of the dataclass objects `sources` as a column, by name; the `enums`
    fields' values as their enums' values."""
    columns = by_column(sources, _field_names(target))
    for name in enums:
        value = {member: member.value for member in set(columns[name])}
        columns[name] = list(map(value.__getitem__, columns[name]))
    return columns


def _to_domain(target: type[D], row: object, /, **overrides: Any) -> D:
    return target(**_shared(target, row, **overrides))


def trust(row: TrustRow) -> Trust:
    return _to_domain(Trust, row, invoice_delivery=InvoiceDelivery(row.invoice_delivery))


def trust_row(t: Trust) -> TrustRow:
    return TrustRow(**_shared(Trust, t, invoice_delivery=t.invoice_delivery.value))


def venue(row: VenueRow) -> Venue:
    closures = [Closure(c.day, c.reason) for c in row.closures]
    return _to_domain(Venue, row, closures=closures, region=Region(row.region))


def venue_row(v: Venue) -> VenueRow:
    closures = [ClosureRow(day=c.day, reason=c.reason) for c in v.closures]
    return VenueRow(**_shared(Venue, v, closures=closures, region=v.region.value))


def room(row: RoomRow) -> Room:
    return _to_domain(Room, row, vat_treatment=VatTreatment(row.vat_treatment))


def room_row(r: Room) -> RoomRow:
    return RoomRow(**_shared(Room, r, vat_treatment=r.vat_treatment.value))


def user(row: UserRow) -> User:
    return _to_domain(User, row, role=Role(row.role))


def user_row(u: User) -> UserRow:
    return UserRow(**_shared(User, u, role=u.role.value))


def purchase_order(row: PurchaseOrderRow) -> PurchaseOrder:
    return _to_domain(PurchaseOrder, row)


def purchase_order_row(po: PurchaseOrder) -> PurchaseOrderRow:
    return PurchaseOrderRow(**_shared(PurchaseOrder, po))


def session(row: SessionRow) -> Session:
    return _to_domain(
        Session,
        row,
        slot=Interval(row.starts_at, row.ends_at),
        occupied=Interval(row.occupied_from, row.occupied_until),
        status=SessionStatus(row.status),
        charge=LineAmount(row.net_pence, Decimal(row.vat_rate_bp) / 10_000, row.vat_pence),
    )


def session_row(s: Session) -> SessionRow:
    return SessionRow(**session_values(s))


def session_values(s: Session) -> dict[str, Any]:
    """The columns of a session (not its id or series)."""
    return {
        "room_id": s.room_id,
        "starts_at": s.slot.start,
        "ends_at": s.slot.end,
        "occupied_from": s.occupied.start,
        "occupied_until": s.occupied.end,
        "status": s.status.value,
        "cancelled_at": s.cancelled_at,
        "net_pence": s.charge.net,
        "vat_rate_bp": int(s.charge.rate * 10_000),
        "vat_pence": s.charge.vat,
        "purchase_order_id": s.purchase_order_id,
        "price_per_hour_pence": s.price_per_hour_pence,
        "recurrence_start": s.recurrence_start,
    }


def series(row: SeriesRow) -> BookingSeries:
    recurrence = _to_domain(Recurrence, row, frequency=Frequency(row.frequency))
    return _to_domain(
        BookingSeries,
        row,
        recurrence=recurrence,
        invoice_cadence=InvoiceCadence(row.invoice_cadence),
        sessions=[session(s) for s in row.sessions],
        skipped=[Skipped(date.fromisoformat(s["date"]), s["reason"]) for s in row.skipped],
    )


def series_row(s: BookingSeries) -> SeriesRow:
    values = _shared(
        BookingSeries,
        s,
        invoice_cadence=s.invoice_cadence.value,
        skipped=[{"date": k.day.isoformat(), "reason": k.reason} for k in s.skipped],
        sessions=[session_row(x) for x in s.sessions],
    )
    del values["recurrence"]
    return SeriesRow(
        **values, **_shared(Recurrence, s.recurrence, frequency=s.recurrence.frequency.value)
    )


def invoice(row: InvoiceRow) -> Invoice:
    return _to_domain(
        Invoice,
        row,
        kind=DocumentKind(row.kind),
        supplier=Party(**row.supplier),
        customer=Party(**row.customer),
        lines=tuple(invoice_line(line) for line in row.lines),
    )


def invoice_line(row: InvoiceLineRow) -> Line:
    amount = LineAmount(row.net_pence, Decimal(row.vat_rate_bp) / 10_000, row.vat_pence)
    session_id = row.charged_session_id or row.credited_session_id
    treatment = None if row.vat_treatment == UNRECORDED else VatTreatment(row.vat_treatment)
    return _to_domain(Line, row, amount=amount, session_id=session_id, vat_treatment=treatment)


def invoice_row(inv: Invoice, created_at: datetime) -> InvoiceRow:
    values = _shared(
        Invoice,
        inv,
        kind=inv.kind.value,
        supplier=dataclasses.asdict(inv.supplier),
        customer=dataclasses.asdict(inv.customer),
        lines=[invoice_line_row(inv.kind, i, line) for i, line in enumerate(inv.lines)],
    )
    return InvoiceRow(**values, gross_pence=inv.gross_pence, created_at=created_at)


def invoice_line_row(kind: DocumentKind, position: int, line: Line) -> InvoiceLineRow:
    treatment = line.vat_treatment.value if line.vat_treatment else UNRECORDED
    values = _shared(Line, line, amount=None, session_id=None, vat_treatment=treatment)
    del values["amount"], values["session_id"]
    charged = kind is DocumentKind.INVOICE
    return InvoiceLineRow(
        **values,
        position=position,
        net_pence=line.amount.net,
        vat_rate_bp=int(line.amount.rate * 10_000),
        vat_pence=line.amount.vat,
        charged_session_id=line.session_id if charged else None,
        credited_session_id=None if charged else line.session_id,
    )


def outbox(row: OutboxRow) -> OutboxMessage:
    return _to_domain(
        OutboxMessage, row, recipient=Recipient(row.recipient), state=OutboxState(row.state)
    )


def outbox_values(m: OutboxMessage) -> dict[str, Any]:
    """Column values for a bulk insert; the database numbers the messages."""
    values = {**vars(m), "recipient": m.recipient.value, "state": m.state.value}
    del values["id"]
    return values


def outbox_columns(messages: Sequence[OutboxMessage]) -> dict[str, Sequence[Any]]:
    """Column values for a bulk insert; the database numbers the messages."""
    columns = _columns(OutboxMessage, messages, "recipient", "state")
    del columns["id"]
    return columns


def outbox_row(m: OutboxMessage) -> OutboxRow:
    return OutboxRow(**_shared(OutboxMessage, m, recipient=m.recipient.value, state=m.state.value))


def import_record(row: ImportRow) -> ImportRecord:
    errors = [RowError(**e) for e in row.row_errors]
    source = AsOfSource(row.as_of_source) if row.as_of_source else None
    return _to_domain(ImportRecord, row, row_errors=errors, as_of_source=source)


def import_row(record: ImportRecord) -> ImportRow:
    errors = [dataclasses.asdict(e) for e in record.row_errors]
    return ImportRow(**_shared(ImportRecord, record, row_errors=errors))


def invoice_state(row: InvoiceStateRow) -> InvoiceState:
    return _to_domain(InvoiceState, row, status=FinanceStatus(row.status), holds=tuple(row.holds))


def invoice_state_columns(states: Sequence[InvoiceState]) -> dict[str, Sequence[Any]]:
    """Column values for a bulk insert (field names are column names). Holds stay tuples:
    JSON writes them as lists, and a tuple can be bound once per distinct value."""
    return _columns(InvoiceState, states, "status")


def status_event(row: StatusEventRow) -> StatusEvent:
    return _to_domain(StatusEvent, row, status=FinanceStatus(row.status))


def status_event_columns(events: Sequence[StatusEvent]) -> dict[str, Sequence[Any]]:
    """Column values for a bulk insert; the database numbers the events."""
    columns = _columns(StatusEvent, events, "status")
    del columns["id"]
    return columns


def calendar_link(row: CalendarLinkRow) -> CalendarLink:
    return _to_domain(CalendarLink, row)


def calendar_link_row(link: CalendarLink) -> CalendarLinkRow:
    return CalendarLinkRow(**_shared(CalendarLink, link))


def status_link(row: StatusLinkRow | Row[Any]) -> StatusLink:
    """From an entity or a plain row of the table's columns (the lookup by hash reads one)."""
    return _to_domain(StatusLink, row)


def status_link_row(link: StatusLink) -> StatusLinkRow:
    return StatusLinkRow(**_shared(StatusLink, link))


def sign_in_link(row: SignInLinkRow) -> SignInLink:
    return _to_domain(SignInLink, row)


def sign_in_link_row(link: SignInLink) -> SignInLinkRow:
    return SignInLinkRow(**_shared(SignInLink, link))


def staff_session(row: StaffSessionRow) -> StaffSession:
    return _to_domain(StaffSession, row)


def staff_session_row(session: StaffSession) -> StaffSessionRow:
    return StaffSessionRow(**_shared(StaffSession, session))

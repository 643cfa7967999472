"""Every domain object the database keeps comes back from it as it was stored: built with a value
other than its default in every field, written through the real repositories, read back in a
unit of work of its own. A column that `adapters/db/mapping.py` forgot would read back as its
default (or None), and fail here."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, TypeVar

import pytest
from sqlalchemy import Engine

from adapters.db.engine import make_session_factory
from adapters.db.unit_of_work import SqlAlchemyUnitOfWork
from service.domain.bank_holidays import Region
from service.domain.bookings import BookingSeries, InvoiceCadence, Session, SessionStatus
from service.domain.calendar_links import CalendarLink
from service.domain.delivery import OutboxMessage, OutboxState, Recipient
from service.domain.directory import Closure, InvoiceDelivery, Room, Trust, VatTreatment, Venue
from service.domain.exports import AsOfSource, FinanceStatus, RowError
from service.domain.invoicing import PDF, Document, DocumentKind, Invoice, Line, Party
from service.domain.money import LineAmount
from service.domain.purchasing import PurchaseOrder
from service.domain.reconciliation import (
    Discrepancy,
    DiscrepancyKind,
    ImportRecord,
    InvoiceState,
    StatusEvent,
)
from service.domain.recurrence import Frequency, Recurrence, Skipped
from service.domain.reissues import Reissue, ReissueReason
from service.domain.staff_sessions import SignInLink, StaffSession
from service.domain.status_links import StatusLink
from service.domain.timeslots import Interval
from service.domain.users import Role, User

T = TypeVar("T")
AT = datetime(2027, 3, 2, 13, 0, tzinfo=UTC)
LATER = AT + timedelta(days=3, hours=2, minutes=7)
GENERATED = {"id", "series_id"}  # numbered by the database


@pytest.fixture
def uow(engine: Engine) -> SqlAlchemyUnitOfWork:
    return SqlAlchemyUnitOfWork(make_session_factory(engine))


def stored(uow: SqlAlchemyUnitOfWork, add: Callable[[SqlAlchemyUnitOfWork], T]) -> T:
    with uow:
        added = add(uow)
        uow.commit()
    return added


def read(uow: SqlAlchemyUnitOfWork, get: Callable[[SqlAlchemyUnitOfWork], T | None]) -> T:
    """Read in a unit of work (a database session) of its own, so nothing comes from memory."""
    with uow:
        found = get(uow)
    assert found is not None
    return found


def assert_no_defaults(thing: object) -> None:
    """The sample itself is worth testing with: no field (nested ones too) holds its default,
    but one the domain forbids beside another (a recurrence has a count or an until date)."""
    assert dataclasses.is_dataclass(thing) and not isinstance(thing, type)
    for f in dataclasses.fields(thing):
        value = getattr(thing, f.name)
        if f.name in GENERATED or (isinstance(thing, Recurrence) and f.name in ("count", "until")):
            continue
        if f.default is not dataclasses.MISSING:
            assert value != f.default, f"{type(thing).__name__}.{f.name} is its default"
        if f.default_factory is not dataclasses.MISSING:
            assert value != f.default_factory(), f"{type(thing).__name__}.{f.name} is empty"
        for part in value if isinstance(value, list | tuple) else [value]:
            if dataclasses.is_dataclass(part) and not isinstance(part, type):
                assert_no_defaults(part)


def without_generated(thing: Any) -> Any:
    """`thing` with the ids the database gave it (its children's too) set to None."""
    changes: dict[str, Any] = {}
    for f in dataclasses.fields(thing):
        value = getattr(thing, f.name)
        if f.name in GENERATED:
            changes[f.name] = None
        elif isinstance(value, list) and value and dataclasses.is_dataclass(value[0]):
            changes[f.name] = [without_generated(v) for v in value]
    return dataclasses.replace(thing, **changes)


def assert_round_trip(stored_thing: object, read_back: object) -> None:
    assert_no_defaults(stored_thing)
    assert without_generated(read_back) == without_generated(stored_thing)


def party(name: str) -> Party:
    return Party(
        name,
        f"1 {name} Street\nBristol BS5 9XX",
        f"{name.lower()}@example.org",
        vat_number="GB123456789",
        supplier_number="220871",
        phone="0117 496 0000",
        queries_email=f"queries-{name.lower()}@example.org",
        company_number="01234567",
        charity_number="1100001",
        registered_office="2 Office Lane, Bristol",
        sort_code="12-34-56",
        account_number="12345678",
    )


@dataclasses.dataclass
class Directory:
    trust: Trust
    venue: Venue
    room: Room
    user: User
    po: PurchaseOrder


def numbered(add: Callable[[T], T], thing: T) -> T:
    """`thing` as built (not as the repository returned it), with the id it was given."""
    added: Any = add(thing)  # each of these has an id
    return dataclasses.replace(thing, id=added.id)  # type: ignore[type-var]


def a_directory(uow: SqlAlchemyUnitOfWork) -> Directory:
    def add(u: SqlAlchemyUnitOfWork) -> Directory:
        trust = numbered(
            u.trusts.add,
            Trust(
                "Severnvale MH Trust",
                "RZZ",
                "RZZ Payables Z999",
                "ap@example.nhs.uk",
                "PO Box 000\nLeeds LS1 1AA",
                r"RZZPO\d{7}",
                invoice_subject="Invoice {number} for PO {po_number}",
                send_on_issue=True,
                remind_facilitators=True,
                business_unit="RZZ SEVERNVALE MH TRUST",
                peppol_id="0088:5012345678900",
                buyer_reference="RZZ-ESTATES",
                invoice_delivery=InvoiceDelivery.PEPPOL,
            ),
        )
        venue = numbered(
            u.venues.add,
            Venue(
                "St Mark's Community Hall CIC",
                "1 Chapel Row, Bristol",
                "BS5 9XX",
                "hall@example.org",
                "money@example.org",
                vat_number="GB987654321",
                supplier_number="220871",
                notice_period_hours=72,
                closures=[Closure(date(2027, 4, 6), "Roof repairs")],
                region=Region.SCOTLAND,
                open_on_bank_holidays=True,
                queries_phone="0117 496 0001",
                queries_email="queries@example.org",
                company_number="07654321",
                charity_number="1100002",
                registered_office="3 Chapel Row, Bristol",
                bank_sort_code="65-43-21",
                bank_account_number="87654321",
                peppol_id="9932:GB987654321",
            ),
        )
        assert trust.id and venue.id
        room = numbered(
            u.rooms.add,
            Room(
                venue.id,
                "Garden room",
                12,
                True,
                3150,
                VatTreatment.STANDARD,
                setup_minutes=15,
                clearaway_minutes=30,
            ),
        )
        user = numbered(
            u.users.add,
            User("sam@example.nhs.uk", Role.FACILITATOR, "a" * 64, active=False, trust_id=trust.id),
        )
        po = numbered(
            u.purchase_orders.add,
            PurchaseOrder(
                "RZZPO0000123",
                trust.id,
                venue.id,
                "CC4410",
                123_456,
                date(2026, 11, 1),
                date(2027, 3, 31),
            ),
        )
        return Directory(trust, venue, room, user, po)

    return stored(uow, add)


def a_booking(
    uow: SqlAlchemyUnitOfWork, d: Directory, *, count: int | None = 3, until: date | None = None
) -> BookingSeries:
    assert d.room.id and d.user.id and d.po.id
    charge = LineAmount(7875, Decimal("0.2"), 1575)

    def session(day: int, status: SessionStatus) -> Session:
        start = datetime(2027, 3, day, 13, tzinfo=UTC)
        return Session(
            d.room.id or 0,
            Interval(start, start + timedelta(hours=2, minutes=30)),
            Interval(start - timedelta(minutes=15), start + timedelta(hours=3)),
            charge,
            status=status,
            cancelled_at=AT,
            purchase_order_id=d.po.id,
            price_per_hour_pence=3150,
            recurrence_start=start - timedelta(days=1),
        )

    series = BookingSeries(
        d.room.id,
        d.user.id,
        "Tuesday afternoon group",
        Recurrence(date(2027, 3, 2), Frequency.FORTNIGHTLY, count, until, keep_count=False),
        time(13),
        time(15, 30),
        AT - timedelta(days=30),
        invoice_description="Room hire for the wellbeing group",
        invoice_cadence=InvoiceCadence.PER_SESSION,
        trust_id=d.trust.id,
        expected_people=9,
        sessions=[session(2, SessionStatus.LATE_CANCELLED), session(16, SessionStatus.CANCELLED)],
        skipped=[Skipped(date(2027, 3, 30), "Closed: roof repairs")],
    )
    stored_series = stored(uow, lambda u: u.bookings.add(series))
    assert_round_trip(series, read(uow, lambda u: u.bookings.get(stored_series.id or 0)))
    return stored_series


def an_invoice(
    uow: SqlAlchemyUnitOfWork, d: Directory, series: BookingSeries, kind: DocumentKind
) -> Invoice:
    session = series.sessions[0]
    line = Line(
        "Room hire: Garden room",
        date(2027, 3, 2),
        time(13),
        time(15, 30),
        "Garden room",
        150,
        LineAmount(7875, Decimal("0.2"), 1575),
        session.id,
        price_per_hour_pence=3150,
        vat_treatment=VatTreatment.STANDARD,
        charge_round=1,
    )
    invoice = Invoice(
        kind,
        f"SMCH000{1 if kind is DocumentKind.INVOICE else 2}",
        d.venue.id or 0,
        d.trust.id or 0,
        d.po.id or 0,
        "RZZPO0000123",
        series.id or 0,
        date(2027, 3, 3),
        date(2027, 3, 2),
        date(2027, 4, 2),
        party("Hall"),
        party("Trust"),
        (line,),
        credits_invoice="SMCH0001",
    )
    documents = [Document(PDF, b"%PDF-1.7"), Document("application/xml", b"<Invoice/>")]
    if kind is DocumentKind.INVOICE:  # the session's first charge, credited: this is its second
        first = dataclasses.replace(
            invoice, number="SMCH0000", lines=(dataclasses.replace(line, charge_round=0),)
        )
        credit = dataclasses.replace(first, kind=DocumentKind.CREDIT_NOTE, number="SMCN0000")
        stored(uow, lambda u: u.invoices.add(first, documents, AT))
        stored(uow, lambda u: u.invoices.add(credit, documents, AT))
    kept = stored(uow, lambda u: u.invoices.add(invoice, documents, AT))
    assert_round_trip(invoice, read(uow, lambda u: u.invoices.get(kept.id or 0)))
    assert read(uow, lambda u: u.invoices.documents(kept.id or 0)) == documents  # PDF first
    return kept


def test_the_directory_and_a_purchase_order_come_back_as_stored(
    uow: SqlAlchemyUnitOfWork,
) -> None:
    d = a_directory(uow)
    assert_round_trip(d.trust, read(uow, lambda u: u.trusts.get(d.trust.id or 0)))
    assert_round_trip(d.venue, read(uow, lambda u: u.venues.get(d.venue.id or 0)))
    assert_round_trip(d.room, read(uow, lambda u: u.rooms.get(d.room.id or 0)))
    assert_round_trip(d.user, read(uow, lambda u: u.users.get(d.user.id or 0)))
    assert_round_trip(d.po, read(uow, lambda u: u.purchase_orders.get(d.po.id or 0)))


def test_a_booking_an_invoice_and_a_credit_note_come_back_as_stored(
    uow: SqlAlchemyUnitOfWork,
) -> None:
    d = a_directory(uow)
    series = a_booking(uow, d)
    a_booking(uow, d, count=None, until=date(2027, 4, 1))  # the other way to end a series
    invoice = an_invoice(uow, d, series, DocumentKind.INVOICE)
    credit_note = an_invoice(uow, d, series, DocumentKind.CREDIT_NOTE)
    reissue = Reissue(
        invoice.id or 0,
        credit_note.id or 0,
        ReissueReason.OTHER,
        "Keyed twice by accounts",
        d.po.id,
        "finance <f@x.org>",
        AT,
    )
    stored(uow, lambda u: u.invoices.add_reissue(reissue))
    assert_round_trip(reissue, read(uow, lambda u: u.invoices.reissue_of(invoice.id or 0)))


def test_links_sessions_messages_and_what_an_import_found_come_back_as_stored(
    uow: SqlAlchemyUnitOfWork,
) -> None:
    d = a_directory(uow)
    invoice = an_invoice(uow, d, a_booking(uow, d), DocumentKind.INVOICE)
    user_id, venue_id, invoice_id = d.user.id or 0, d.venue.id or 0, invoice.id or 0

    status_link = StatusLink(
        venue_id, "b" * 64, AT, AT + timedelta(days=90), "finance <f@x.org>", LATER, LATER
    )
    calendar_link = CalendarLink(user_id, "c" * 64, AT, revoked_at=LATER)
    sign_in_link = SignInLink(user_id, AT, AT + timedelta(minutes=15), "d" * 64, LATER)
    staff_session = StaffSession(user_id, "e" * 64, AT, LATER, ended_at=LATER + timedelta(hours=1))
    record = ImportRecord(
        "sbs-oracle-ap",
        "ap.csv",
        "f" * 64,
        "finance <f@x.org>",
        AT,
        d.trust.id,
        as_of=date(2026, 11, 30),
        as_of_source=AsOfSource.FILE_NAME,
        older_than=date(2026, 12, 31),
        rows_read=7,
        matched=5,
        other_suppliers=2,
        other_units=3,
        kept=2,
        blank_lines=1,
        errors=1,
        discrepancies=3,
        changes=4,
        row_errors=[RowError(5, "Invoice Amount", "'lots' is not an amount")],
    )

    def add(u: SqlAlchemyUnitOfWork) -> tuple[StatusLink, CalendarLink, SignInLink, Any, Any]:
        return (
            u.status_links.add(status_link),
            u.calendar_links.add(calendar_link),
            u.sign_in_links.add(sign_in_link),
            u.staff_sessions.add(staff_session),
            u.reconciliation.add_import(record),
        )

    kept_status, _, kept_sign_in, _, kept_import = stored(uow, add)
    assert_round_trip(status_link, read(uow, lambda u: u.status_links.get(kept_status.id or 0)))
    assert_round_trip(status_link, read(uow, lambda u: u.status_links.by_hash("b" * 64)))
    assert_round_trip(calendar_link, read(uow, lambda u: u.calendar_links.by_hash("c" * 64)))
    assert_round_trip(sign_in_link, read(uow, lambda u: u.sign_in_links.get(kept_sign_in.id or 0)))
    assert_round_trip(staff_session, read(uow, lambda u: u.staff_sessions.by_hash("e" * 64)))
    import_id = kept_import.id or 0
    assert_round_trip(record, read(uow, lambda u: u.reconciliation.get_import(import_id)))

    message = OutboxMessage(
        invoice_id,
        Recipient.HOLD_NOTICE,
        "ap@example.nhs.uk",
        "Invoice SMCH0001 is on hold",
        "<smch0001@roomhire.invalid>",
        "9" * 64,
        AT,
        state=OutboxState.FAILED,
        attempts=3,
        next_attempt_at=LATER,
        claimed_at=LATER,
        last_error="550 mailbox unavailable",
        server_reply="250 2.0.0 queued as 4B1C",
        sent_at=LATER,
        possible_duplicate=True,
        topic="QTY REC",
        status_link_id=kept_status.id,
        sign_in_link_id=kept_sign_in.id,
        calendar="BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n",
        note="St Mark's has booked a room.\nRoom: Garden room",
    )
    state = InvoiceState(
        invoice_id,
        FinanceStatus.PART_PAID,
        holds=("QTY REC", "PRICE"),
        export_amount_pence=9450,
        export_po_number="RZZPO0000124",
        paid_pence=5000,
        payments=2,
        payment_date=date(2027, 3, 30),
        payment_number="7713388",
        fallback=True,
        confirmed=True,
        received_on=date(2027, 3, 5),
        last_import_id=import_id,
        as_of=date(2027, 3, 31),
    )
    event = StatusEvent(
        invoice_id,
        FinanceStatus.PAID,
        LATER,
        hold_code="QTY REC",
        hold_reason="Quantity billed exceeds received",
        paid_pence=9450,
        payment_date=date(2027, 3, 30),
        payment_number="7713388",
        import_id=import_id,
        line=4,
        as_of=date(2027, 3, 31),
    )
    # Only rows naming an invoice we never issued are kept as findings: their kind and the
    # missing invoice are what a finding is, not columns.
    finding = Discrepancy(
        DiscrepancyKind.UNKNOWN_INVOICE,
        "SMCH0099 (£12.34) is not an invoice we issued.",
        venue_id=venue_id,
        import_id=import_id,
        line=7,
    )

    def add_more(u: SqlAlchemyUnitOfWork) -> OutboxMessage:
        u.reconciliation.save_states([state], replacing=[])
        u.reconciliation.add_events([event])
        u.reconciliation.add_findings([finding])
        return u.outbox.add(message)

    kept_message = stored(uow, add_more)
    assert_round_trip(message, read(uow, lambda u: u.outbox.get(kept_message.id or 0)))
    assert_round_trip(state, read(uow, lambda u: u.reconciliation.state(invoice_id)))
    [read_event] = read(uow, lambda u: u.reconciliation.events(invoice_id))
    assert_round_trip(event, read_event)
    [read_finding] = read(uow, lambda u: u.reconciliation.findings([import_id]))
    assert without_generated(read_finding) == finding

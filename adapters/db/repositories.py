"""Repositories over one SQLAlchemy session (the unit of work's)."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import Any, TypeVar, cast

from sqlalchemy import ColumnElement, and_, delete, func, insert, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import CursorResult, Result
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import lazyload

from adapters.db import mapping
from adapters.db.tables import (
    AuditRow,
    Base,
    CalendarLinkRow,
    ClosureRow,
    FindingRow,
    IdempotencyRow,
    ImportRow,
    InvoiceCounterRow,
    InvoiceDocumentRow,
    InvoiceLineRow,
    InvoiceRow,
    InvoiceStateRow,
    OutboxRow,
    PurchaseOrderRow,
    RateLimitRow,
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
from service.domain.audit import AuditEvent
from service.domain.bookings import BookingSeries, Session, SessionLine, SessionStatus
from service.domain.calendar_links import CalendarLink
from service.domain.delivery import OutboxMessage, State
from service.domain.directory import Closure, Room, Trust, Venue
from service.domain.exports import Status, normalise_invoice_number
from service.domain.invoicing import Invoice, Kind
from service.domain.purchasing import PurchaseOrder
from service.domain.reconciliation import (
    Discrepancy,
    ImportRecord,
    InvoiceState,
    Ours,
    Problem,
    StatusEvent,
)
from service.domain.staff_sessions import SignInLink, StaffSession
from service.domain.status_links import StatusLink
from service.domain.timeslots import LONDON, Interval
from service.domain.users import Role, User
from service.domain.venue_status import StatementEntry
from service.ports import KeyAlreadyClaimed, SlotTaken, StoredResponse

OVERLAP_MARKERS = ("session_overlap", "sessions_no_overlap")
CHARGEABLE = (SessionStatus.BOOKED.value, SessionStatus.LATE_CANCELLED.value)
R = TypeVar("R", bound=Base)
D = TypeVar("D")


class _Repository:
    def __init__(self, db: DbSession) -> None:
        self.db = db

    def _inserted(self, row: R, to_domain: Callable[[R], D]) -> D:
        """Insert a new row and read it back as a domain object, with its id."""
        self.db.add(row)
        self.db.flush()
        return to_domain(row)

    def _overwrite(self, row: Base, row_id: int | None) -> None:
        """Every column of an existing row from a transient copy made from the domain object
        (which carries every column: one it lacked would be written as NULL); child rows
        untouched."""
        table = Base.metadata.tables[row.__tablename__]
        self.db.execute(update(table).where(table.c.id == row_id).values(_columns(row)))


class TrustRepository(_Repository):
    def add(self, trust: Trust) -> Trust:
        row = mapping.trust_row(trust)
        self.db.add(row)
        self.db.flush()
        return mapping.trust(row)

    def update(self, trust: Trust) -> None:
        self._overwrite(mapping.trust_row(trust), trust.id)

    def get(self, trust_id: int, *, for_update: bool = False) -> Trust | None:
        row = self.db.get(TrustRow, trust_id, with_for_update=for_update)
        return mapping.trust(row) if row else None

    def all(self) -> list[Trust]:
        return [mapping.trust(r) for r in self.db.scalars(select(TrustRow).order_by(TrustRow.id))]


class VenueRepository(_Repository):
    def add(self, venue: Venue) -> Venue:
        row = mapping.venue_row(venue)
        self.db.add(row)
        self.db.flush()
        return mapping.venue(row)

    def update(self, venue: Venue) -> None:
        self._overwrite(mapping.venue_row(dataclasses.replace(venue, closures=[])), venue.id)

    def get(self, venue_id: int, *, for_update: bool = False) -> Venue | None:
        row = self.db.get(VenueRow, venue_id, with_for_update=for_update)
        return mapping.venue(row) if row else None

    def all(self) -> list[Venue]:
        return [mapping.venue(r) for r in self.db.scalars(select(VenueRow).order_by(VenueRow.id))]

    def add_closure(self, venue_id: int, closure: Closure) -> None:
        self.db.add(ClosureRow(venue_id=venue_id, day=closure.day, reason=closure.reason))
        self.db.flush()


class RoomRepository(_Repository):
    def add(self, room: Room) -> Room:
        row = mapping.room_row(room)
        self.db.add(row)
        self.db.flush()
        return mapping.room(row)

    def update(self, room: Room) -> None:
        self._overwrite(mapping.room_row(room), room.id)

    def get(self, room_id: int, *, for_update: bool = False) -> Room | None:
        row = self.db.get(RoomRow, room_id, with_for_update=for_update)
        return mapping.room(row) if row else None

    def find(self, *, min_capacity: int = 0, venue_id: int | None = None) -> list[Room]:
        query = select(RoomRow).where(RoomRow.capacity >= min_capacity).order_by(RoomRow.id)
        if venue_id is not None:
            query = query.where(RoomRow.venue_id == venue_id)
        return [mapping.room(r) for r in self.db.scalars(query)]


class BookingRepository(_Repository):
    def add(self, series: BookingSeries) -> BookingSeries:
        row = mapping.series_row(series)
        try:
            with self.db.begin_nested():
                self.db.add(row)
                self.db.flush()
        except IntegrityError as exc:
            if any(marker in str(exc.orig) for marker in OVERLAP_MARKERS):
                raise SlotTaken from exc
            raise
        return mapping.series(row)

    def get(self, series_id: int) -> BookingSeries | None:
        row = self.db.get(SeriesRow, series_id)
        return mapping.series(row) if row else None

    def find(
        self,
        *,
        facilitator_id: int | None = None,
        room_id: int | None = None,
        starting_within: Interval | None = None,
        purchase_order_id: int | None = None,
    ) -> list[BookingSeries]:
        query = select(SeriesRow).order_by(SeriesRow.id)
        if purchase_order_id is not None:
            on_po = select(SessionRow.id).where(
                SessionRow.series_id == SeriesRow.id,
                SessionRow.purchase_order_id == purchase_order_id,
            )
            query = query.where(on_po.exists())
        if facilitator_id is not None:
            query = query.where(SeriesRow.facilitator_id == facilitator_id)
        if room_id is not None:
            query = query.where(SeriesRow.room_id == room_id)
        if starting_within is not None:
            held = select(SessionRow.id).where(
                SessionRow.series_id == SeriesRow.id,
                SessionRow.starts_at >= starting_within.start,
                SessionRow.starts_at < starting_within.end,
            )
            query = query.where(held.exists())
        return [mapping.series(r) for r in self.db.scalars(query)]

    def session(self, session_id: int) -> Session | None:
        row = self.db.get(SessionRow, session_id)
        return mapping.session(row) if row else None

    def session_lines(
        self,
        facilitator_id: int,
        *,
        now: datetime,
        past: bool,
        beyond: tuple[datetime, int] | None,
        limit: int,
    ) -> list[SessionLine]:
        start = SessionRow.starts_at
        query = (
            select(SessionRow, SeriesRow.group_label, RoomRow.name, VenueRow.name)
            .join(SeriesRow, SeriesRow.id == SessionRow.series_id)
            .join(RoomRow, RoomRow.id == SessionRow.room_id)
            .join(VenueRow, VenueRow.id == RoomRow.venue_id)
            .where(SeriesRow.facilitator_id == facilitator_id)
            .where(start <= now if past else start > now)
            .order_by(*((start.desc(), SessionRow.id.desc()) if past else (start, SessionRow.id)))
            .limit(limit)
        )
        if beyond is not None:  # keyset paging on (start, id): ties at the page's edge stay
            when, last = beyond
            if past:
                query = query.where(or_(start < when, and_(start == when, SessionRow.id < last)))
            else:
                query = query.where(or_(start > when, and_(start == when, SessionRow.id > last)))
        return [
            SessionLine(mapping.session(row), label, room, venue)
            for row, label, room, venue in self.db.execute(query)
        ]

    def update_session(self, session: Session) -> None:
        row = self.db.get_one(SessionRow, session.id)
        row.status = session.status.value
        row.cancelled_at = session.cancelled_at
        self.db.flush()

    def booked_overlapping(self, room_ids: Sequence[int], span: Interval) -> list[Session]:
        query = select(SessionRow).where(
            SessionRow.room_id.in_(room_ids),
            SessionRow.status == SessionStatus.BOOKED.value,
            SessionRow.occupied_from < span.end,
            SessionRow.occupied_until > span.start,
        )
        return [mapping.session(r) for r in self.db.scalars(query)]

    def set_purchase_order(self, session_ids: Sequence[int], purchase_order_id: int) -> None:
        self.db.execute(
            update(SessionRow)
            .where(SessionRow.id.in_(session_ids))
            .values(purchase_order_id=purchase_order_id)
        )

    def facilitator_emails(self, series_ids: Sequence[int]) -> dict[int, str]:
        query = (
            select(SeriesRow.id, UserRow.email)
            .join(UserRow, UserRow.id == SeriesRow.facilitator_id)
            .where(SeriesRow.id.in_(set(series_ids)), UserRow.active)
        )
        return {series_id: email for series_id, email in self.db.execute(query)}

    def committed_pence(self, purchase_order_id: int) -> int:
        total = self.db.scalar(
            select(func.coalesce(func.sum(SessionRow.net_pence + SessionRow.vat_pence), 0)).where(
                SessionRow.purchase_order_id == purchase_order_id,
                SessionRow.status.in_(CHARGEABLE),
            )
        )
        return int(total or 0)


class PurchaseOrderRepository(_Repository):
    def add(self, po: PurchaseOrder) -> PurchaseOrder:
        row = mapping.purchase_order_row(po)
        self.db.add(row)
        self.db.flush()
        return mapping.purchase_order(row)

    def get(self, po_id: int, *, for_update: bool = False) -> PurchaseOrder | None:
        row = self.db.get(PurchaseOrderRow, po_id, with_for_update=for_update)
        return mapping.purchase_order(row) if row else None

    def by_number(self, number: str) -> PurchaseOrder | None:
        row = self.db.scalar(select(PurchaseOrderRow).where(PurchaseOrderRow.number == number))
        return mapping.purchase_order(row) if row else None

    def find(self, *, venue_id: int | None = None) -> list[PurchaseOrder]:
        query = select(PurchaseOrderRow).order_by(PurchaseOrderRow.id)
        if venue_id is not None:
            query = query.where(PurchaseOrderRow.venue_id == venue_id)
        return [mapping.purchase_order(r) for r in self.db.scalars(query)]

    def update(self, po: PurchaseOrder) -> None:
        row = self.db.get_one(PurchaseOrderRow, po.id)
        for name in ("approved_value_pence", "valid_from", "valid_to", "venue_id"):
            setattr(row, name, getattr(po, name))
        self.db.flush()


class UserRepository(_Repository):
    def add(self, user: User) -> User:
        row = mapping.user_row(user)
        self.db.add(row)
        self.db.flush()
        return mapping.user(row)

    def update(self, user: User) -> None:
        self._overwrite(mapping.user_row(user), user.id)

    def all(self) -> list[User]:
        return [mapping.user(r) for r in self.db.scalars(select(UserRow).order_by(UserRow.id))]

    def get(self, user_id: int) -> User | None:
        row = self.db.get(UserRow, user_id)
        return mapping.user(row) if row else None

    def by_key_hash(self, key_hash: str) -> User | None:
        row = self.db.scalar(select(UserRow).where(UserRow.key_hash == key_hash))
        return mapping.user(row) if row else None

    def find(self, *, role: Role, trust_id: int | None, for_update: bool = False) -> list[User]:
        """Active users with that role (of that trust, when given)."""
        query = select(UserRow).where(UserRow.role == role.value, UserRow.active)
        if trust_id is not None:
            query = query.where(UserRow.trust_id == trust_id)
        query = query.order_by(UserRow.id)  # rows locked in one order: no deadlock
        if for_update:
            query = query.with_for_update()
        return [mapping.user(r) for r in self.db.scalars(query)]

    def by_email(self, email: str) -> User | None:
        row = self.db.scalar(select(UserRow).where(UserRow.email == email))
        return mapping.user(row) if row else None


class IdempotencyStore(_Repository):
    def get(self, user_id: int, key: str) -> StoredResponse | None:
        row = self._row(user_id, key)
        return StoredResponse(row.fingerprint, row.status, row.body) if row else None

    def claim(self, user_id: int, key: str, fingerprint: str) -> None:
        self.db.add(IdempotencyRow(user_id=user_id, key=key, fingerprint=fingerprint))
        try:
            self.db.flush()
        except IntegrityError as exc:
            raise KeyAlreadyClaimed(key) from exc

    def complete(self, user_id: int, key: str, status: int, body: str) -> None:
        row = self._row(user_id, key)
        assert row is not None
        row.status, row.body = status, body
        self.db.flush()

    def _row(self, user_id: int, key: str) -> IdempotencyRow | None:
        return self.db.scalar(
            select(IdempotencyRow).where(
                IdempotencyRow.user_id == user_id, IdempotencyRow.key == key
            )
        )


class AuditLog(_Repository):
    def record(self, event: AuditEvent) -> None:
        self.db.add(AuditRow(**dataclasses.asdict(event)))


class InvoiceRepository(_Repository):
    def lock_issuing(self) -> None:
        """Serialise invoice runs. SQLite transactions are serialised already."""
        if self.db.get_bind().dialect.name == "postgresql":
            self.db.execute(text("SELECT pg_advisory_xact_lock(7373001)"))

    def next_number(self, venue_id: int, kind: Kind, prefix: str) -> tuple[str, int]:
        """The counter row is locked until commit; a rollback gives the number back."""
        counter = self.db.get(InvoiceCounterRow, (venue_id, kind.value), with_for_update=True)
        if counter is None:
            counter = InvoiceCounterRow(
                venue_id=venue_id, kind=kind.value, prefix=prefix, last_value=0
            )
            self.db.add(counter)
        counter.last_value += 1
        self.db.flush()
        return counter.prefix, counter.last_value

    def add(self, invoice: Invoice, pdf: bytes, created_at: datetime) -> Invoice:
        row = mapping.invoice_row(invoice, created_at)
        self.db.add(row)
        self.db.flush()
        digest = hashlib.sha256(pdf).hexdigest()
        self.db.add(InvoiceDocumentRow(invoice_id=row.id, pdf=pdf, sha256=digest))
        self.db.flush()
        return mapping.invoice(row)

    def get(self, invoice_id: int) -> Invoice | None:
        row = self.db.get(InvoiceRow, invoice_id)
        return mapping.invoice(row) if row else None

    def find(self, *, venue_id: int | None = None) -> list[Invoice]:
        query = select(InvoiceRow).order_by(InvoiceRow.id)
        if venue_id is not None:
            query = query.where(InvoiceRow.venue_id == venue_id)
        return [mapping.invoice(r) for r in self.db.scalars(query)]

    def charged_session_ids(self) -> set[int]:
        column = InvoiceLineRow.charged_session_id
        return set(self.db.scalars(select(column).where(column.is_not(None))))

    def invoice_charging(self, session_id: int) -> Invoice | None:
        row = self.db.scalar(
            select(InvoiceRow)
            .join(InvoiceLineRow)
            .where(InvoiceLineRow.charged_session_id == session_id)
        )
        return mapping.invoice(row) if row else None

    def invoiced_pence(self, purchase_order_id: int) -> int:
        total = self.db.scalar(
            select(func.coalesce(func.sum(InvoiceRow.gross_pence), 0)).where(
                InvoiceRow.purchase_order_id == purchase_order_id
            )
        )
        return int(total or 0)

    def document(self, invoice_id: int) -> tuple[bytes, str] | None:
        row = self.db.get(InvoiceDocumentRow, invoice_id)
        return (row.pdf, row.sha256) if row else None

    def document_hashes(self, invoice_ids: Sequence[int]) -> dict[int, str]:
        documents = InvoiceDocumentRow.__table__
        query = select(documents.c.invoice_id, documents.c.sha256).where(
            documents.c.invoice_id.in_(set(invoice_ids))
        )
        return {invoice_id: sha256 for invoice_id, sha256 in self.db.execute(query)}


class OutboxRepository(_Repository):
    def add(self, message: OutboxMessage) -> OutboxMessage:
        row = mapping.outbox_row(message)
        self.db.add(row)
        self.db.flush()
        return mapping.outbox(row)

    def add_all(self, messages: Sequence[OutboxMessage]) -> None:
        if messages:
            rows = [mapping.outbox_values(m) for m in messages]
            self.db.connection().execute(insert(Base.metadata.tables["outbox_messages"]), rows)

    def get(self, message_id: int) -> OutboxMessage | None:
        row = self.db.get(OutboxRow, message_id)
        return mapping.outbox(row) if row else None

    def find(
        self, *, state: State | None = None, invoice_id: int | None = None
    ) -> list[OutboxMessage]:
        query = select(OutboxRow).order_by(OutboxRow.id)
        if state is not None:
            query = query.where(OutboxRow.state == state.value)
        if invoice_id is not None:
            query = query.where(OutboxRow.invoice_id == invoice_id)
        return [mapping.outbox(r) for r in self.db.scalars(query)]

    def due(self, now: datetime, stale_before: datetime, limit: int) -> list[OutboxMessage]:
        pending = (OutboxRow.state == State.PENDING.value) & (
            OutboxRow.next_attempt_at.is_(None) | (OutboxRow.next_attempt_at <= now)
        )
        abandoned = (OutboxRow.state == State.SENDING.value) & (OutboxRow.claimed_at < stale_before)
        query = (
            select(OutboxRow)
            .where(pending | abandoned)
            .order_by(OutboxRow.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [mapping.outbox(r) for r in self.db.scalars(query)]

    def save(self, message: OutboxMessage) -> None:
        row = self.db.get_one(OutboxRow, message.id)
        for name, value in _columns(mapping.outbox_row(message)).items():
            setattr(row, name, value)
        self.db.flush()


def _columns(row: Base) -> dict[str, object]:
    return {c.key: getattr(row, c.key) for c in row.__table__.columns if c.key != "id"}


class ReconciliationRepository(_Repository):
    def _insert(self, table: type[Base], rows: list[dict[str, Any]]) -> None:
        """Many rows in one executemany, without the ORM's per-row bookkeeping."""
        self.db.connection().execute(insert(Base.metadata.tables[table.__tablename__]), rows)

    def lock(self) -> None:
        """Serialise imports. SQLite transactions are serialised already."""
        if self.db.get_bind().dialect.name == "postgresql":
            self.db.execute(text("SELECT pg_advisory_xact_lock(7373002)"))

    def ours(self) -> list[Ours]:
        """Every invoice and credit note, light: no lines, no PDF. Two plain scans (a join
        on the grouped events made SQLite's planner slow)."""
        sent_query = (
            select(StatusEventRow.invoice_id, func.min(StatusEventRow.at))
            .where(StatusEventRow.status == Status.SENT.value)
            .group_by(StatusEventRow.invoice_id)
        )
        sent = {invoice_id: _london_day(at) for invoice_id, at in self.db.execute(sent_query)}
        query = select(
            InvoiceRow.id,
            InvoiceRow.venue_id,
            InvoiceRow.trust_id,
            InvoiceRow.booking_id,
            InvoiceRow.number,
            InvoiceRow.po_number,
            InvoiceRow.gross_pence,
        ).order_by(InvoiceRow.id)
        return [
            Ours(
                id=id_,
                venue_id=venue_id,
                trust_id=trust_id,
                booking_id=booking_id,
                number=number,  # issued as capitals and digits already
                po_number=normalise_invoice_number(po_number),
                amount_pence=gross,  # a credit note's is negative
                sent_on=sent.get(id_),
            )
            for id_, venue_id, trust_id, booking_id, number, po_number, gross in (
                self.db.execute(query)
            )
        ]

    def data_version(self) -> str:
        newest = [
            select(func.max(table.id)).scalar_subquery()
            for table in (InvoiceRow, StatusEventRow, ImportRow)
        ]
        return "/".join(str(n or 0) for n in self.db.execute(select(*newest)).one())

    def statement(self, venue_id: int) -> list[StatementEntry]:
        """The venue's invoices and credit notes, newest first, with their states."""
        first_line = (
            select(InvoiceLineRow.description)
            .where(InvoiceLineRow.invoice_id == InvoiceRow.id)
            .order_by(InvoiceLineRow.position)
            .limit(1)
            .scalar_subquery()
        )
        query = (
            select(InvoiceRow, InvoiceStateRow, first_line)
            .outerjoin(InvoiceStateRow, InvoiceStateRow.invoice_id == InvoiceRow.id)
            .where(InvoiceRow.venue_id == venue_id)
            .order_by(InvoiceRow.issue_date.desc(), InvoiceRow.id.desc())
        )
        rows = self.db.execute(query.options(lazyload(InvoiceRow.lines))).all()
        sent_query = (
            select(StatusEventRow.invoice_id, func.min(StatusEventRow.at))
            .join(InvoiceRow, InvoiceRow.id == StatusEventRow.invoice_id)
            .where(StatusEventRow.status == Status.SENT.value, InvoiceRow.venue_id == venue_id)
            .group_by(StatusEventRow.invoice_id)
        )
        sent = {invoice_id: _london_day(at) for invoice_id, at in self.db.execute(sent_query)}
        return [
            StatementEntry(
                invoice.id,
                Kind(invoice.kind),
                invoice.number,
                invoice.issue_date,
                invoice.po_number,
                description or "",
                invoice.gross_pence,
                invoice.credits_invoice,
                sent.get(invoice.id),
                mapping.invoice_state(state) if state else None,
            )
            for invoice, state, description in rows
        ]

    def states(self) -> dict[int, InvoiceState]:
        rows = self.db.scalars(select(InvoiceStateRow))
        return {r.invoice_id: mapping.invoice_state(r) for r in rows}

    def state(self, invoice_id: int) -> InvoiceState | None:
        row = self.db.get(InvoiceStateRow, invoice_id)
        return mapping.invoice_state(row) if row else None

    def save_states(self, states: Sequence[InvoiceState], *, replacing: Sequence[int]) -> None:
        for chunk in range(0, len(replacing), 500):
            self.db.execute(
                delete(InvoiceStateRow).where(
                    InvoiceStateRow.invoice_id.in_(replacing[chunk : chunk + 500])
                )
            )
        if states:
            self._insert(InvoiceStateRow, [mapping.invoice_state_values(s) for s in states])

    def confirm(self, invoice_id: int) -> None:
        self.db.execute(
            update(InvoiceStateRow)
            .where(InvoiceStateRow.invoice_id == invoice_id)
            .values(confirmed=True)
        )

    def add_events(self, events: Sequence[StatusEvent]) -> None:
        if events:
            self._insert(StatusEventRow, [mapping.status_event_values(e) for e in events])

    def events(self, invoice_id: int) -> list[StatusEvent]:
        query = select(StatusEventRow).where(StatusEventRow.invoice_id == invoice_id)
        return [mapping.status_event(r) for r in self.db.scalars(query.order_by(StatusEventRow.id))]

    def add_import(self, record: ImportRecord) -> ImportRecord:
        row = mapping.import_row(record)
        self.db.add(row)
        self.db.flush()
        return mapping.import_record(row)

    def update_import(self, record: ImportRecord) -> None:
        row = self.db.get_one(ImportRow, record.id)
        for name, value in _columns(mapping.import_row(record)).items():
            setattr(row, name, value)
        self.db.flush()

    def get_import(self, import_id: int) -> ImportRecord | None:
        row = self.db.get(ImportRow, import_id)
        return mapping.import_record(row) if row else None

    def import_of(self, profile: str, sha256: str) -> ImportRecord | None:
        row = self.db.scalar(
            select(ImportRow).where(ImportRow.profile == profile, ImportRow.sha256 == sha256)
        )
        return mapping.import_record(row) if row else None

    def imports(self) -> list[ImportRecord]:
        rows = self.db.scalars(select(ImportRow).order_by(ImportRow.id.desc()))
        return [mapping.import_record(r) for r in rows]

    def add_findings(self, findings: Sequence[Discrepancy]) -> None:
        if findings:
            self._insert(
                FindingRow,
                [
                    {
                        "import_id": f.import_id,
                        "line": f.line,
                        "venue_id": f.venue_id,
                        "detail": f.detail,
                    }
                    for f in findings
                ],
            )

    def findings(self, import_ids: Sequence[int]) -> list[Discrepancy]:
        """Rows of those imports about our venues that matched nothing we issued."""
        query = (
            select(FindingRow)
            .where(FindingRow.import_id.in_(import_ids))
            .order_by(FindingRow.import_id, FindingRow.line)
        )
        return [
            Discrepancy(
                Problem.UNKNOWN_INVOICE,
                r.detail,
                venue_id=r.venue_id,
                import_id=r.import_id,
                line=r.line,
            )
            for r in self.db.scalars(query)
        ]


class StatusLinkRepository(_Repository):
    def add(self, link: StatusLink) -> StatusLink:
        row = mapping.status_link_row(link)
        self.db.add(row)
        self.db.flush()
        return mapping.status_link(row)

    def get(self, link_id: int) -> StatusLink | None:
        row = self.db.get(StatusLinkRow, link_id)
        return mapping.status_link(row) if row else None

    def by_hash(self, token_hash: str) -> StatusLink | None:
        row = self.db.scalar(select(StatusLinkRow).where(StatusLinkRow.token_hash == token_hash))
        return mapping.status_link(row) if row else None

    def find(self, venue_id: int) -> list[StatusLink]:
        query = select(StatusLinkRow).where(StatusLinkRow.venue_id == venue_id)
        return [mapping.status_link(r) for r in self.db.scalars(query.order_by(StatusLinkRow.id))]

    def save(self, link: StatusLink) -> None:
        row = self.db.get_one(StatusLinkRow, link.id)
        row.token_hash, row.revoked_at = link.token_hash, link.revoked_at
        row.last_used_at = link.last_used_at
        self.db.flush()


class CalendarLinkRepository(_Repository):
    def add(self, link: CalendarLink) -> CalendarLink:
        row = mapping.calendar_link_row(link)
        self.db.add(row)
        self.db.flush()
        return mapping.calendar_link(row)

    def by_hash(self, token_hash: str) -> CalendarLink | None:
        row = self.db.scalar(
            select(CalendarLinkRow).where(CalendarLinkRow.token_hash == token_hash)
        )
        return mapping.calendar_link(row) if row else None

    def revoke_all(self, user_id: int, at: datetime) -> None:
        self.db.execute(update(CalendarLinkRow).where(_live_link(user_id)).values(revoked_at=at))

    def has_live(self, user_id: int) -> bool:
        return self.db.scalar(select(CalendarLinkRow.id).where(_live_link(user_id))) is not None


def _live_link(user_id: int) -> ColumnElement[bool]:
    return (CalendarLinkRow.user_id == user_id) & CalendarLinkRow.revoked_at.is_(None)


class RateLimits(_Repository):
    def count(self, key: str, window_start: datetime) -> int:
        row = self.db.get(RateLimitRow, (key, window_start))
        return row.count if row else 0

    def hit(self, key: str, window_start: datetime) -> None:
        """Count one more, atomically, whichever worker process it is."""
        upsert = sqlite_insert if self.db.get_bind().dialect.name == "sqlite" else pg_insert
        statement = upsert(RateLimitRow).values(key=key, window_start=window_start, count=1)
        self.db.execute(
            statement.on_conflict_do_update(
                index_elements=["key", "window_start"],
                set_={"count": RateLimitRow.count + 1},
            )
        )
        self.db.execute(delete(RateLimitRow).where(RateLimitRow.window_start < window_start))


class SignInLinkRepository(_Repository):
    def add(self, link: SignInLink) -> SignInLink:
        return self._inserted(mapping.sign_in_link_row(link), mapping.sign_in_link)

    def get(self, link_id: int) -> SignInLink | None:
        row = self.db.get(SignInLinkRow, link_id)
        return mapping.sign_in_link(row) if row else None

    def by_hash(self, token_hash: str) -> SignInLink | None:
        row = self.db.scalar(select(SignInLinkRow).where(SignInLinkRow.token_hash == token_hash))
        return mapping.sign_in_link(row) if row else None

    def save(self, link: SignInLink) -> None:
        self._overwrite(mapping.sign_in_link_row(link), link.id)

    def use(self, link_id: int, at: datetime) -> bool:
        """One conditional UPDATE, so two requests racing with one link can't both win."""
        unused = (
            (SignInLinkRow.id == link_id)
            & SignInLinkRow.used_at.is_(None)
            & (SignInLinkRow.expires_at > at)
        )
        return _changed(self.db.execute(update(SignInLinkRow).where(unused).values(used_at=at)))


class StaffSessionRepository(_Repository):
    def add(self, session: StaffSession) -> StaffSession:
        return self._inserted(mapping.staff_session_row(session), mapping.staff_session)

    def by_hash(self, token_hash: str) -> StaffSession | None:
        query = select(StaffSessionRow).where(StaffSessionRow.token_hash == token_hash)
        row = self.db.scalar(query)
        return mapping.staff_session(row) if row else None

    def save(self, session: StaffSession) -> None:
        self._overwrite(mapping.staff_session_row(session), session.id)

    def touch(self, session_id: int, at: datetime) -> bool:
        """Never brings an ended session back (a sign-out may land between read and write)."""
        live = (StaffSessionRow.id == session_id) & StaffSessionRow.ended_at.is_(None)
        statement = update(StaffSessionRow).where(live).values(last_seen_at=at)
        return _changed(self.db.execute(statement))

    def end_all(self, user_id: int, at: datetime) -> None:
        live = (StaffSessionRow.user_id == user_id) & StaffSessionRow.ended_at.is_(None)
        self.db.execute(update(StaffSessionRow).where(live).values(ended_at=at))


def _changed(result: Result[Any]) -> bool:
    return bool(cast(CursorResult[Any], result).rowcount)


def _london_day(at: datetime | None) -> date | None:
    if at is None:
        return None
    if at.tzinfo is None:  # SQLite in a raw query: stored as UTC without a zone
        at = at.replace(tzinfo=UTC)
    return at.astimezone(LONDON).date()

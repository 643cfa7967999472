"""What the finance exports said of our invoices: states, history, imports, discrepancies."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.orm import aliased, lazyload

from adapters.db import mapping
from adapters.db.repositories.base import Repository, columns_of
from adapters.db.repositories.invoicing import charged_again
from adapters.db.tables import (
    FindingRow,
    ImportRow,
    InvoiceLineRow,
    InvoiceReissueRow,
    InvoiceRow,
    InvoiceStateRow,
    OutboxRow,
    ResolutionRow,
    StatusEventRow,
)
from service.domain.exports import FinanceStatus, normalise_invoice_number
from service.domain.invoicing import DocumentKind
from service.domain.reconciliation import (
    Discrepancy,
    DiscrepancyKind,
    EventKey,
    ImportRecord,
    InvoiceState,
    IssuedInvoice,
    StatusEvent,
)
from service.domain.resolutions import Resolution
from service.domain.timeslots import LONDON
from service.domain.venue_status import StatementEntry

# Read on every status page view: built once (see base).
_STATES = InvoiceStateRow.__table__
_TO_CONFIRM = (
    select(func.count())
    .select_from(_STATES)
    .where(_STATES.c.fallback.is_(True), _STATES.c.confirmed.is_(False))
    .scalar_subquery()
)
_DATA_VERSION = select(
    *(
        select(func.max(row.__table__.c.id)).scalar_subquery()
        for row in (InvoiceRow, StatusEventRow, ImportRow, OutboxRow)
    ),
    _TO_CONFIRM,
)


class ReconciliationRepository(Repository):
    def lock(self) -> None:
        """Serialise imports. SQLite transactions are serialised already."""
        if self.db.get_bind().dialect.name == "postgresql":
            self.db.execute(text("SELECT pg_advisory_xact_lock(7373002)"))

    def issued_invoices(self) -> list[IssuedInvoice]:
        """Every invoice and credit note, light: no lines, no PDF. Two plain scans (a join
        on the grouped events made SQLite's planner slow)."""
        sent_query = (
            select(StatusEventRow.invoice_id, func.min(StatusEventRow.at))
            .where(StatusEventRow.status == FinanceStatus.SENT.value)
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
            InvoiceRow.issue_date,
            InvoiceRow.due_date,
        ).order_by(InvoiceRow.id)
        return [
            IssuedInvoice(
                id=id_,
                venue_id=venue_id,
                trust_id=trust_id,
                booking_id=booking_id,
                number=number,  # issued as capitals and digits already
                po_number=normalise_invoice_number(po_number),
                amount_pence=gross,  # a credit note's is negative
                sent_on=sent.get(id_),
                issue_date=issued,
                due_date=due,
            )
            for id_, venue_id, trust_id, booking_id, number, po_number, gross, issued, due in (
                self.db.execute(query)
            )
        ]

    def data_version(self) -> str:
        """The newest invoice, status event, import and outbox message: every booking,
        change or cancellation queues the venue's invitation, so the outbox marks those. And
        the matches waiting to be confirmed (few, by their partial index): a venue is told of
        one once a person confirms it."""
        return "/".join(str(n or 0) for n in self.db.execute(_DATA_VERSION).one())

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
            .where(
                StatusEventRow.status == FinanceStatus.SENT.value, InvoiceRow.venue_id == venue_id
            )
            .group_by(StatusEventRow.invoice_id)
        )
        sent = {invoice_id: _london_day(at) for invoice_id, at in self.db.execute(sent_query)}
        note = aliased(InvoiceRow)
        reissues = {
            invoice_id: (note_id, number)
            for invoice_id, note_id, number in self.db.execute(
                select(InvoiceReissueRow.invoice_id, note.id, note.number)
                .join(note, note.id == InvoiceReissueRow.credit_note_id)
                .where(note.venue_id == venue_id)
            )
        }
        reissue_notes = {note_id for note_id, _ in reissues.values()}
        again: dict[int, list[str]] = {}
        for invoice_id, later in self.db.execute(
            charged_again(list(reissues)).order_by(InvoiceRow.id)
        ):
            again.setdefault(invoice_id, []).append(later.number)
        return [
            StatementEntry(
                invoice.id,
                DocumentKind(invoice.kind),
                invoice.number,
                invoice.issue_date,
                invoice.po_number,
                description or "",
                invoice.gross_pence,
                invoice.credits_invoice,
                sent.get(invoice.id),
                mapping.invoice_state(state) if state else None,
                credited_by=reissues.get(invoice.id, (None, None))[1],
                charged_again_on=tuple(again.get(invoice.id, ())),
                reissue_credit=invoice.id in reissue_notes,
            )
            for invoice, state, description in rows
        ]

    def states(self, among: Sequence[int] | None = None) -> dict[int, InvoiceState]:
        query = select(InvoiceStateRow)
        if among is not None:
            query = query.where(InvoiceStateRow.invoice_id.in_(set(among)))
        rows = self.db.scalars(query)
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
            self.insert_many(InvoiceStateRow, mapping.invoice_state_columns(states))

    def now_as_of(self, invoice_ids: Sequence[int], as_of: date) -> None:
        """The states of these invoices, shown unchanged by an export as of `as_of`, are
        known as of that day (if it is later than what they were known as of)."""
        for chunk in range(0, len(invoice_ids), 500):
            self.db.execute(
                update(InvoiceStateRow)
                .where(
                    InvoiceStateRow.invoice_id.in_(invoice_ids[chunk : chunk + 500]),
                    (InvoiceStateRow.as_of < as_of) | InvoiceStateRow.as_of.is_(None),
                )
                .values(as_of=as_of)
            )

    def recorded(self, invoice_ids: Sequence[int]) -> dict[int, set[EventKey]]:
        """What each invoice's history records (StatusEvent.key), whenever it was seen."""
        found: dict[int, set[EventKey]] = {i: set() for i in invoice_ids}
        columns = (
            StatusEventRow.invoice_id,
            StatusEventRow.status,
            StatusEventRow.hold_code,
            StatusEventRow.payment_number,
        )
        for chunk in range(0, len(invoice_ids), 500):
            query = select(*columns).where(
                StatusEventRow.invoice_id.in_(invoice_ids[chunk : chunk + 500])
            )
            for invoice_id, status, hold, payment in self.db.execute(query):
                found[invoice_id].add((FinanceStatus(status), hold, payment))
        return found

    def confirm(self, invoice_id: int) -> None:
        self.db.execute(
            update(InvoiceStateRow)
            .where(InvoiceStateRow.invoice_id == invoice_id)
            .values(confirmed=True)
        )

    def add_events(self, events: Sequence[StatusEvent]) -> None:
        if events:
            self.insert_many(StatusEventRow, mapping.status_event_columns(events))

    def events(self, invoice_id: int) -> list[StatusEvent]:
        query = select(StatusEventRow).where(StatusEventRow.invoice_id == invoice_id)
        return [mapping.status_event(r) for r in self.db.scalars(query.order_by(StatusEventRow.id))]

    def add_import(self, record: ImportRecord) -> ImportRecord:
        return self.inserted(mapping.import_row(record), mapping.import_record)

    def update_import(self, record: ImportRecord) -> None:
        row = self.db.get_one(ImportRow, record.id)
        for name, value in columns_of(mapping.import_row(record)).items():
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
            columns = ("import_id", "line", "venue_id", "detail")
            self.insert_many(FindingRow, mapping.by_column(findings, columns))

    def findings(self, import_ids: Sequence[int]) -> list[Discrepancy]:
        """Rows of those imports about our venues that matched nothing we issued."""
        query = (
            select(FindingRow)
            .where(FindingRow.import_id.in_(import_ids))
            .order_by(FindingRow.import_id, FindingRow.line)
        )
        return [
            Discrepancy(
                DiscrepancyKind.UNKNOWN_INVOICE,
                r.detail,
                venue_id=r.venue_id,
                import_id=r.import_id,
                line=r.line,
            )
            for r in self.db.scalars(query)
        ]

    def add_resolution(self, resolution: Resolution) -> Resolution:
        values = {**vars(resolution), "problem": resolution.problem.value}
        del values["id"]
        return self.inserted(ResolutionRow(**values), _resolution)

    def resolved(self, keys: Sequence[str]) -> dict[str, Resolution]:
        found: dict[str, Resolution] = {}
        for chunk in range(0, len(keys), 500):
            query = select(ResolutionRow).where(ResolutionRow.key.in_(keys[chunk : chunk + 500]))
            found |= {r.key: _resolution(r) for r in self.db.scalars(query)}
        return found

    def resolutions(self, limit: int) -> list[Resolution]:
        newest = (ResolutionRow.resolved_at.desc(), ResolutionRow.id.desc())
        query = select(ResolutionRow).order_by(*newest).limit(limit)
        return [_resolution(r) for r in self.db.scalars(query)]


def _resolution(row: ResolutionRow) -> Resolution:
    return Resolution(
        row.key,
        DiscrepancyKind(row.problem),
        row.detail,
        row.invoice_id,
        row.venue_id,
        row.note,
        row.resolved_by,
        row.resolved_at,
        row.id,
    )


def _london_day(at: datetime | None) -> date | None:
    if at is None:
        return None
    if at.tzinfo is None:  # SQLite in a raw query: stored as UTC without a zone
        at = at.replace(tzinfo=UTC)
    return at.astimezone(LONDON).date()

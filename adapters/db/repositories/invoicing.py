"""Issued invoices and credit notes, their gap-free numbers and stored documents."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, Select, exists, func, select, text
from sqlalchemy.orm import aliased

from adapters.db import mapping
from adapters.db.repositories.base import Repository
from adapters.db.tables import (
    InvoiceCounterRow,
    InvoiceDocumentRow,
    InvoiceLineRow,
    InvoiceReissueRow,
    InvoiceRow,
)
from service.domain.invoicing import PDF, Document, DocumentKind, Invoice, documents_digest
from service.domain.reissues import Reissue, ReissueReason


class InvoiceRepository(Repository):
    def lock_issuing(self) -> None:
        """Serialise invoice runs. SQLite transactions are serialised already."""
        if self.db.get_bind().dialect.name == "postgresql":
            self.db.execute(text("SELECT pg_advisory_xact_lock(7373001)"))

    def next_number(self, venue_id: int, kind: DocumentKind, prefix: str) -> tuple[str, int]:
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

    def add(self, invoice: Invoice, documents: Sequence[Document], created_at: datetime) -> Invoice:
        row = mapping.invoice_row(invoice, created_at)
        self.db.add(row)
        self.db.flush()
        self.db.add_all(
            InvoiceDocumentRow(
                invoice_id=row.id, media_type=d.media_type, content=d.content, sha256=d.sha256
            )
            for d in documents
        )
        self.db.flush()
        return mapping.invoice(row)

    def get(self, invoice_id: int) -> Invoice | None:
        row = self.db.get(InvoiceRow, invoice_id)
        return mapping.invoice(row) if row else None

    def get_many(self, invoice_ids: Sequence[int]) -> list[Invoice]:
        rows = self.db.scalars(select(InvoiceRow).where(InvoiceRow.id.in_(set(invoice_ids))))
        found = {row.id: mapping.invoice(row) for row in rows}
        return [found[i] for i in invoice_ids if i in found]

    def by_number(self, venue_id: int, number: str) -> Invoice | None:
        row = self.db.scalar(
            select(InvoiceRow).where(InvoiceRow.venue_id == venue_id, InvoiceRow.number == number)
        )
        return mapping.invoice(row) if row else None

    def credit_notes_for(self, invoice: Invoice) -> list[Invoice]:
        query = (
            select(InvoiceRow)
            .where(
                InvoiceRow.venue_id == invoice.venue_id,
                InvoiceRow.credits_invoice == invoice.number,
            )
            .order_by(InvoiceRow.id)
        )
        return [mapping.invoice(r) for r in self.db.scalars(query)]

    def find(self, *, venue_id: int | None = None) -> list[Invoice]:
        query = select(InvoiceRow).order_by(InvoiceRow.id)
        if venue_id is not None:
            query = query.where(InvoiceRow.venue_id == venue_id)
        return [mapping.invoice(r) for r in self.db.scalars(query)]

    def charged_session_ids(self, among: Sequence[int] | None = None) -> set[int]:
        column = InvoiceLineRow.charged_session_id
        query = select(column).where(column.is_not(None), ~_credited(InvoiceLineRow))
        if among is not None:
            query = query.where(column.in_(set(among)))
        return set(self.db.scalars(query))

    def invoice_charging(self, session_id: int) -> Invoice | None:
        row = self.db.scalar(
            select(InvoiceRow)
            .join(InvoiceLineRow)
            .where(InvoiceLineRow.charged_session_id == session_id, ~_credited(InvoiceLineRow))
        )
        return mapping.invoice(row) if row else None

    def next_charge_rounds(self, session_ids: Sequence[int]) -> dict[int, int]:
        column = InvoiceLineRow.credited_session_id
        query = (
            select(column, func.max(InvoiceLineRow.charge_round))
            .where(column.in_(set(session_ids)))
            .group_by(column)
        )
        rounds = dict.fromkeys(session_ids, 0)
        rounds.update({session: last + 1 for session, last in self.db.execute(query) if session})
        return rounds

    def recharged_on(self, invoice_id: int) -> list[Invoice]:
        rows = self.db.execute(charged_again([invoice_id]).order_by(InvoiceRow.id))
        return [mapping.invoice(row) for _, row in rows]

    def add_reissue(self, reissue: Reissue) -> None:
        self.db.add(InvoiceReissueRow(**{**vars(reissue), "reason": reissue.reason.value}))
        self.db.flush()

    def reissue_of(self, invoice_id: int) -> Reissue | None:
        row = self.db.get(InvoiceReissueRow, invoice_id)
        if row is None:
            return None
        return Reissue(
            row.invoice_id,
            row.credit_note_id,
            ReissueReason(row.reason),
            row.details,
            row.purchase_order_id,
            row.actor,
            row.at,
        )

    def invoiced_pence(self, purchase_order_id: int) -> int:
        total = self.db.scalar(
            select(func.coalesce(func.sum(InvoiceRow.gross_pence), 0)).where(
                InvoiceRow.purchase_order_id == purchase_order_id
            )
        )
        return int(total or 0)

    def documents(self, invoice_id: int) -> list[Document]:
        query = (
            select(InvoiceDocumentRow.media_type, InvoiceDocumentRow.content)
            .where(InvoiceDocumentRow.invoice_id == invoice_id)
            .order_by(InvoiceDocumentRow.media_type != PDF, InvoiceDocumentRow.media_type)
        )
        return [Document(media_type, content) for media_type, content in self.db.execute(query)]

    def media_types(self, invoice_id: int) -> list[str]:
        query = select(InvoiceDocumentRow.media_type).where(
            InvoiceDocumentRow.invoice_id == invoice_id
        )
        return sorted(self.db.scalars(query))

    def documents_digests(self, invoice_ids: Sequence[int]) -> dict[int, str]:
        documents = InvoiceDocumentRow.__table__
        query = select(documents.c.invoice_id, documents.c.media_type, documents.c.sha256).where(
            documents.c.invoice_id.in_(set(invoice_ids))
        )
        hashes: dict[int, list[tuple[str, str]]] = {}
        for invoice_id, media_type, sha256 in self.db.execute(query):
            hashes.setdefault(invoice_id, []).append((media_type, sha256))
        return {invoice_id: documents_digest(pairs) for invoice_id, pairs in hashes.items()}


def _credited(line: type[InvoiceLineRow]) -> ColumnElement[bool]:
    """A credit line takes back this line's charge (the session and round it charges)."""
    credit = aliased(InvoiceLineRow)
    return exists().where(
        credit.credited_session_id == line.charged_session_id,
        credit.charge_round == line.charge_round,
    )


def charged_again(invoice_ids: Sequence[int]) -> Select[int, InvoiceRow]:
    """(invoice id, later invoice) for each later invoice that charges one of the invoices'
    sessions again, in a later round (after a credit note took the charge back)."""
    charged, again = aliased(InvoiceLineRow), aliased(InvoiceLineRow)
    pairs = (
        select(charged.invoice_id.label("invoice_id"), again.invoice_id.label("later_id"))
        .distinct()
        .join(
            again,
            (again.charged_session_id == charged.charged_session_id)
            & (again.charge_round > charged.charge_round),
        )
        .where(charged.invoice_id.in_(set(invoice_ids)))
        .subquery()
    )
    return select(pairs.c.invoice_id, InvoiceRow).join(
        InvoiceRow, InvoiceRow.id == pairs.c.later_id
    )

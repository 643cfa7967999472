"""Issued invoices and credit notes, their gap-free numbers and stored documents."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, text

from adapters.db import mapping
from adapters.db.repositories.base import Repository
from adapters.db.tables import (
    InvoiceCounterRow,
    InvoiceDocumentRow,
    InvoiceLineRow,
    InvoiceRow,
)
from service.domain.invoicing import PDF, Document, DocumentKind, Invoice, documents_digest


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
        query = select(column).where(column.is_not(None))
        if among is not None:
            query = query.where(column.in_(set(among)))
        return set(self.db.scalars(query))

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

    def documents(self, invoice_id: int) -> list[Document]:
        query = (
            select(InvoiceDocumentRow.media_type, InvoiceDocumentRow.content)
            .where(InvoiceDocumentRow.invoice_id == invoice_id)
            .order_by(InvoiceDocumentRow.media_type != PDF, InvoiceDocumentRow.media_type)
        )
        return [Document(media_type, content) for media_type, content in self.db.execute(query)]

    def documents_digests(self, invoice_ids: Sequence[int]) -> dict[int, str]:
        documents = InvoiceDocumentRow.__table__
        query = select(documents.c.invoice_id, documents.c.media_type, documents.c.sha256).where(
            documents.c.invoice_id.in_(set(invoice_ids))
        )
        hashes: dict[int, list[tuple[str, str]]] = {}
        for invoice_id, media_type, sha256 in self.db.execute(query):
            hashes.setdefault(invoice_id, []).append((media_type, sha256))
        return {invoice_id: documents_digest(pairs) for invoice_id, pairs in hashes.items()}

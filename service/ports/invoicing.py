"""Issued invoices and credit notes, their numbering and their rendered documents."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from service.domain.invoicing import Document, DocumentKind, Invoice


class InvoiceRepository(Protocol):
    def lock_issuing(self) -> None:
        """Serialise invoice runs until the transaction ends."""
        ...

    def next_number(self, venue_id: int, kind: DocumentKind, prefix: str) -> tuple[str, int]:
        """The venue's prefix for this kind and its next sequence value, locked until commit;
        `prefix` is used only for the venue's first document of this kind."""
        ...

    def add(
        self, invoice: Invoice, documents: Sequence[Document], created_at: datetime
    ) -> Invoice: ...
    def get(self, invoice_id: int) -> Invoice | None: ...
    def get_many(self, invoice_ids: Sequence[int]) -> list[Invoice]:
        """Those that exist, in the order asked."""
        ...

    def by_number(self, venue_id: int, number: str) -> Invoice | None: ...
    def credit_notes_for(self, invoice: Invoice) -> list[Invoice]:
        """The credit notes against the invoice, oldest first."""
        ...

    def find(self, *, venue_id: int | None = None) -> list[Invoice]: ...
    def charged_session_ids(self, among: Sequence[int] | None = None) -> set[int]:
        """Sessions charged on an invoice line (of those `among`, when given)."""
        ...

    def invoice_charging(self, session_id: int) -> Invoice | None: ...
    def invoiced_pence(self, purchase_order_id: int) -> int:
        """Gross invoiced on the PO, credit notes deducted."""
        ...

    def documents(self, invoice_id: int) -> list[Document]:
        """The documents stored at issue (its PDF first), byte for byte."""
        ...

    def documents_digests(self, invoice_ids: Sequence[int]) -> dict[int, str]:
        """Each invoice's documents_digest, from the stored hashes (no document is read)."""
        ...


class InvoiceRenderer(Protocol):
    def render(self, invoice: Invoice) -> Document:
        """The invoice (or credit note) as a PDF."""
        ...


class DocumentPreviews(Protocol):
    def first_page_png(self, pdf: bytes, width: int) -> bytes:
        """The PDF's first page as a PNG picture `width` pixels wide."""
        ...

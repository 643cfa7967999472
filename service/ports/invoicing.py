"""Issued invoices and credit notes, their numbering and their rendered documents."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from service.domain.invoicing import DocumentKind, Invoice


class InvoiceRepository(Protocol):
    def lock_issuing(self) -> None:
        """Serialise invoice runs until the transaction ends."""
        ...

    def next_number(self, venue_id: int, kind: DocumentKind, prefix: str) -> tuple[str, int]:
        """The venue's prefix for this kind and its next sequence value, locked until commit;
        `prefix` is used only for the venue's first document of this kind."""
        ...

    def add(self, invoice: Invoice, pdf: bytes, created_at: datetime) -> Invoice: ...
    def get(self, invoice_id: int) -> Invoice | None: ...
    def find(self, *, venue_id: int | None = None) -> list[Invoice]: ...
    def charged_session_ids(self) -> set[int]: ...
    def invoice_charging(self, session_id: int) -> Invoice | None: ...
    def invoiced_pence(self, purchase_order_id: int) -> int:
        """Gross invoiced on the PO, credit notes deducted."""
        ...

    def document(self, invoice_id: int) -> tuple[bytes, str] | None:
        """The stored PDF and its SHA-256."""
        ...

    def document_hashes(self, invoice_ids: Sequence[int]) -> dict[int, str]: ...


class InvoiceRenderer(Protocol):
    def render(self, invoice: Invoice) -> bytes:
        """The invoice (or credit note) as a PDF document."""
        ...

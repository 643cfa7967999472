"""Issued invoices and credit notes, their numbering and their rendered documents."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from service.domain.einvoice import EInvoice
from service.domain.invoicing import Document, DocumentKind, Invoice
from service.domain.reissues import Reissue


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
        """Sessions charged on an invoice line and not credited since, net of credit notes
        (of those `among`, when given)."""
        ...

    def invoice_charging(self, session_id: int) -> Invoice | None:
        """The invoice whose charge of the session no credit note has taken back."""
        ...

    def next_charge_rounds(self, session_ids: Sequence[int]) -> dict[int, int]:
        """The round a new charge of each session takes: one after its latest credit, or 0."""
        ...

    def recharged_on(self, invoice_id: int) -> list[Invoice]:
        """The invoices that charge the invoice's sessions again, after a credit note."""
        ...

    def add_reissue(self, reissue: Reissue) -> None:
        """Refused by the database if the invoice has been reissued already."""
        ...

    def reissue_of(self, invoice_id: int) -> Reissue | None: ...
    def invoiced_pence(self, purchase_order_id: int) -> int:
        """Gross invoiced on the PO, credit notes deducted."""
        ...

    def documents(self, invoice_id: int) -> list[Document]:
        """The documents stored at issue (its PDF first), byte for byte."""
        ...

    def media_types(self, invoice_id: int) -> list[str]:
        """The kinds of document stored for it (no document is read)."""
        ...

    def documents_digests(self, invoice_ids: Sequence[int]) -> dict[int, str]:
        """Each invoice's documents_digest, from the stored hashes (no document is read)."""
        ...


class InvoiceRenderer(Protocol):
    def render(self, invoice: Invoice) -> Document:
        """The invoice (or credit note) as a PDF."""
        ...

    def render_all(self, invoices: Sequence[Invoice]) -> list[Document]:
        """Each invoice's PDF, in order (a renderer may share a run between processes)."""
        return [self.render(invoice) for invoice in invoices]


class EInvoiceWriter(Protocol):
    def write(self, einvoice: EInvoice) -> Document:
        """The e-invoice as a UBL 2.1 Invoice or CreditNote (application/xml)."""
        ...

    def endpoints(self, document: bytes) -> tuple[str, str]:
        """The PEPPOL participant ids (scheme:identifier) of its seller and its buyer, as a
        document `write` made names them: who sends it on the network, and who receives it."""
        ...


class DocumentPreviews(Protocol):
    def first_page_png(self, pdf: bytes, width: int) -> bytes:
        """The PDF's first page as a PNG picture `width` pixels wide."""
        ...

"""Finance's view across invoices, their emails and their states in the exports, asked in
the database so that a page over 50,000 invoices reads only what it shows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Protocol


class InvoiceFilter(StrEnum):
    """What finance can ask the invoice list for (besides venue, trust and dates)."""

    NOT_EMAILED = "not_emailed"  # no message to accounts payable queued
    EMAIL_FAILED = "email_failed"  # the message to accounts payable failed, none was sent
    TO_CONFIRM = "to_confirm"  # matched by PO and amount only, not yet confirmed
    NOT_SEEN = "not_seen"  # in no export yet
    LOST = "lost"  # sent, and exports as of long enough after show it by no number of ours
    RECEIVED = "received"
    ON_HOLD = "on_hold"
    APPROVED = "approved"
    PART_PAID = "part_paid"
    PAID = "paid"
    CANCELLED = "cancelled"
    REJECTED = "rejected"


@dataclass(frozen=True)
class InvoiceQuery:
    venue_id: int | None = None
    trust_id: int | None = None
    status: InvoiceFilter | None = None
    hold: str | None = None  # a hold code the invoice is on hold with
    issued_from: date | None = None
    issued_to: date | None = None
    # per trust: an invoice sent before this and in no export since is lost (see is_lost)
    lost_if_sent_before: Mapping[int, datetime] = field(default_factory=dict)


@dataclass(frozen=True)
class ListedInvoice:
    """What the invoice list shows of an invoice or credit note, as issued."""

    id: int
    number: str
    supplier_name: str
    issue_date: date
    gross_pence: int
    credits_invoice: str | None  # a credit note's: the number of the invoice it credits


class Ledger(Protocol):
    def invoice_ids(self, query: InvoiceQuery, limit: int, offset: int) -> tuple[list[int], int]:
        """A page of the ids the query selects, newest first, and how many it selects."""
        ...

    def listed(self, invoice_ids: Sequence[int]) -> list[ListedInvoice]:
        """Those invoices as the list shows them, in the order of `invoice_ids`."""
        ...

    def count(self, query: InvoiceQuery) -> int: ...

    def email_counts(self) -> tuple[int, int]:
        """How many invoices are not emailed to accounts payable, and how many failed."""
        ...

    def holds(self) -> dict[str, int]:
        """Each hold code of invoices on hold now, with how many invoices have it."""
        ...

    def month_totals(self, first: date, last: date) -> tuple[int, int]:
        """Invoiced (by invoice date) and paid (by payment date) from `first` to `last`."""
        ...

    def owed(self) -> list[tuple[date, int]]:
        """What is still owed on open invoices (their amounts less payments), by invoice date,
        oldest first: those in no export yet, and those neither paid, cancelled nor rejected."""
        ...

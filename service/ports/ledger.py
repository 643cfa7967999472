"""Finance's view across invoices, their emails and their states in the exports, asked in
the database so that a page over 50,000 invoices reads only what it shows."""

from __future__ import annotations

from collections.abc import Mapping
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
    LOST = "lost"  # sent, and exports made long enough after still don't show it
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
class Money:
    """Money at a glance. `aged` is what is still owed (amount less payments; nothing for a
    cancelled or rejected invoice) by days since the invoice date:
    0 to 30, 31 to 60, 61 to 90, over 90;
    its sum is `outstanding_pence`."""

    invoiced_pence: int
    paid_pence: int
    aged: tuple[int, int, int, int]

    @property
    def outstanding_pence(self) -> int:
        return sum(self.aged)


class Ledger(Protocol):
    def invoice_ids(self, query: InvoiceQuery, limit: int, offset: int) -> tuple[list[int], int]:
        """A page of the ids the query selects, newest first, and how many it selects."""
        ...

    def count(self, query: InvoiceQuery) -> int: ...

    def holds(self) -> dict[str, int]:
        """Each hold code of invoices on hold now, with how many invoices have it."""
        ...

    def money(self, month: tuple[date, date], today: date) -> Money:
        """Invoiced (by invoice date) and paid (by payment date) within the month's first and
        last days, and what is owed, aged on `today`."""
        ...

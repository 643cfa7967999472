"""What a venue sees on its status page: its bookings to come (when and which room), and its
own invoices, each in plain words with a badge, newest first. Nothing about other venues,
groups or people."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from service.domain.exports import FinanceStatus
from service.domain.invoicing import PAYMENT_TERMS, DocumentKind
from service.domain.money import format_pounds
from service.domain.reconciliation import InvoiceState, explain_hold


class Badge(StrEnum):
    NOT_SENT = "not sent yet"
    SENT = "sent"
    RECEIVED = "received"
    ON_HOLD = "on hold"
    APPROVED = "approved"
    PART_PAID = "part paid"
    PAID = "paid"
    CANCELLED = "cancelled"
    REJECTED = "rejected"
    CREDIT = "credit note"


UPCOMING_SHOWN = 100  # the next sessions a status page lists


@dataclass(frozen=True)
class VenueBooking:
    """A session booked at the venue, as the venue sees it: never the group."""

    start: datetime
    end: datetime
    room: str


@dataclass(frozen=True)
class StatementEntry:
    """One of the venue's invoices or credit notes, with what is known of it."""

    invoice_id: int
    kind: DocumentKind
    number: str
    issue_date: date
    po_number: str
    description: str
    gross_pence: int
    credits_invoice: str | None
    sent_on: date | None
    state: InvoiceState | None
    credited_by: str | None = None  # reissued: the credit note that took it back
    charged_again_on: tuple[str, ...] = ()  # reissued: the invoices its sessions are now on
    reissue_credit: bool = False  # a credit note taking back a reissued invoice


@dataclass(frozen=True)
class VenueLine:
    number: str
    kind: DocumentKind
    issue_date: date
    po_number: str
    description: str
    amount_pence: int
    badge: Badge
    words: str

    @property
    def amount(self) -> str:
        return format_pounds(self.amount_pence)


def describe(entry: StatementEntry) -> VenueLine:
    badge, words = _status(entry)
    return VenueLine(
        entry.number,
        entry.kind,
        entry.issue_date,
        entry.po_number,
        entry.description,
        entry.gross_pence,  # a credit note's is negative
        badge,
        words,
    )


def _status(entry: StatementEntry) -> tuple[Badge, str]:
    """A badge and plain words; what has been paid so far is said whatever the status (a
    hold or an approval can follow a part payment)."""
    badge, words = _badge_and_words(entry)
    state = _told(entry.state)
    if state and state.paid_pence and badge not in (Badge.PAID, Badge.PART_PAID):
        words += f" {_paid_so_far(entry.gross_pence, state)}"
    return badge, words


def _paid_so_far(owed_pence: int, state: InvoiceState) -> str:
    return f"{format_pounds(state.paid_pence)} of {format_pounds(owed_pence)} paid so far."


def _told(state: InvoiceState | None) -> InvoiceState | None:
    """What the venue is told: a match by PO and amount is a guess until a person confirms it."""
    return None if state is None or state.unconfirmed else state


def _badge_and_words(entry: StatementEntry) -> tuple[Badge, str]:
    state = _told(entry.state)
    if entry.kind is DocumentKind.CREDIT_NOTE:
        if entry.reissue_credit:
            return (
                Badge.CREDIT,
                f"Credit note against {entry.credits_invoice}: it cancels that invoice, so "
                "nothing is owed on it. Its sessions are invoiced again.",
            )
        return (
            Badge.CREDIT,
            f"Credit note against {entry.credits_invoice}: it reduces what is owed.",
        )
    if state is None:
        if entry.sent_on is None:
            return Badge.NOT_SENT, "Issued; we haven't sent it to NHS accounts yet."
        return Badge.SENT, f"Sent to NHS accounts on {_day(entry.sent_on)}."
    received = state.received_on or entry.sent_on or entry.issue_date
    match state.status:
        case FinanceStatus.PAID:
            return Badge.PAID, _paid("Paid", state)
        case FinanceStatus.PART_PAID:
            owed = format_pounds(entry.gross_pence)
            return Badge.PART_PAID, _paid("Part paid", state, f" of {owed}")
        case FinanceStatus.ON_HOLD:
            reasons = "; ".join(explain_hold(code).for_venue for code in state.holds)
            return Badge.ON_HOLD, f"On hold: {reasons}."
        case FinanceStatus.APPROVED:
            due = received + PAYMENT_TERMS
            return Badge.APPROVED, f"Approved — due to be paid by {_day(due)}."
        case FinanceStatus.CANCELLED | FinanceStatus.REJECTED if entry.credited_by:
            return _reissued(entry, state.status)
        case FinanceStatus.CANCELLED:
            return Badge.CANCELLED, "Cancelled by NHS accounts. If you didn't expect this, tell us."
        case FinanceStatus.REJECTED:
            return Badge.REJECTED, "Rejected by NHS accounts. We are finding out why."
        case _:
            return Badge.RECEIVED, f"Received by NHS accounts on {_day(received)}."


def _reissued(entry: StatementEntry, status: FinanceStatus) -> tuple[Badge, str]:
    """Cancelled (or rejected) by NHS accounts, credited, and its sessions invoiced again."""
    badge = Badge.CANCELLED if status is FinanceStatus.CANCELLED else Badge.REJECTED
    numbers = entry.charged_again_on
    where = (
        f"Its sessions are on invoice {' and '.join(numbers)} instead."
        if numbers
        else "Its sessions will go on a new invoice."
    )
    return badge, (
        f"{badge.value.capitalize()} by NHS accounts, and credited by credit note "
        f"{entry.credited_by}, so nothing is owed on it. {where}"
    )


def _paid(what: str, state: InvoiceState, of: str = "") -> str:
    when = f" on {_day(state.payment_date)}" if state.payment_date else ""
    remittance = f" — remittance {state.payment_number}" if state.payment_number else ""
    return f"{what} {format_pounds(state.paid_pence)}{of}{when}{remittance}."


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"

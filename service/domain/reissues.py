"""Reissuing an invoice NHS accounts cancelled or rejected (a wrong PO, a wrong address, a
duplicate): a credit note takes back what is still charged on it, so the venue's ledger
balances, and its sessions are free to go on a new invoice, on a corrected PO if that was
the reason. Once per invoice."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from service.domain.errors import Conflict, RuleViolation
from service.domain.exports import FinanceStatus
from service.domain.invoicing import DocumentKind, Invoice, Line
from service.domain.labels import ensure_no_patient_data

DETAILS_LONGEST = 500
REISSUABLE = (FinanceStatus.CANCELLED, FinanceStatus.REJECTED)


class ReissueReason(StrEnum):
    WRONG_PO = "wrong_po"
    WRONG_ADDRESS = "wrong_address"
    DUPLICATE = "duplicate"
    OTHER = "other"


REASON_WORDS = {
    ReissueReason.WRONG_PO: "Wrong purchase order",
    ReissueReason.WRONG_ADDRESS: "Wrong address",
    ReissueReason.DUPLICATE: "A duplicate",
    ReissueReason.OTHER: "Another reason",
}


class NotReissuable(Conflict):
    code = "not_reissuable"


class AlreadyReissued(Conflict):
    code = "already_reissued"


@dataclass(frozen=True)
class Reissue:
    """An invoice reissued: the credit note that took it back, why, and any corrected PO."""

    invoice_id: int
    credit_note_id: int
    reason: ReissueReason
    details: str | None
    purchase_order_id: int | None
    actor: str
    at: datetime

    @property
    def why(self) -> str:
        words = REASON_WORDS[self.reason]
        return f"{words}: {self.details}" if self.details else words


def checked_details(reason: ReissueReason, details: str | None) -> str | None:
    """'Another reason' says which; the words are kept short and free of patient data."""
    details = (details or "").strip() or None
    if reason is ReissueReason.OTHER and details is None:
        raise RuleViolation("Say why the invoice is being reissued.", field="details")
    if details is not None:
        if len(details) > DETAILS_LONGEST:
            raise RuleViolation(
                f"The reason is at most {DETAILS_LONGEST} characters.", field="details"
            )
        ensure_no_patient_data("reason", details)
    return details


def ensure_reissuable(
    invoice: Invoice, status: FinanceStatus | None, earlier: Reissue | None
) -> None:
    """Only an invoice (not a credit note) NHS accounts cancelled or rejected, and only once.
    `status`: as the exports show it (None: not shown, or only by an unconfirmed match)."""
    if invoice.kind is not DocumentKind.INVOICE:
        raise NotReissuable(
            f"{invoice.number} is a credit note: only an invoice can be reissued.",
            number=invoice.number,
        )
    if earlier is not None:
        raise AlreadyReissued(
            f"{invoice.number} has been reissued already: its sessions are free to go on a "
            "new invoice, and a credit note took it back.",
            number=invoice.number,
        )
    if status not in REISSUABLE:
        now = (
            f"in their latest export it is {status.value.replace('_', ' ')}"
            if status
            else "no export shows it yet (or only by a match a person hasn't confirmed)"
        )
        raise NotReissuable(
            f"{invoice.number} can be reissued only once NHS accounts have cancelled or "
            f"rejected it; {now}.",
            number=invoice.number,
        )


def still_charged(invoice: Invoice, credit_notes: Iterable[Invoice]) -> list[Line]:
    """The invoice's lines no credit note has taken back yet (a waived late cancellation
    stays credited as it is)."""
    taken_back = {
        (line.session_id, line.charge_round)
        for note in credit_notes
        for line in note.lines
        if line.session_id is not None
    }
    return [
        line
        for line in invoice.lines
        if line.session_id is None or (line.session_id, line.charge_round) not in taken_back
    ]

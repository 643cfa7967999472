"""A discrepancy a person has looked into and marked as resolved, with a note of what they
found or did: it no longer shows as open until an export says something different."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime

from service.domain.errors import PatientDataSuspected, RuleViolation
from service.domain.labels import contains_nhs_number
from service.domain.reconciliation import Discrepancy, DiscrepancyKind

NOTE_LONGEST = 1000


@dataclass(frozen=True)
class Resolution:
    key: str  # Discrepancy.key
    problem: DiscrepancyKind
    detail: str
    invoice_id: int | None
    venue_id: int | None
    note: str
    resolved_by: str
    resolved_at: datetime
    id: int | None = None

    @classmethod
    def of(cls, found: Discrepancy, note: str, by: str, at: datetime) -> Resolution:
        return cls(
            found.key, found.problem, found.detail, found.invoice_id, found.venue_id, note, by, at
        )


def checked_note(note: str) -> str:
    """The note, trimmed: required, at most NOTE_LONGEST characters, no NHS numbers (it is
    kept in the audit trail for good)."""
    note = note.strip()
    if not note:
        raise RuleViolation("Enter a note of what you found or did", field="note")
    if any(unicodedata.category(c) in ("Cc", "Cs") and c not in "\r\n\t" for c in note):
        raise RuleViolation(
            "The note can only have letters, numbers, punctuation and line breaks",
            field="note",
        )
    if len(note) > NOTE_LONGEST:
        raise RuleViolation(f"The note must be {NOTE_LONGEST:,} characters or fewer", field="note")
    if contains_nhs_number(note):
        raise PatientDataSuspected(
            "The note contains what looks like an NHS number: leave it out, Roomhire holds "
            "no patient data",
            field="note",
        )
    return note

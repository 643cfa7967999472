"""NHS purchase orders: each session of a booking is covered by a PO (one per financial
year, say); no PO, no invoice."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from service.domain.bookings import Session
from service.domain.errors import Conflict, RuleViolation
from service.domain.money import format_pounds
from service.domain.timeslots import spoken_date


class PurchaseOrderExceeded(Conflict):
    code = "po_value_exceeded"


class PurchaseOrderCommitted(RuleViolation):
    """A change to a PO would leave sessions booked on it uncovered."""

    code = "po_committed"


class PurchaseOrderNotValid(Conflict):
    code = "po_not_valid"


RUNNING_OUT_SHARE = 0.8  # committed beyond this share of the approved value
RUNNING_OUT_DAYS = timedelta(days=30)  # or ending this soon with sessions after its end


@dataclass
class PurchaseOrder:
    number: str
    trust_id: int
    venue_id: int
    cost_centre: str
    approved_value_pence: int
    valid_from: date
    valid_to: date
    id: int | None = None

    def __post_init__(self) -> None:
        self.number = re.sub(r"\s+", "", self.number).upper()
        if self.valid_to < self.valid_from:
            raise RuleViolation("The PO's valid_to is before its valid_from.")
        if self.approved_value_pence <= 0:
            raise RuleViolation("The PO's approved value must be more than £0.00.")

    def check_number(self, pattern: str, trust_name: str | None = None) -> None:
        """Refuse a number not in the trust's format, in words: people never see the pattern."""
        if not re.fullmatch(pattern, self.number):
            whose = f"{trust_name}'s" if trust_name else "the trust's"
            raise RuleViolation(
                f"PO number {self.number} is not in {whose} PO number format. "
                "Check it against the purchase order.",
                field="number",
            )

    def covers(self, day: date, venue_id: int) -> bool:
        return venue_id == self.venue_id and self.valid_from <= day <= self.valid_to

    def ensure_covers(self, days: list[date], venue_id: int, trust_id: int | None) -> None:
        if trust_id is None:
            raise PurchaseOrderNotValid(
                f"PO {self.number} can't cover this booking: its facilitator belongs to no "
                "trust, so no trust has agreed to pay for it.",
                po=self.number,
            )
        if trust_id != self.trust_id:
            raise PurchaseOrderNotValid(
                f"PO {self.number} belongs to another trust than the booking's.", po=self.number
            )
        if venue_id != self.venue_id:
            raise PurchaseOrderNotValid(f"PO {self.number} is for another venue.", po=self.number)
        outside = [d for d in days if not self.valid_from <= d <= self.valid_to]
        if outside:
            raise PurchaseOrderNotValid(
                f"PO {self.number} is valid from {spoken_date(self.valid_from)} to "
                f"{spoken_date(self.valid_to)}; {spoken_date(outside[0])} is outside it.",
                po=self.number,
                date=outside[0].isoformat(),
            )

    def cover(
        self,
        sessions: Sequence[Session],
        venue_id: int,
        trust_id: int | None,
        committed_pence: int,
        what: str,
    ) -> list[Session]:
        """Put the sessions up to this PO's end date on it (later ones wait for the next
        financial year's PO), checked for trust, venue, dates and value against what is
        `committed_pence` already; returns the sessions that moved to it."""
        taken = [s for s in sessions if s.local_date <= self.valid_to]
        if not taken:
            raise PurchaseOrderNotValid(
                f"PO {self.number} ends on {spoken_date(self.valid_to)}, before the first "
                f"session it would cover ({spoken_date(sessions[0].local_date)}).",
                po=self.number,
                date=sessions[0].local_date.isoformat(),
            )
        moving = [s for s in taken if s.purchase_order_id != self.id]
        charged = [s for s in moving if s.chargeable]
        self.ensure_covers([s.local_date for s in charged], venue_id, trust_id)
        self.ensure_room_for(committed_pence, sum(s.charge.gross for s in charged), what)
        for session in moving:
            session.purchase_order_id = self.id
        return moving

    def ensure_room_for(self, already_pence: int, extra_pence: int, what: str) -> None:
        """Refuse `what` when it would take the PO past its approved value, saying by how much."""
        over = already_pence + extra_pence - self.approved_value_pence
        if over > 0:
            raise PurchaseOrderExceeded(
                f"{what} would exceed PO {self.number} by {format_pounds(over)} "
                f"(approved {format_pounds(self.approved_value_pence)}, "
                f"already {format_pounds(already_pence)}, this {format_pounds(extra_pence)}). "
                "Ask finance to raise the PO value first.",
                po=self.number,
                over_by_pence=over,
            )

    def running_out(self, committed_pence: int, today: date, sessions_after_end: bool) -> bool:
        """Finance must act: more than 80% of the value is committed, or the PO ends within
        30 days while sessions are booked after its end (they need the next PO)."""
        if committed_pence > self.approved_value_pence * RUNNING_OUT_SHARE:
            return True
        return today <= self.valid_to <= today + RUNNING_OUT_DAYS and sessions_after_end

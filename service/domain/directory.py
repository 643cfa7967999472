"""The parties: NHS trusts that buy, venues that hire rooms out, and their rooms."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from service.domain.bank_holidays import Region
from service.domain.errors import RuleViolation

_POSTCODE = re.compile(r"^([A-Z]{1,2})(\d[A-Z\d]?) ?(\d[A-Z]{2})$")


def normalise_postcode(raw: str) -> str:
    """'bs1 5tr' -> 'BS1 5TR'; refuses anything not shaped like a UK postcode."""
    compact = re.sub(r"\s+", "", raw.upper())
    match = _POSTCODE.match(compact)
    if not match:
        raise RuleViolation(f"{raw!r} is not a UK postcode.", field="postcode")
    area, district, inward = match.groups()
    return f"{area}{district} {inward}"


def version_of(entry: Trust | Venue | Room) -> str:
    """A fingerprint of an entry's content, its ETag: an edit may say which version it saw."""
    content = json.dumps(dataclasses.asdict(entry), sort_keys=True, default=str)
    return hashlib.sha256(content.encode()).hexdigest()[:32]


def in_postcode_area(postcode: str, area: str) -> bool:
    """True when the postcode lies in an area ('BS') or district ('BS1')."""
    wanted = area.strip().upper()
    outward = postcode.split(" ")[0]
    letters = re.match(r"[A-Z]+", outward)
    return wanted in (outward, letters.group(0) if letters else "")


def check_pattern(pattern: str) -> str:
    """A PO number pattern is a regular expression without groups or alternatives, at most 100
    characters: such a pattern can't backtrack catastrophically (`(\\d|\\d)*X` took 8.5 s on
    a 25-character number), so matching a number stays quick whatever an admin saves."""
    if len(pattern) > 100 or re.search(r"(?<!\\)[()|]", pattern):
        raise RuleViolation(
            "The PO number pattern may use letters, digits, \\d, [A-Z]-style sets and counts "
            "like {7}, but no brackets ( ) or |, and at most 100 characters.",
            field="po_number_pattern",
        )
    try:
        re.compile(pattern)
    except re.error as exc:
        raise RuleViolation(
            f"The PO number pattern is not a valid regular expression: {exc}.",
            field="po_number_pattern",
        ) from exc
    return pattern


class VatTreatment(StrEnum):
    """How the venue charges VAT on this room (room hire is exempt unless opted to tax)."""

    EXEMPT = "exempt"
    STANDARD = "standard"
    ZERO = "zero"
    OUTSIDE_SCOPE = "outside_scope"


@dataclass
class Trust:
    name: str
    organisation_code: str
    payables_code: str
    accounts_payable_email: str
    invoice_address: str
    po_number_pattern: str
    invoice_subject: str = "{document} {number} - PO {po_number} - {supplier}"
    send_on_issue: bool = False  # queue each invoice for email as soon as it is issued
    # With each invoice, remind the facilitator to receipt the sessions on the PO, so that
    # accounts payable does not put the invoice on a QTY REC hold.
    remind_facilitators: bool = False
    id: int | None = None


@dataclass(frozen=True)
class Closure:
    day: date
    reason: str


@dataclass
class Venue:
    name: str
    address: str
    postcode: str
    contact_email: str
    remittance_email: str
    vat_number: str | None = None
    supplier_number: str | None = None
    notice_period_hours: int = 48
    closures: list[Closure] = field(default_factory=list)
    id: int | None = None
    region: Region = Region.ENGLAND_AND_WALES  # whose bank holidays the venue keeps
    open_on_bank_holidays: bool = False  # True: bookings never skip a bank holiday here

    @property
    def notice_period(self) -> timedelta:
        return timedelta(hours=self.notice_period_hours)

    def closure_on(self, day: date) -> Closure | None:
        return next((c for c in self.closures if c.day == day), None)


@dataclass
class Room:
    venue_id: int
    name: str
    capacity: int
    step_free: bool
    price_per_hour_pence: int
    vat_treatment: VatTreatment
    setup_minutes: int = 0
    clearaway_minutes: int = 0
    id: int | None = None

    @property
    def setup(self) -> timedelta:
        return timedelta(minutes=self.setup_minutes)

    @property
    def clearaway(self) -> timedelta:
        return timedelta(minutes=self.clearaway_minutes)

"""The parties: NHS trusts that buy, venues that hire rooms out, and their rooms."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from service.domain.bank_holidays import Region
from service.domain.errors import RuleViolation
from service.domain.peppol import normalise_peppol_id

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

# What the API's schemas and the admin pages both accept (the shape only; no lookup).
ODS_CODE = r"[A-Z0-9]{3,5}"  # an NHS organisation's code, like RZZ
UK_VAT_NUMBER = r"(GB)?\d{9}(\d{3})?"  # GB123456789, or 12 digits for a branch
_POSTCODE = re.compile(r"^([A-Z]{1,2})(\d[A-Z\d]?) ?(\d[A-Z]{2})$")


def normalise_postcode(raw: str) -> str:
    """'bs1 5tr' -> 'BS1 5TR'; refuses anything not shaped like a UK postcode."""
    compact = re.sub(r"\s+", "", raw.upper())
    match = _POSTCODE.match(compact)
    if not match:
        raise RuleViolation(f"{raw!r} is not a UK postcode.", field="postcode")
    area, district, inward = match.groups()
    return f"{area}{district} {inward}"


def version_of(entry: DataclassInstance) -> str:
    """A fingerprint of an entry's content (a trust, venue, room or PO), its ETag: an edit may
    say which version it saw."""
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


_SORT_CODE = re.compile(r"[0-9]{6}")
_ACCOUNT_NUMBER = re.compile(r"[0-9]{8}")
_COMPANY_NUMBER = re.compile(r"[0-9]{8}|[A-Z]{2}[0-9]{6}")  # Companies House: 01234567, SC123456
# Charity Commission (1234567, 1234567-1), OSCR (SC012345), Charity Commission for NI (NIC100000)
_CHARITY_NUMBER = re.compile(r"[0-9]{6,7}(-[0-9]{1,3})?|SC[0-9]{6}|NIC[0-9]{6}")
_UK_PHONE = re.compile(r"(0|\+44)[0-9]{9,10}")
BANK_FIELDS = ("bank_sort_code", "bank_account_number")


def _compact(raw: str) -> str:
    return re.sub(r"[\s-]+", "", raw).upper()


def normalise_sort_code(raw: str) -> str:
    """'123456', '12 34 56' or '12-34-56' -> '12-34-56'."""
    digits = _compact(raw)
    if not _SORT_CODE.fullmatch(digits):
        raise RuleViolation(
            "Give the sort code as 6 digits, like 12-34-56.", field="bank_sort_code"
        )
    return f"{digits[:2]}-{digits[2:4]}-{digits[4:]}"


def normalise_account_number(raw: str) -> str:
    digits = _compact(raw)
    if not _ACCOUNT_NUMBER.fullmatch(digits):
        raise RuleViolation(
            "Give the account number as 8 digits, like 12345678.", field="bank_account_number"
        )
    return digits


def normalise_company_number(raw: str) -> str:
    number = _compact(raw)
    if not _COMPANY_NUMBER.fullmatch(number):
        raise RuleViolation(
            "Give the Companies House number: 8 digits, or 2 letters and 6 digits, like "
            "01234567 or SC123456.",
            field="company_number",
        )
    return number


def normalise_charity_number(raw: str) -> str:
    number = re.sub(r"\s+", "", raw).upper()
    if not _CHARITY_NUMBER.fullmatch(number):
        raise RuleViolation(
            "Give the registered charity number: 6 or 7 digits (England and Wales, like "
            "1234567), SC and 6 digits (Scotland) or NIC and 6 digits (Northern Ireland).",
            field="charity_number",
        )
    return number


def check_phone(raw: str) -> str:
    """A UK number as people write it ('0117 496 0123', '+44 117 496 0123'), spaces kept."""
    shown = " ".join(raw.split())
    if not _UK_PHONE.fullmatch(re.sub(r"[\s()-]+", "", shown)):
        raise RuleViolation(
            "Give a UK phone number for queries, like 0117 496 0123.", field="queries_phone"
        )
    return shown


def mask_sort_code(sort_code: str | None) -> str:
    """'12-34-56' -> '**-**-56': enough to recognise, not enough to pay into."""
    return f"**-**-{sort_code[-2:]}" if sort_code else "none"


def mask_account_number(number: str | None) -> str:
    return f"****{number[-4:]}" if number else "none"


def checked_supplier_details(venue: Venue) -> Venue:
    """Each detail normalised or refused; bank details come as a pair (sort code and account)."""
    if (venue.bank_sort_code is None) != (venue.bank_account_number is None):
        missing = "bank_account_number" if venue.bank_account_number is None else "bank_sort_code"
        raise RuleViolation(
            "Give both the sort code and the account number, or neither.", field=missing
        )

    def norm(check: Callable[[str], str], value: str | None) -> str | None:
        return None if value is None else check(value)

    return dataclasses.replace(
        venue,
        queries_phone=norm(check_phone, venue.queries_phone),
        company_number=norm(normalise_company_number, venue.company_number),
        charity_number=norm(normalise_charity_number, venue.charity_number),
        bank_sort_code=norm(normalise_sort_code, venue.bank_sort_code),
        bank_account_number=norm(normalise_account_number, venue.bank_account_number),
        peppol_id=normalise_peppol_id(venue.peppol_id),
    )


def without_bank_details(venue: Venue) -> Venue:
    return dataclasses.replace(venue, bank_sort_code=None, bank_account_number=None)


def shown_in_audit(name: str, value: object) -> object:
    """Bank details are never written in clear in the audit log: the last digits only."""
    if name == "bank_sort_code":
        return mask_sort_code(value if isinstance(value, str) else None)
    if name == "bank_account_number":
        return mask_account_number(value if isinstance(value, str) else None)
    return value


def bank_details_change(old: Venue, new: Venue) -> str | None:
    """What changed in bank details already recorded, masked ('sort code **-**-56 to
    **-**-78; ...'); None when none were recorded before, or nothing changed."""
    if old.bank_sort_code is None and old.bank_account_number is None:
        return None
    changes = [
        f"{what} {mask(getattr(old, name))} to {mask(getattr(new, name))}"
        for name, what, mask in (
            ("bank_sort_code", "sort code", mask_sort_code),
            ("bank_account_number", "account number", mask_account_number),
        )
        if getattr(old, name) != getattr(new, name)
    ]
    return "; ".join(changes) or None


class VatTreatment(StrEnum):
    """How the venue charges VAT on this room (room hire is exempt unless opted to tax)."""

    EXEMPT = "exempt"
    STANDARD = "standard"
    ZERO = "zero"
    OUTSIDE_SCOPE = "outside_scope"


class InvoiceDelivery(StrEnum):
    """How a trust's invoices travel to it."""

    EMAIL = "email"  # to its accounts-payable inbox, with the PDF
    PEPPOL = "peppol"  # as an e-invoice through a PEPPOL access point (it needs a PEPPOL id)


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
    # The trust's business unit as its finance exports spell it (e.g. "RVJ NORTH BRISTOL NHS
    # TRUST"): rows naming another unit are never matched to the trust's invoices.
    business_unit: str | None = None
    # Its address on the PEPPOL network ('0088:5012345678900'): a trust with one gets every
    # invoice and credit note as a UBL e-invoice too. Its buyer reference (BT-10), if it asks
    # for one on e-invoices.
    peppol_id: str | None = None
    buyer_reference: str | None = None
    invoice_delivery: InvoiceDelivery = InvoiceDelivery.EMAIL
    id: int | None = None


def check_invoice_delivery(trust: Trust) -> Trust:
    """Invoices can travel by PEPPOL only to a trust the network can address."""
    if trust.invoice_delivery is InvoiceDelivery.PEPPOL and not trust.peppol_id:
        raise RuleViolation(
            "Invoices can go to this trust through PEPPOL only once its PEPPOL participant id "
            "is recorded: give the id, or send its invoices by email.",
            field="invoice_delivery",
        )
    return trust


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
    # What SBS and UK law expect an invoice to say about its supplier (see SupplierDetails).
    queries_phone: str | None = None
    queries_email: str | None = None
    company_number: str | None = None
    charity_number: str | None = None
    registered_office: str | None = None
    # For remittance: never on the venue's status page; read only by finance and admin.
    bank_sort_code: str | None = None  # "12-34-56"
    bank_account_number: str | None = None  # "12345678"
    peppol_id: str | None = None  # its address on the PEPPOL network: GLN, VAT or D-U-N-S

    @property
    def notice_period(self) -> timedelta:
        return timedelta(hours=self.notice_period_hours)

    def closure_on(self, day: date) -> Closure | None:
        return next((c for c in self.closures if c.day == day), None)


MAX_CAPACITY = 1_000  # people in a room, or expected at a booking


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

"""Rows of the NHS finance exports, as Roomhire reads them, and how their values compare."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from service.domain.errors import RuleViolation

_SUFFIXES = [
    (re.compile(r"\bCOMMUNITY INTEREST (COMPANY|CO)\b"), "CIC"),
    (re.compile(r"\bLIMITED\b"), "LTD"),
    (re.compile(r"\bPUBLIC LIMITED COMPANY\b"), "PLC"),
    (re.compile(r"\bAND\b"), "&"),
]
_NOT_KEYED = re.compile(r"[^A-Z0-9]")
_NOT_NAME = re.compile(r"[^A-Z0-9& ]")


def normalise_invoice_number(raw: str) -> str:
    """As SBS keys it: capitals and digits only ('gwc 0031' -> 'GWC0031')."""
    return _NOT_KEYED.sub("", raw.upper())


def normalise_business_unit(raw: str) -> str:
    """'rvj  North Bristol NHS Trust ' -> 'RVJ NORTH BRISTOL NHS TRUST'."""
    return " ".join(raw.upper().split())


def normalise_supplier_name(raw: str) -> str:
    """'St Mark's Community Hall, Community Interest Company' -> 'ST MARKS COMMUNITY HALL CIC'."""
    plain = unicodedata.normalize("NFKD", raw).encode("ascii", "ignore").decode()  # CAFÉ: CAFE
    name = _NOT_NAME.sub(" ", plain.upper().replace("'", ""))
    for pattern, replacement in _SUFFIXES:
        name = pattern.sub(replacement, name)
    return " ".join(name.split())


class FinanceStatus(StrEnum):
    """An invoice's journey through NHS accounts payable."""

    SENT = "sent"
    RECEIVED = "received"
    ON_HOLD = "on_hold"
    APPROVED = "approved"
    PART_PAID = "part_paid"
    PAID = "paid"
    CANCELLED = "cancelled"
    REJECTED = "rejected"


FIELDS = (
    "business_unit",
    "as_of",
    "supplier_number",
    "supplier_name",
    "invoice_number",
    "description",
    "invoice_date",
    "amount",
    "currency",
    "po_number",
    "status",
    "approval_status",
    "hold_name",
    "hold_reason",
    "hold_date",
    "due_date",
    "amount_paid",
    "payment_date",
    "payment_number",
)
STATUS_FIELDS = ("status", "approval_status")


@dataclass(frozen=True)
class Profile:
    """How to read one export layout: which header means which field (alternatives matched
    case-, space- and underscore-insensitively), date forms, and what status values mean."""

    name: str
    columns: dict[str, tuple[str, ...]]
    required: tuple[str, ...]
    date_formats: tuple[str, ...]
    statuses: dict[str, dict[str, FinanceStatus | None]] = field(default_factory=dict)
    every_row: FinanceStatus | None = None  # e.g. spend-over-25k: every row is a payment
    combine_payments: bool = False  # one payment split over rows repeats its number
    description: str = ""


class SupplierIndex:
    """Which of our venues an export's supplier is: by supplier number when the venue has
    one, otherwise by normalised name. Cached: most rows repeat a few thousand suppliers."""

    def __init__(self, venues: Iterable[tuple[int, str | None, str]]) -> None:
        self._by_number: dict[str, int] = {}
        self._by_name: dict[str, int] = {}
        for venue_id, number, name in venues:
            if number:
                self._by_number[number.strip().upper()] = venue_id
            self._by_name.setdefault(normalise_supplier_name(name), venue_id)
        self._numbered = set(self._by_number.values())
        self._any_unnumbered = any(v not in self._numbered for v in self._by_name.values())
        self.known: dict[tuple[str, str], int | None] = {}  # (number, name) as the file has them

    def venue_for(self, number: str, name: str) -> int | None:
        key = (number, name)
        if key not in self.known:
            self.known[key] = self._look_up(number.strip().upper(), name)
        return self.known[key]

    def _look_up(self, number: str, name: str) -> int | None:
        if number in self._by_number:
            return self._by_number[number]
        if number and not self._any_unnumbered:
            return None  # another supplier's number: its name can only be a venue with one
        venue_id = self._by_name.get(normalise_supplier_name(name))
        if venue_id is None or (number and venue_id in self._numbered):
            return None  # another supplier of the same name has its own number
        return venue_id


@dataclass(frozen=True, slots=True)
class ExportRow:
    """One row about one of our venues; money in pence, dates as dates."""

    line: int
    venue_id: int
    supplier_number: str | None
    supplier_name: str
    invoice_number: str | None
    description: str | None
    invoice_date: date | None
    amount_pence: int | None
    currency: str | None
    po_number: str | None
    status: FinanceStatus | None
    hold_name: str | None
    hold_reason: str | None
    hold_date: date | None
    due_date: date | None
    amount_paid_pence: int
    payment_date: date | None
    payment_number: str | None
    business_unit: str | None = None  # the trust's unit, as normalise_business_unit leaves it
    as_of: date | None = None  # the day the report was run, when the export says so


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    message: str


@dataclass
class ExportReading:
    rows: list[ExportRow]
    errors: list[RowError]
    blank_lines: int = 0
    other_suppliers: int = 0

    @property
    def rows_read(self) -> int:
        return len(self.rows) + len({e.line for e in self.errors}) + self.other_suppliers


class AsOfInFuture(RuleViolation):
    code = "as_of_in_future"


class AsOfSource(StrEnum):
    """Where an import's as-of date came from, surest first."""

    GIVEN = "given"  # by the person importing
    COLUMN = "column"  # a report-date column
    FILE_NAME = "file_name"  # a date in the file's name, like ap-report-2026-11-30.csv
    IMPORTED = "imported"  # none of those: the day it was imported


_NAMED_DAYS = (
    re.compile(r"(?<!\d)(?P<y>20\d\d)[-_.]?(?P<m>[01]\d)[-_.]?(?P<d>[0-3]\d)(?!\d)"),
    re.compile(r"(?<!\d)(?P<d>[0-3]\d)[-_.](?P<m>[01]\d)[-_.](?P<y>20\d\d)(?!\d)"),
)


def date_in_name(filename: str) -> date | None:
    """'ap-report-2026-11-30.csv', 'AP_20261130.csv' or 'ap 30.11.2026.csv' -> 30 November."""
    for pattern in _NAMED_DAYS:
        for found in pattern.finditer(filename):
            try:
                return date(int(found["y"]), int(found["m"]), int(found["d"]))
            except ValueError:
                continue
    return None


def export_as_of(
    given: date | None, rows: Iterable[ExportRow], filename: str, today: date
) -> tuple[date, AsOfSource]:
    """The day an export's data is as of: as given, else its report-date column, else a date
    in its name, else today (the day it is imported). Never after today: a later day read
    from the file is not believed."""
    if given is not None:
        if given > today:
            raise AsOfInFuture("The date the report was run can't be in the future.", field="as_of")
        return given, AsOfSource.GIVEN
    found = [
        (max((r.as_of for r in rows if r.as_of), default=None), AsOfSource.COLUMN),
        (date_in_name(filename), AsOfSource.FILE_NAME),
    ]
    return next(
        ((day, source) for day, source in found if day is not None and day <= today),
        (today, AsOfSource.IMPORTED),
    )


class ExportRefused(RuleViolation):
    """The file as a whole cannot be read; nothing from it is used."""

    code = "export_refused"


class ProfileInvalid(RuleViolation):
    """A mapping file that does not describe an export layout Roomhire can read."""

    code = "profile_invalid"


SBS_AP_COLUMNS = (  # the header of SBS's accounts-payable report (profile sbs-oracle-ap)
    "Business Unit",
    "Supplier Number",
    "Supplier Name",
    "Supplier Site",
    "Invoice Number",
    "Invoice Date",
    "Invoice Amount",
    "Currency",
    "PO Number",
    "Invoice Status",
    "Approval Status",
    "Hold Name",
    "Hold Reason",
    "Hold Date",
    "Due Date",
    "Amount Paid",
    "Payment Date",
    "Payment Number",
)

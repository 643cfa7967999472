"""Rows of the NHS finance exports, as Roomhire reads them, and how their values compare."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from service.domain.errors import RuleViolation

_SUFFIXES = [
    (r"\bCOMMUNITY INTEREST (COMPANY|CO)\b", "CIC"),
    (r"\bLIMITED\b", "LTD"),
    (r"\bPUBLIC LIMITED COMPANY\b", "PLC"),
    (r"\bAND\b", "&"),
]


def normalise_invoice_number(raw: str) -> str:
    """As SBS keys it: capitals and digits only ('gwc 0031' -> 'GWC0031')."""
    return re.sub(r"[^A-Z0-9]", "", raw.upper())


def normalise_supplier_name(raw: str) -> str:
    """'St Mark's Community Hall, Community Interest Company' -> 'ST MARKS COMMUNITY HALL CIC'."""
    name = re.sub(r"[^A-Z0-9& ]", "", raw.upper().replace("'", ""))
    for pattern, replacement in _SUFFIXES:
        name = re.sub(pattern, replacement, name)
    return " ".join(name.split())


@dataclass(frozen=True)
class ExportRow:
    """One row of an accounts-payable export; money in pence, dates as dates."""

    line: int
    supplier_number: str | None
    supplier_name: str
    invoice_number: str
    invoice_date: date | None
    amount_pence: int
    currency: str
    po_number: str | None
    invoice_status: str
    approval_status: str | None
    hold_name: str | None
    hold_reason: str | None
    hold_date: date | None
    due_date: date | None
    amount_paid_pence: int
    payment_date: date | None
    payment_number: str | None


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    message: str


@dataclass(frozen=True)
class ExportReading:
    rows: list[ExportRow]
    errors: list[RowError]
    blank_lines: int


class ExportRefused(RuleViolation):
    """The file as a whole cannot be read; nothing from it is used."""

    code = "export_refused"

"""Profile `sbs-oracle-ap`: the Oracle Payables invoice status report NHS Shared Business
Services produces. Tolerant where the formats README says so (encodings, BOM, date and amount
forms, header drift, case and spaces), strict everywhere else: a structural problem refuses
the whole file naming line and column; a bad value is reported with its line and column."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import TypeVar

from service.domain.exports import (
    ExportReading,
    ExportRefused,
    ExportRow,
    RowError,
    normalise_invoice_number,
)

MAX_BYTES = 50 * 1024 * 1024
MAX_FIELD = 100_000  # a longer field is a broken file, not an invoice
COLUMNS = {  # our name: the export's header, matched case- and space-insensitively
    "supplier_number": "Supplier Number",
    "supplier_name": "Supplier Name",
    "invoice_number": "Invoice Number",
    "invoice_date": "Invoice Date",
    "amount": "Invoice Amount",
    "currency": "Currency",
    "po_number": "PO Number",
    "invoice_status": "Invoice Status",
    "approval_status": "Approval Status",
    "hold_name": "Hold Name",
    "hold_reason": "Hold Reason",
    "hold_date": "Hold Date",
    "due_date": "Due Date",
    "amount_paid": "Amount Paid",
    "payment_date": "Payment Date",
    "payment_number": "Payment Number",
}
REQUIRED = ("supplier_name", "invoice_number", "amount", "currency", "invoice_status")
_DATE_FORMATS = ("%d-%b-%Y", "%d-%b-%y", "%d/%m/%Y")
T = TypeVar("T")


class _BadValue(ValueError):
    pass


def read(data: bytes) -> ExportReading:
    if len(data) > MAX_BYTES:
        raise ExportRefused(f"The file is {len(data):,} bytes; the limit is {MAX_BYTES:,}.")
    records = csv.reader(io.StringIO(_decode(data), newline=""), strict=True)
    try:
        header = next(records, None)
        if header is None:
            raise ExportRefused("The file is empty.")
        positions = _positions(header)
        rows: list[ExportRow] = []
        errors: list[RowError] = []
        blank = 0
        for record in _checked(records, len(header)):
            line = records.line_num
            if not any(cell.strip() for cell in record):
                blank += 1
                continue
            row = _row(line, {name: record[i].strip() for name, i in positions.items()}, errors)
            if row is not None:
                rows.append(row)
    except csv.Error as exc:
        raise ExportRefused(
            f"Line {records.line_num}: the file is not valid CSV ({exc}).", line=records.line_num
        ) from exc
    return ExportReading(rows, errors, blank)


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")  # Windows exports: the £ sign is byte A3
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ExportRefused(
            f"Line {line}: unreadable text encoding (neither UTF-8 nor Windows-1252).", line=line
        ) from exc


def _positions(header: list[str]) -> dict[str, int]:
    seen = {re.sub(r"\s+", " ", h).strip().lower(): i for i, h in enumerate(header)}
    positions = {
        name: seen[title.lower()] for name, title in COLUMNS.items() if title.lower() in seen
    }
    missing = [COLUMNS[name] for name in REQUIRED if name not in positions]
    if missing:
        raise ExportRefused(
            f"Line 1: required column {', '.join(missing)} is missing.", line=1, column=missing[0]
        )
    return positions


def _checked(records: Iterator[list[str]], width: int) -> Iterator[list[str]]:
    csv.field_size_limit(MAX_FIELD)
    for record in records:
        if record and len(record) != width and any(cell.strip() for cell in record):
            raise csv.Error(f"{len(record)} fields where the header has {width}")
        yield record


def _row(line: int, cells: dict[str, str], errors: list[RowError]) -> ExportRow | None:
    def value(name: str, parse: Callable[[str], T], default: T) -> T:
        raw = cells.get(name, "")
        if not raw:
            return default
        try:
            return parse(raw)
        except _BadValue as exc:
            errors.append(RowError(line, COLUMNS[name], f"{raw!r}: {exc}"))
            raise

    try:
        number = normalise_invoice_number(cells.get("invoice_number", ""))
        if not number:
            errors.append(RowError(line, COLUMNS["invoice_number"], "blank"))
            return None
        return ExportRow(
            line=line,
            supplier_number=value("supplier_number", _text, None),
            supplier_name=cells.get("supplier_name", ""),
            invoice_number=number,
            invoice_date=value("invoice_date", _date, None),
            amount_pence=value("amount", _pence, 0),
            currency=cells.get("currency", "").upper(),
            po_number=value("po_number", lambda r: normalise_invoice_number(r) or None, None),
            invoice_status=cells.get("invoice_status", ""),
            approval_status=value("approval_status", _text, None),
            hold_name=value("hold_name", lambda r: r.upper(), None),
            hold_reason=value("hold_reason", _text, None),
            hold_date=value("hold_date", _date, None),
            due_date=value("due_date", _date, None),
            amount_paid_pence=value("amount_paid", _pence, 0),
            payment_date=value("payment_date", _date, None),
            payment_number=value("payment_number", _text, None),
        )
    except _BadValue:
        return None


def _text(raw: str) -> str | None:
    return raw


def _date(raw: str) -> date:
    for form in _DATE_FORMATS:
        try:
            return datetime.strptime(raw.title(), form).date()  # noqa: DTZ007 — a date only
        except ValueError:
            continue
    raise _BadValue("not a date like 23-NOV-2026, 23-NOV-26 or 23/11/2026")


def _pence(raw: str) -> int:
    """'1,234.50', '£1,234.50', '-42.10' -> pence, exactly."""
    cleaned = raw.replace(",", "").replace("£", "").replace(" ", "")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise _BadValue("not an amount like 1,234.50") from None
    if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
        raise _BadValue("not an amount in pounds and pence")
    return int(amount * 100)

"""Reads a finance export (CSV) as a profile describes it. Tolerant where the formats README
says so (encodings, BOM, date and amount forms, header drift, case and spaces), strict
everywhere else: a structural problem refuses the whole file naming line and column; a bad
value is reported with its line and column. Rows of other suppliers are counted, not parsed."""

from __future__ import annotations

import csv
import dataclasses
import functools
import io
import operator
import re
from collections.abc import Callable, Iterator
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from itertools import repeat
from typing import Any, NamedTuple

from service.domain.exports import (
    ExportReading,
    ExportRefused,
    ExportRow,
    FinanceStatus,
    Profile,
    RowError,
    SupplierIndex,
    normalise_business_unit,
    normalise_invoice_number,
)

MAX_BYTES = 50 * 1024 * 1024
MAX_FIELD = 100_000  # a longer field is a broken file, not an invoice
PROGRESS_EVERY = 5_000
_STRONGEST_FIRST = (
    FinanceStatus.CANCELLED,
    FinanceStatus.REJECTED,
    FinanceStatus.PAID,
    FinanceStatus.APPROVED,
)
Progress = Callable[[int], None]


class _BadValue(ValueError):
    pass


def read(
    data: bytes, profile: Profile, suppliers: SupplierIndex, progress: Progress | None = None
) -> ExportReading:
    """`progress` is told the number of lines read every few thousand lines. A line without
    a quote and with a cell per column is split on its commas (what csv would make of it),
    and only as far as its supplier's cells until they turn out to be another supplier's;
    any other line, and the lines a quoted cell spans, go through csv."""
    if len(data) > MAX_BYTES:
        raise ExportRefused(f"The file is {len(data):,} bytes; the limit is {MAX_BYTES:,}.")
    text = io.TextIOWrapper(io.BytesIO(data), encoding=_encoding(data), newline="")
    lines = _Lines(text)  # decoded chunk by chunk: a 4-byte-per-character
    # StringIO of the whole file would triple the memory an import needs
    records = csv.reader(lines, strict=True)
    reading = ExportReading([], [])
    line = 1  # where the record being read began: an unmatched quote is reported there
    csv.field_size_limit(MAX_FIELD)
    known, others = suppliers.known, 0
    ours = _Ours([], [], [])
    try:
        header = next(records, None)
        if header is None:
            raise ExportRefused("The file is empty.")
        at, width = _positions(header, profile), len(header)
        plan = _plan(profile, at)
        name_at, commas = at["supplier_name"], width - 1
        supplier = _supplier_of(at)
        cut = max(at.get("supplier_number", 0), name_at) + 1  # cells before the rest
        line = records.line_num
        for raw in text:  # the hot loop: 100,000 rows are mostly other suppliers'
            line += 1
            if progress and line % PROGRESS_EVERY == 0:
                progress(line)
            if '"' in raw or raw.count(",") != commas or len(raw) > MAX_FIELD:
                lines.put_back(raw)
                spanned = records.line_num
                record = next(records)
                end = line + records.line_num - spanned - 1
            elif known.get(supplier(raw.split(",", cut)), 0) is None:
                others += 1  # another supplier's, seen before (a cell last keeps the line end,
                continue  # so a supplier's cell last in the line is never found here)
            else:
                end, record = line, raw.rstrip("\r\n").split(",")
            line, start = end, line
            if len(record) != width or not record[name_at].strip():
                if not "".join(record).strip():
                    reading.blank_lines += 1
                    continue
                if len(record) != width:
                    raise ExportRefused(
                        f"Line {start}: {len(record)} fields where the header has {width}.",
                        line=start,
                    )
                column = profile.columns["supplier_name"][0]
                reading.errors.append(RowError(start, column, "blank: whose invoice is it?"))
                continue
            key = supplier(record)
            venue_id = known[key] if key in known else suppliers.venue_for(*key)
            if venue_id is None:
                others += 1
                continue
            ours.lines.append(start)
            ours.venues.append(venue_id)
            ours.records.append(record)
    except csv.Error as exc:
        raise ExportRefused(f"Line {line}: the file is not valid CSV ({exc}).", line=line) from exc
    reading.rows[:] = _rows(ours, plan, profile, reading.errors)
    reading.errors.sort(key=operator.attrgetter("line"))  # a line's own errors stay in order
    reading.other_suppliers = others
    if profile.combine_payments:
        reading.rows[:] = _combined(reading.rows)
    return reading


class _Lines:
    """The file's lines for csv, with the one the fast path looked at put back first."""

    def __init__(self, text: Iterator[str]) -> None:
        self._text = text
        self._back: str | None = None

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if self._back is None:
            return next(self._text)
        back, self._back = self._back, None
        return back

    def put_back(self, line: str) -> None:
        self._back = line


def _supplier_of(positions: dict[str, int]) -> Callable[[list[str]], tuple[str, str]]:
    """A row's (supplier number, supplier name) cells, as SupplierIndex.venue_for takes them."""
    name_at = positions["supplier_name"]
    if "supplier_number" in positions:
        return operator.itemgetter(positions["supplier_number"], name_at)
    return lambda record: ("", record[name_at])


def _encoding(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252 (the £ sign is byte A3), else refused."""
    try:
        data.decode("utf-8")
        return "utf-8-sig"
    except UnicodeDecodeError:
        pass
    try:
        data.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ExportRefused(
            f"Line {line}: unreadable text encoding (neither UTF-8 nor Windows-1252).", line=line
        ) from exc


def _key(header: str) -> str:
    return re.sub(r"[\s_]+", "", header).lower()


def _positions(header: list[str], profile: Profile) -> dict[str, int]:
    """Each field's column: the first of its headers present, whatever the case and spacing."""
    wanted = {_key(title) for titles in profile.columns.values() for title in titles}
    seen: dict[str, int] = {}
    for i, title in enumerate(header):
        if _key(title) in seen and _key(title) in wanted:
            raise ExportRefused(
                f"Line 1: column {title.strip()!r} appears twice.", line=1, column=title.strip()
            )
        seen.setdefault(_key(title), i)
    positions = {}
    for name, titles in profile.columns.items():
        found = [seen[_key(t)] for t in titles if _key(t) in seen]
        if found:
            positions[name] = found[0]
    missing = [profile.columns[name][0] for name in profile.required if name not in positions]
    if missing:
        raise ExportRefused(
            f"Line 1: required column {', '.join(missing)} is missing.", line=1, column=missing[0]
        )
    return positions


class _Cell(NamedTuple):
    """How one field of a row is read: where, by what, and what a blank means."""

    field: str  # the ExportRow attribute, or the status field it feeds
    position: int
    title: str
    parse: Callable[[str], Any]
    default: Any
    required: bool


def _plan(profile: Profile, positions: dict[str, int]) -> list[_Cell]:
    """Worked out once per file, so each of our rows is read in one plain loop."""

    def day(raw: str) -> date:
        return _date(raw, profile.date_formats)

    parsers: dict[str, tuple[str, Callable[[str], Any], Any]] = {
        "business_unit": ("business_unit", normalise_business_unit, None),
        "as_of": ("as_of", day, None),
        "supplier_number": ("supplier_number", str, None),
        "supplier_name": ("supplier_name", str, ""),
        "invoice_number": ("invoice_number", _number, None),
        "description": ("description", str, None),
        "invoice_date": ("invoice_date", day, None),
        "amount": ("amount_pence", _pence, None),
        "currency": ("currency", _currency, None),
        "po_number": ("po_number", _number, None),
        "hold_name": ("hold_name", str.upper, None),
        "hold_reason": ("hold_reason", str, None),
        "hold_date": ("hold_date", day, None),
        "due_date": ("due_date", day, None),
        "amount_paid": ("amount_paid_pence", _pence, 0),
        "payment_date": ("payment_date", day, None),
        "payment_number": ("payment_number", str, None),
    }
    for name, meanings in profile.statuses.items():
        parsers[name] = (name, _meaning(meanings), None)
    return [
        _Cell(
            field,
            positions[name],
            profile.columns[name][0],
            parse,
            default,
            name in profile.required,
        )
        for name, (field, parse, default) in parsers.items()
        if name in positions
    ]


class _Ours(NamedTuple):
    """Our rows as the file has them, parsed together once it is read (see _rows)."""

    lines: list[int]
    venues: list[int]
    records: list[list[str]]


def _rows(
    ours: _Ours, plan: list[_Cell], profile: Profile, errors: list[RowError]
) -> list[ExportRow]:
    """Column by column, each distinct cell of a column parsed once: an export repeats its
    dates, amounts and statuses down thousands of rows. A row with a bad cell is left out
    and each bad cell reported, column after column (read sorts the errors by line)."""
    values: dict[str, Any] = {"line": ours.lines, "venue_id": ours.venues}
    failed: set[int] = set()
    for cell in plan:
        parsed = _Parsed(cell)
        values[cell.field] = column = list(
            map(parsed.__getitem__, map(operator.itemgetter(cell.position), ours.records))
        )
        if parsed.failures:
            for i, value in enumerate(column):
                if type(value) is _Failed:
                    errors.append(RowError(ours.lines[i], cell.title, value.message))
                    failed.add(i)

    @functools.cache
    def strongest(*found: FinanceStatus | None) -> FinanceStatus | None:
        return _strongest(set(found), profile.every_row)

    statuses = [values.pop(name) for name in profile.statuses if name in values]
    values["status"] = map(strongest, *statuses) if statuses else repeat(profile.every_row)
    rows = map(ExportRow, *(values.get(name, repeat(blank)) for name, blank in _FIELDS))
    return [row for i, row in enumerate(rows) if i not in failed] if failed else list(rows)


_FIELDS = [  # ExportRow's fields in order, with the value a column the file lacks gives
    (f.name, {"supplier_name": "", "amount_paid_pence": 0}.get(f.name))
    for f in dataclasses.fields(ExportRow)
]


class _Failed(NamedTuple):
    message: str


class _Parsed(dict[str, Any]):
    """One column's values by cell as the file has it: a cell not seen before is parsed
    (and kept, unless it is bad: then it is a _Failed, counted)."""

    def __init__(self, cell: _Cell) -> None:
        super().__init__()
        self.cell, self.failures = cell, 0

    def __missing__(self, raw: str) -> Any:
        try:
            self[raw] = value = _value(self.cell, raw.strip())
        except _BadValue as exc:
            self.failures += 1
            return _Failed(str(exc))
        return value


def _value(cell: _Cell, raw: str) -> Any:
    if not raw:
        if cell.required:
            raise _BadValue("blank")
        return cell.default
    try:
        return cell.parse(raw)
    except _BadValue as exc:
        raise _BadValue(f"{raw!r}: {exc}") from None


def _currency(raw: str) -> str:
    if raw.upper() != "GBP":
        raise _BadValue("our invoices are in GBP")
    return "GBP"


def _meaning(meanings: dict[str, FinanceStatus | None]) -> Callable[[str], FinanceStatus | None]:
    def parse(raw: str) -> FinanceStatus | None:
        try:
            return meanings[raw.lower()]
        except KeyError:
            listed = ", ".join(repr(value) for value in meanings)
            raise _BadValue(f"not one of the listed values ({listed})") from None

    return parse


def _strongest(
    found: set[FinanceStatus | None], otherwise: FinanceStatus | None
) -> FinanceStatus | None:
    return next((s for s in _STRONGEST_FIRST if s in found), otherwise)


def _number(raw: str) -> str | None:
    """As SBS keys it: 'gwc 0031' -> 'GWC0031'."""
    return normalise_invoice_number(raw) or None


@functools.lru_cache(maxsize=4096)  # an export repeats a few hundred dates many times
def _date(raw: str, forms: tuple[str, ...]) -> date:
    for form in forms:
        try:
            return datetime.strptime(raw.title(), form).date()  # noqa: DTZ007 — a date only
        except ValueError:
            continue
    examples = " or ".join(date(2026, 11, 23).strftime(f).upper() for f in forms)
    raise _BadValue(f"not a date like {examples}")


MOST_POUNDS = Decimal(20_000_000)  # far beyond any room hire; pence still fit 32 bits


@functools.lru_cache(maxsize=4096)
def _pence(raw: str) -> int:
    """'1,234.50', '£1,234.50', '-42.10' -> pence, exactly."""
    cleaned = raw.replace(",", "").replace("£", "").replace(" ", "")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise _BadValue("not an amount like 1,234.50") from None
    if not amount.is_finite() or abs(amount) > MOST_POUNDS:  # and beyond a database integer
        raise _BadValue(f"not an amount of at most £{MOST_POUNDS:,}.00")
    if amount != amount.quantize(Decimal("0.01")):
        raise _BadValue("not an amount in pounds and pence")
    return int(amount * 100)


def _combined(rows: list[ExportRow]) -> list[ExportRow]:
    """One payment split over several rows (same supplier and number) becomes one row."""
    by_payment: dict[tuple[int, str | None], ExportRow] = {}
    for row in rows:
        key = (row.venue_id, row.payment_number)
        if key in by_payment and row.payment_number:
            first = by_payment[key]
            paid = first.amount_paid_pence + row.amount_paid_pence
            by_payment[key] = dataclasses.replace(first, amount_paid_pence=paid)
        else:
            by_payment[key if row.payment_number else (row.venue_id, f"line {row.line}")] = row
    return list(by_payment.values())

"""The export reader and its profiles against the sample and every variant the formats README
names; mapping files a finance user writes."""

from __future__ import annotations

import csv as stdlib_csv
import io
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.exports import csv_reader
from adapters.exports.profiles import Profiles
from service.domain.exports import (
    ExportReading,
    ExportRefused,
    FinanceStatus,
    ProfileInvalid,
    RowError,
    SupplierIndex,
    normalise_supplier_name,
)

SAMPLE = (Path(__file__).parents[1] / "data" / "sample-sbs-oracle-ap.csv").read_bytes()
HEADER, *ROWS = SAMPLE.decode().splitlines()


PROFILES = Profiles()
EVERYONE = [  # every supplier of the sample is "ours" here, except the paper merchant
    (1, None, "Bristol Clinical Supplies Limited"),
    (2, "220871", "St Mark's Community Hall CIC"),
    (5, None, "St Marks Hall CIC"),
    (3, None, "Greenway Café Community Interest Company"),
    (4, None, "Office Paper Direct Ltd"),
]


def read(data: bytes, profile: str = "sbs-oracle-ap", venues=EVERYONE) -> ExportReading:  # type: ignore[no-untyped-def]
    return csv_reader.read(data, PROFILES.get(profile), SupplierIndex(venues))


def csv(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


def test_the_sample_reads_completely() -> None:
    reading = read(SAMPLE)
    assert reading.errors == [] and len(reading.rows) == 5
    held = reading.rows[2]
    assert (held.line, held.invoice_number, held.amount_pence, held.hold_name) == (
        4,
        "SMCH0008",
        48000,
        "QTY REC",
    )
    assert held.hold_reason == "Quantity billed exceeds quantity received"
    paid = reading.rows[1]
    assert (paid.amount_paid_pence, paid.payment_date, paid.payment_number) == (
        36000,
        date(2026, 10, 29),
        "7713388",
    )
    one_off = reading.rows[3]  # blank supplier number, lower case and a space, £, dd/mm/yyyy
    assert (
        one_off.supplier_number,
        one_off.invoice_number,
        one_off.amount_pence,
        one_off.invoice_date,
    ) == (None, "GWC0031", 21600, date(2026, 11, 3))
    credit = reading.rows[4]  # two-digit year, a credit memo
    assert (credit.amount_pence, credit.invoice_date) == (-4210, date(2026, 11, 10))


def test_bom_crlf_windows_1252_and_trailing_blank_lines() -> None:
    windows = SAMPLE.decode().replace("\n", "\r\n").encode("cp1252") + b"\r\n\r\n,,,\r\n"
    assert b"\xa3216.00" in windows  # the £ as Windows writes it
    reading = read(windows)
    assert len(reading.rows) == 5 and reading.errors == [] and reading.blank_lines == 3
    assert reading.rows[3].amount_pence == 21600
    assert len(read(b"\xef\xbb\xbf" + SAMPLE).rows) == 5


def test_header_drift_in_case_and_spaces_and_column_order() -> None:
    header = HEADER.replace("Invoice Number", "  INVOICE   number ").replace(
        "Amount Paid", "amount paid"
    )
    assert [r.invoice_number for r in read(csv(*ROWS, header=header)).rows][:2] == [
        "BCS88121",
        "SMCH0007",
    ]


@pytest.mark.parametrize(
    ("cells", "line", "column"),
    [
        (("02-OCT-2026", "02-10-2026"), 2, "Invoice Date"),
        (('02-OCT-2026,"4,812.00"', '02-OCT-2026,"4.812,00"'), 2, "Invoice Amount"),
        (('02-OCT-2026,"4,812.00"', "02-OCT-2026,12.345"), 2, "Invoice Amount"),
        (('02-OCT-2026,"4,812.00"', "02-OCT-2026,1E+100"), 2, "Invoice Amount"),  # was a 500
        (('02-OCT-2026,"4,812.00"', "02-OCT-2026,99999999999999999999.00"), 2, "Invoice Amount"),
        (('"4,812.00",30-OCT-2026', "1E+100,30-OCT-2026"), 2, "Amount Paid"),
        ((",BCS-88121,", ",  ,"), 2, "Invoice Number"),  # required: a blank is an error
    ],
)
def test_a_bad_value_is_reported_with_line_and_column_and_the_rest_is_read(
    cells: tuple[str, str], line: int, column: str
) -> None:
    broken = ROWS[0].replace(*cells)
    reading = read(csv(broken, *ROWS[1:]))
    assert [(e.line, e.column) for e in reading.errors] == [(line, column)]
    assert len(reading.rows) == 4


def test_a_missing_required_column_refuses_the_file_naming_it() -> None:
    header = HEADER.replace("Invoice Number", "Reference")
    with pytest.raises(ExportRefused, match="Invoice Number") as refused:
        read(csv(*ROWS, header=header))
    assert refused.value.details == {"line": 1, "column": "Invoice Number"}


@pytest.mark.parametrize(
    ("data", "line"),
    [
        # an unmatched quote is named where it opens, not where the file ends
        (csv(ROWS[0], ROWS[1].replace("HALL,SMCH0007", 'HALL,"SMCH0007'), ROWS[2]), 3),
        (csv(ROWS[0], ROWS[1] + ',"' + "x" * 200_000 + '"'), 3),
        (csv(ROWS[0], "only,three,cells"), 3),
        (b"Supplier Name,Invoice Number\n\x81\x8d\x8f,1\n", 2),
    ],
)
def test_structural_problems_refuse_the_whole_file_naming_the_line(data: bytes, line: int) -> None:
    with pytest.raises(ExportRefused, match=f"Line {line}"):
        read(data)


def test_supplier_names_compare_without_their_company_forms() -> None:
    assert normalise_supplier_name(
        "Greenway Café, Community Interest Co"
    ) == normalise_supplier_name("GREENWAY CAFÉ CIC")
    assert normalise_supplier_name("St Mark's Hall Limited") == "ST MARKS HALL LTD"


def test_statuses_holds_and_payments_are_read_as_the_profile_maps_them() -> None:
    rows = read(SAMPLE).rows
    assert [r.status for r in rows] == [
        FinanceStatus.APPROVED,
        FinanceStatus.APPROVED,
        None,
        None,
        FinanceStatus.APPROVED,
    ]
    cancelled = ROWS[0].replace("Validated,Approved", "Cancelled,Approved")
    assert read(csv(cancelled)).rows[0].status is FinanceStatus.CANCELLED
    unknown = read(csv(ROWS[0].replace("Validated,Approved", "Validated,Maybe")))
    assert [(e.line, e.column) for e in unknown.errors] == [(2, "Approval Status")]


def test_other_suppliers_are_counted_not_read_even_when_their_values_are_bad() -> None:
    ours = [(2, "220871", "ST MARKS COMMUNITY HALL CIC")]
    junk = ROWS[0].replace("02-OCT-2026", "not a date")
    reading = read(csv(junk, *ROWS[1:]), venues=ours)
    assert [r.invoice_number for r in reading.rows] == ["SMCH0007", "SMCH0008"]
    assert (reading.other_suppliers, reading.errors, reading.rows_read) == (3, [], 5)
    assert {r.venue_id for r in reading.rows} == {2}


def test_a_supplier_number_decides_over_a_name() -> None:
    """Another supplier with our venue's name but its own number is not our venue."""
    ours = [(2, "220871", "ST MARKS COMMUNITY HALL CIC")]
    impostor = ROWS[1].replace("220871", "999999")
    assert read(csv(impostor), venues=ours).rows == []
    blank_number = ROWS[1].replace("220871", "")
    assert len(read(csv(blank_number), venues=ours).rows) == 1


def test_a_currency_other_than_gbp_is_an_error_for_our_rows() -> None:
    reading = read(csv(ROWS[1].replace(",GBP,", ",EUR,")))
    assert [(e.line, e.column) for e in reading.errors] == [(2, "Currency")]


SPEND = (Path(__file__).parents[1] / "data" / "sample-spend-over-25k.csv").read_bytes()


def test_spend_over_25k_maps_drifting_headers_and_combines_split_payments() -> None:
    reading = read(SPEND, "spend-over-25k", [(2, None, "St Mark's Community Hall CIC")])
    assert reading.errors == [] and reading.other_suppliers == 1
    [payment] = reading.rows
    assert (payment.status, payment.amount_paid_pence, payment.payment_number) == (
        FinanceStatus.PAID,
        2_600_000,
        "88123",
    )
    assert (payment.invoice_number, payment.description) == (None, "Room hire SMCH0009")
    assert payment.payment_date == date(2026, 10, 30)


def test_a_mapping_file_describes_a_new_layout(tmp_path: Path) -> None:
    mapping = tmp_path / "civica.toml"
    mapping.write_text(
        """
date_formats = ["%Y-%m-%d"]
required = ["supplier_name", "invoice_number", "amount", "status"]
[columns]
supplier_name = "Creditor"
invoice_number = ["Their Ref", "Supplier Reference"]
amount = "Gross"
status = "State"
amount_paid = "Paid"
[statuses.status]
REG = "received"
AUTH = "approved"
HELD = "on_hold"
PAID = "paid"
"""
    )
    data = b"Creditor,Supplier Reference,Gross,State,Paid\nSt Marks Hall CIC,smch 0010,120,AUTH,\n"
    profile = Profiles(tmp_path).get("civica")
    [row] = csv_reader.read(data, profile, SupplierIndex(EVERYONE)).rows
    assert (row.invoice_number, row.amount_pence, row.status) == (
        "SMCH0010",
        12000,
        FinanceStatus.APPROVED,
    )
    assert Profiles().get(str(mapping)).columns["amount"] == ("Gross",)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[columns]\nsupplier_name = 'S'\n", "amount"),
        ("[columns]\nsupplier = 'S'\namount = 'A'\n", "unknown field supplier"),
        ("required = ['status']\n[columns]\namount = 'A'\n", "status has no column"),
        ("[columns]\namount = 'A'\nstatus = 'S'\n[statuses.status]\nX = 'lost'\n", "not a status"),
        ("date_formats = ['%Q']\n[columns]\namount = 'A'\n", "date format"),
        ("colums = 1\n", "unknown setting colums"),
        ("[columns\n", "not valid TOML"),
    ],
)
def test_a_wrong_mapping_file_is_refused_with_what_is_wrong(
    tmp_path: Path, text: str, message: str
) -> None:
    mapping = tmp_path / "mine.toml"
    mapping.write_text(text)
    with pytest.raises(ProfileInvalid, match=message):
        Profiles(tmp_path).get("mine")


def test_an_unknown_profile_lists_the_known_ones() -> None:
    with pytest.raises(ProfileInvalid, match="sbs-oracle-ap, spend-over-25k"):
        PROFILES.get("oracle")


def test_the_documented_mapping_example_is_a_working_profile(tmp_path: Path) -> None:
    readme = (Path(__file__).parents[2] / "docs" / "finance.md").read_text()
    example = readme.split("```toml\n", 1)[1].split("```", 1)[0]
    (tmp_path / "civica.toml").write_text(example)
    profile = Profiles(tmp_path).get("civica")
    data = b"Creditor,Creditor No,Their Ref,Gross,Paid,Paid On,Remittance,State\n"
    data += b"St Marks Hall CIC,,smch0011,75.00,75.00,2027-01-29,BACS991,PAID\n"
    [row] = csv_reader.read(data, profile, SupplierIndex(EVERYONE)).rows
    assert (row.status, row.amount_paid_pence, row.payment_number) == (
        FinanceStatus.PAID,
        7500,
        "BACS991",
    )


def test_trailing_spaces_in_cells_and_headers_are_ignored() -> None:
    spaced = ",".join(f"{cell}  " for cell in ROWS[1].split(","))
    header = ",".join(f" {title} " for title in HEADER.split(","))
    [row] = read(csv(spaced, header=header)).rows
    assert (row.invoice_number, row.amount_pence, row.payment_number) == (
        "SMCH0007",
        36000,
        "7713388",
    )


CELL = st.text(alphabet='ab ,"\r\n', max_size=5)  # what makes csv quote a cell, and spans


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.booleans(), CELL), min_size=1, max_size=12),
    st.sampled_from(["\r\n", "\n"]),
)
def test_every_line_is_read_as_csv_reads_it_quoted_or_not(
    rows: list[tuple[bool, str]], newline: str
) -> None:
    """Lines without a quote take a shorter way than csv; whatever mix of quoted cells,
    commas and line breaks inside cells, each row is read as csv reads it, at the line it
    begins on: ours (its free text in Hold Reason), other suppliers' counted (a name made
    of nothing but spaces an error), as if every line had gone through csv."""
    ours = [(2, "220871", "ST MARKS COMMUNITY HALL CIC")]
    template = ROWS[1].split(",")
    out = io.StringIO()
    writer = stdlib_csv.writer(out, lineterminator=newline)
    writer.writerow(HEADER.split(","))
    for k, (is_ours, cell) in enumerate(rows):
        text = cell if newline == "\r\n" else cell.replace("\r", "")  # else csv won't quote it
        cells = list(template)
        if is_ours:
            cells[12] = text  # Hold Reason
        else:
            cells[1:3] = [f"9{k:05d}", text]  # another supplier: a number not ours, any name
        writer.writerow(cells)
    rows_read: list[tuple[int, str | None]] = []
    others, errors = 0, []
    records = stdlib_csv.reader(io.StringIO(out.getvalue(), newline=""))
    next(records)
    start = records.line_num + 1
    for record in records:
        line, start = start, records.line_num + 1
        if record[1] == "220871":
            rows_read.append((line, record[12].strip() or None))
        elif record[2].strip():
            others += 1
        else:
            errors.append(RowError(line, "Supplier Name", "blank: whose invoice is it?"))

    reading = read(out.getvalue().encode(), venues=ours)
    assert [(r.line, r.hold_reason) for r in reading.rows] == rows_read
    assert (reading.other_suppliers, reading.errors) == (others, errors)


VALUES = st.sampled_from(  # valid in one column, bad or blank in another
    (
        "02-DEC-2026",
        "2/12/2026",
        "75.00",
        "£1234.50",
        "1E+100",
        "",
        "  ",
        "GBP",
        "gbp",
        "Validated",
        "Cancelled",
        "Approved",
        " rejected ",
        "QTY REC",
        "x 1",
    )
)
VARIED = (4, 5, 6, 7, 9, 10, 11, 13, 15)  # number, dates, amounts, currency, statuses, hold


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["ours", "other", "nameless"]), st.lists(VALUES, min_size=9, max_size=9)
        ),
        min_size=1,
        max_size=15,
    )
)
def test_each_row_reads_among_others_as_it_reads_alone(
    lines: list[tuple[str, list[str]]],
) -> None:
    """The reader parses our rows column by column, each distinct cell once: whatever the
    values around it, a row gives the row and the errors it gives in a file of its own (at
    its own line), and the errors come line by line."""
    template = ROWS[1].split(",")
    written = []
    for kind, values in lines:
        cells = list(template)
        for at, value in zip(VARIED, values, strict=True):
            cells[at] = value
        if kind != "ours":
            cells[1:3] = ["999999", "" if kind == "nameless" else "PAPER LTD"]
        written.append(",".join(cells))
    venues = [(2, "220871", "ST MARKS COMMUNITY HALL CIC")]
    alone = [read(csv(row), venues=venues) for row in written]
    together = read(csv(*written), venues=venues)
    assert together.rows == [
        replace(row, line=line) for line, one in enumerate(alone, 2) for row in one.rows
    ]
    assert together.errors == [
        replace(error, line=line) for line, one in enumerate(alone, 2) for error in one.errors
    ]
    assert together.other_suppliers == sum(one.other_suppliers for one in alone)


NUMBERS = st.sampled_from(["", " ", "220871", "220872", "999999"])
NAMES = st.sampled_from(["St Mark's Hall", "ST MARKS HALL LTD", "St Marks Hall Limited", "Cafe"])


@given(
    st.lists(st.tuples(st.one_of(st.none(), NUMBERS), NAMES), max_size=4),
    st.lists(st.tuples(NUMBERS, NAMES), max_size=6),
)
def test_a_supplier_is_a_venue_by_its_number_else_by_a_name_no_numbered_venue_has(
    venues: list[tuple[str | None, str]], rows: list[tuple[str, str]]
) -> None:
    """As SupplierIndex's rules say, taken one by one (it skips comparing names when no
    venue could match by name alone)."""
    index = SupplierIndex((k, number, name) for k, (number, name) in enumerate(venues, 1))
    by_number = {n.strip().upper(): k for k, (n, _) in enumerate(venues, 1) if n}
    for number, name in rows:
        key = number.strip().upper()
        named = [
            k
            for k, (_, venue) in enumerate(venues, 1)
            if normalise_supplier_name(venue) == normalise_supplier_name(name)
        ]
        expected = by_number.get(key) or (
            named[0] if named and not (key and named[0] in by_number.values()) else None
        )
        assert index.venue_for(number, name) == expected

"""The sbs-oracle-ap reader against the sample and every variant the formats README names."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from adapters.exports.sbs_oracle_ap import read
from service.domain.exports import ExportRefused, normalise_supplier_name

SAMPLE = (Path(__file__).parents[1] / "data" / "sample-sbs-oracle-ap.csv").read_bytes()
HEADER, *ROWS = SAMPLE.decode().splitlines()


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
        (csv(ROWS[0], ROWS[1].replace("HALL,SMCH0007", 'HALL,"SMCH0007'), ROWS[2]), 4),
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

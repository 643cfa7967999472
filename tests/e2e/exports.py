"""Build NHS finance exports around real issued invoices, the way SBS writes them."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from tests.client import Client

SAMPLE = Path(__file__).parents[1] / "data" / "sample-sbs-oracle-ap.csv"
HEADER = SAMPLE.read_text().splitlines()[0].split(",")
Who = dict[str, Any]
SUPPLIER_NUMBER, SUPPLIER = "220871", "ST MARKS COMMUNITY HALL CIC"
UNIT = "RZZ SEVERNVALE MH TRUST"  # the business unit of the trust in builders.TRUST


@dataclass(frozen=True)
class ApRow:
    """One row of the sbs-oracle-ap report; by default our venue's, validated, unapproved."""

    number: str
    amount: str
    po: str
    invoice_status: str = "Validated"
    approval: str = "Required"
    hold: str = ""
    hold_reason: str = ""
    paid: str = ""
    payment_date: str = ""
    payment_number: str = ""
    supplier_number: str = SUPPLIER_NUMBER
    supplier: str = SUPPLIER
    currency: str = "GBP"
    unit: str = UNIT

    def cells(self) -> list[str]:
        return [
            self.unit,
            self.supplier_number,
            self.supplier,
            "HALL",
            self.number,
            "01-DEC-2026",
            self.amount,
            self.currency,
            self.po,
            self.invoice_status,
            self.approval,
            self.hold,
            self.hold_reason,
            "04-DEC-2026" if self.hold else "",
            "31-DEC-2026",
            self.paid,
            self.payment_date,
            self.payment_number,
        ]


def for_invoice(invoice: dict[str, Any], **changes: Any) -> ApRow:
    """The row SBS would key for one of our issued invoices."""
    pence = invoice["gross_pence"]  # a credit note's is negative
    amount = f"{'-' if pence < 0 else ''}{abs(pence) // 100}.{abs(pence) % 100:02d}"
    values = {"number": invoice["number"], "amount": amount}
    values["po"] = invoice["po_number"]
    known = {f.name for f in fields(ApRow)}
    assert set(changes) <= known, set(changes) - known
    return ApRow(**{**values, **changes})


def other_supplier(n: int) -> ApRow:
    return ApRow(
        f"INV-{n:05d}",
        "99.00",
        "RZZPO0009999",
        supplier_number=f"9{n:05d}",
        supplier=f"SUPPLIER {n} LTD",
        approval="Approved",
    )


def export(*rows: ApRow, encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(row.cells() for row in rows)
    return out.getvalue().encode(encoding)


def upload(
    client: Client,
    who: dict[str, Any],
    data: bytes,
    profile: str = "sbs-oracle-ap",
    *,
    name: str = "ap-report.csv",
    as_of: str | None = None,
) -> Any:
    form: dict[str, Any] = {"file": (io.BytesIO(data), name), "profile": profile}
    return client.post(
        "/api/v1/procurement-imports",
        data=form | ({"as_of": as_of} if as_of else {}),
        headers=who["headers"],
        content_type="multipart/form-data",
    )


def status(client: Client, who: Who, invoice: Who) -> Any:
    response = client.get(f"/api/v1/invoices/{invoice['id']}/status", headers=who["headers"])
    assert response.status_code == 200, response.json
    return response.json


def imported(
    client: Client, who: Who, data: bytes, expected: int = 201, **options: str | None
) -> Any:
    """`options`: upload's name and as_of."""
    response = upload(client, who, data, **options)  # type: ignore[arg-type]
    assert response.status_code == expected, response.json
    return response.json

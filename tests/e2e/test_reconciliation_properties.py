"""Property: whatever export SBS writes around our real issued invoices — any mix of
statuses, holds, part payments, other suppliers, row order, number styling, encodings —
each invoice it mentions ends in the status its rows say, and the others keep theirs."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.e2e.exports import ApRow, export, for_invoice, other_supplier, upload
from tests.e2e.test_reconciliation import finance, invoices, status, venue_room

__all__ = ["finance", "invoices", "venue_room"]  # fixtures this module uses

HOLD_CODES = ["QTY REC", "PRICE", "PO NOT APPROVED", "DIST ACCT INVALID", "VENDOR", "NEW CODE"]
STATUSES = ["received", "approved", "on_hold", "part_paid", "paid", "cancelled", "rejected"]


@st.composite
def intentions(draw: st.DrawFn) -> dict[str, Any]:
    """What the export should say about one invoice, or None when it leaves it out."""
    wanted = draw(st.sampled_from(STATUSES))
    return {
        "status": wanted,
        "holds": draw(st.lists(st.sampled_from(HOLD_CODES), min_size=1, max_size=3, unique=True)),
        "part_paid_pence": draw(st.integers(1, 7499)),
        "styled": draw(st.sampled_from([str, str.lower, lambda n: f"{n[:4]} {n[4:]}"])),
    }


def rows_for(invoice: dict[str, Any], intent: dict[str, Any]) -> list[ApRow]:
    number = intent["styled"](invoice["number"])
    paid = {"approval": "Approved", "payment_date": "29-JAN-2027", "payment_number": "7713388"}
    match intent["status"]:
        case "received":
            return [for_invoice(invoice, number=number)]
        case "approved":
            return [for_invoice(invoice, number=number, approval="Approved")]
        case "on_hold":
            return [for_invoice(invoice, number=number, hold=code) for code in intent["holds"]]
        case "part_paid":
            pence = intent["part_paid_pence"]
            return [for_invoice(invoice, number=number, paid=f"{pence / 100:.2f}", **paid)]
        case "paid":
            return [for_invoice(invoice, number=number, paid="75.00", **paid)]
        case "cancelled":
            return [for_invoice(invoice, number=number, invoice_status="Cancelled")]
        case _:
            return [for_invoice(invoice, number=number, approval="Rejected")]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    plan=st.lists(st.none() | intentions(), min_size=6, max_size=6),
    noise=st.integers(0, 4),
    order=st.randoms(use_true_random=False),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
)
def test_statuses_follow_the_rows(
    client: FlaskClient,
    finance: dict[str, Any],
    invoices: list[dict[str, Any]],
    plan: list[dict[str, Any] | None],
    noise: int,
    order: Any,
    encoding: str,
) -> None:
    before = {i["id"]: status(client, finance, i) for i in invoices}
    rows = [
        row
        for i, intent in zip(invoices, plan, strict=True)
        if intent
        for row in rows_for(i, intent)
    ]
    rows += [other_supplier(n) for n in range(noise)]
    order.shuffle(rows)
    response = upload(client, finance, export(*rows, encoding=encoding))
    assert response.status_code in (200, 201), response.json
    assert response.json["errors"] == 0

    for invoice, intent in zip(invoices, plan, strict=True):
        now = status(client, finance, invoice)
        if intent is None:
            assert now == before[invoice["id"]]
            continue
        state = now["state"]
        assert state["status"] == intent["status"]
        if intent["status"] == "on_hold":
            assert sorted(state["holds"]) == sorted(intent["holds"])
        if intent["status"] == "part_paid":
            assert state["paid_pence"] == intent["part_paid_pence"]
        if now["history"] != before[invoice["id"]]["history"]:
            assert now["history"][-1]["status"] == intent["status"]
        assert "received" in [e["status"] for e in now["history"]]

    again = upload(client, finance, export(*rows, encoding=encoding))
    assert again.status_code == 200 and again.json["already_imported"] is True

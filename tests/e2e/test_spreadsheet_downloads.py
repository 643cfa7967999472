"""Bookings and invoices as CSV and Excel workbooks through the API, with the lists' filters:
read back with openpyxl and the csv module, their totals checked against what the API says."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from openpyxl import load_workbook

from service.domain.users import Role
from tests.client import Answer, Client
from tests.conftest import Staff, book_tuesdays, booking_body, issue
from tests.e2e.exports import SUPPLIER_NUMBER, export, for_invoice, imported
from tests.fakes import FrozenClock

Who = dict[str, Any]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def sheet(answer: Answer) -> list[dict[str, Any]]:
    assert answer.status_code == 200, answer.json
    assert answer.mimetype == XLSX
    page = load_workbook(io.BytesIO(answer.data)).active
    assert page is not None
    header, *rows = ([c.value for c in row] for row in page.iter_rows())
    return [dict(zip(header, row, strict=True)) for row in rows]


def table(answer: Answer) -> list[dict[str, str]]:
    assert answer.status_code == 200 and answer.mimetype == "text/csv", answer.data[:200]
    return list(csv.DictReader(io.StringIO(answer.get_data(as_text=True))))


def test_bookings_a_row_per_session_adding_up_to_what_the_venue_is_owed(
    client: Client,
    staff: Staff,
    trust: Who,
    facilitator: Who,
    room: Who,
    po: Any,
    clock: FrozenClock,
) -> None:
    booking = book_tuesdays(staff, facilitator, room, po, expected_people=12)  # 6 x £75
    sessions = booking["sessions"]
    cancel = f"/api/v1/sessions/{sessions[3]['id']}/cancel"
    assert client.post(cancel, headers=facilitator["headers"]).status_code == 200
    clock.current = datetime(2026, 12, 28, 12, tzinfo=UTC)  # the last, 29 December: too late
    late = f"/api/v1/sessions/{sessions[5]['id']}/cancel"
    assert client.post(late, headers=facilitator["headers"]).json["status"] == "late_cancelled"
    other = staff.user(Role.FACILITATOR, trust["id"])
    staff.post("/api/v1/bookings", booking_body(room["id"], first_date="2027-01-05"), other)

    rows = sheet(client.get("/api/v1/bookings.xlsx", headers=facilitator["headers"]))
    assert [r["date"].date() for r in rows] == [date.fromisoformat(s["date"]) for s in sessions]
    first = rows[0]
    assert (first["booking"], first["group"], first["room"]) == (
        booking["id"],
        "Tuesday afternoon group",
        "Main hall",
    )
    assert (first["starts"], first["ends"], first["people expected"]) == ("13:00", "16:00", 12)
    assert first["purchase order"] == "RZZPO0000123" and first["invoiced"] == "no"
    assert [r["status"] for r in rows][3:] == ["cancelled", "booked", "late cancelled"]
    assert rows[3]["total (£)"] == 0 and rows[5]["total (£)"] == 75
    committed = client.get(f"/api/v1/purchase-orders/{po['id']}", headers=staff.admin["headers"])
    assert (
        sum(Decimal(str(r["total (£)"])) for r in rows) * 100 == committed.json["committed_pence"]
    )  # five sessions charged: £375

    as_csv = table(client.get("/api/v1/bookings.csv", headers=facilitator["headers"]))
    assert [r["total (£)"] for r in as_csv] == ["75.00"] * 3 + ["0.00", "75.00", "75.00"]
    everyone = table(client.get("/api/v1/bookings.csv", headers=staff.admin["headers"]))
    assert len(everyone) == 7  # the other facilitator's session too

    december = {"from": "2026-12-08", "to": "2026-12-15"}
    narrowed = table(
        client.get("/api/v1/bookings.csv", query_string=december, headers=facilitator["headers"])
    )
    assert [r["date"] for r in narrowed] == ["2026-12-08", "2026-12-15"]


def test_invoices_with_their_state_in_the_exports_and_the_venue_filter(
    client: Client, staff: Staff, trust: Who, finance: Who, facilitator: Who, clock: FrozenClock
) -> None:
    venue = staff.venue(supplier_number=SUPPLIER_NUMBER)  # the venue the exports name
    room = staff.room(venue["id"])
    po = staff.purchase_order(trust["id"], venue["id"], finance)
    book_tuesdays(staff, facilitator, room, po, invoice_cadence="per_session")
    clock.current = datetime(2027, 1, 4, 9, tzinfo=UTC)
    invoices = issue(client, finance, "2026-12-31")["issued"]
    paid = {"approval": "Approved", "paid": "75.00", "payment_date": "20-JAN-2027"}
    imported(client, finance, export(for_invoice(invoices[0], **paid), for_invoice(invoices[1])))

    rows = sheet(client.get("/api/v1/invoices.xlsx", headers=finance["headers"]))
    assert [r["number"] for r in rows] == [i["number"] for i in reversed(invoices)]  # newest first
    assert sum(Decimal(str(r["total (£)"])) for r in rows) * 100 == sum(
        i["gross_pence"] for i in invoices
    )
    first, second, third = rows[-1], rows[-2], rows[-3]  # the first three issued
    assert first["status in NHS finance"] == "paid" and first["paid (£)"] == 75
    assert first["payment date"].date() == date(2027, 1, 20)
    assert second["status in NHS finance"] == "received" and third["status in NHS finance"] is None
    assert first["purchase order"] == "RZZPO0000123" and first["kind"] == "invoice"
    assert first["issued"].date() == date(2027, 1, 4) and first["due"].date() == date(2027, 2, 3)

    mine = table(
        client.get(
            "/api/v1/invoices.csv",
            query_string={"venue_id": venue["id"]},
            headers=finance["headers"],
        )
    )
    assert [r["total (£)"] for r in mine] == ["75.00"] * 6
    elsewhere = {"venue_id": staff.venue(name="Another Hall")["id"]}
    assert (
        table(
            client.get("/api/v1/invoices.csv", query_string=elsewhere, headers=finance["headers"])
        )
        == []
    )
    refused = client.get("/api/v1/invoices.xlsx", headers=facilitator["headers"])
    assert refused.status_code == 403 and refused.json["code"] == "forbidden"


def test_what_a_spreadsheet_would_run_is_written_as_text(
    client: Client, staff: Staff, facilitator: Who, room: Who
) -> None:
    label = '=HYPERLINK("http://example.invalid","Open")'
    staff.post("/api/v1/bookings", booking_body(room["id"], group_label=label), facilitator)
    assert (
        table(client.get("/api/v1/bookings.csv", headers=facilitator["headers"]))[0]["group"]
        == "'" + label
    )
    page = load_workbook(
        io.BytesIO(client.get("/api/v1/bookings.xlsx", headers=facilitator["headers"]).data)
    ).active
    assert page is not None
    cell = page["B2"]
    assert cell.value == label and cell.data_type == "s"


def test_bad_filters_are_refused_with_a_problem(client: Client, facilitator: Who) -> None:
    backwards = {"from": "2027-01-31", "to": "2027-01-01"}
    for path in ("/api/v1/bookings.csv", "/api/v1/bookings.xlsx"):
        answer = client.get(path, query_string=backwards, headers=facilitator["headers"])
        assert answer.status_code == 422 and answer.mimetype == "application/problem+json"
        answer = client.get(path, query_string={"room_id": "x"}, headers=facilitator["headers"])
        assert answer.status_code == 422 and answer.json["code"] == "validation_failed"
    assert client.get("/api/v1/bookings.csv").status_code == 401

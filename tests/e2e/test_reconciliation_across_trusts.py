"""Reconciliation that stays true over a year and across trusts: a row of another trust never
takes one of our invoices, a guess never silences a lost invoice, and an older export never
moves an invoice back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask

from service.domain.users import Role
from service.usecases.outbox_worker import deliver_due
from tests.client import Client
from tests.conftest import Staff, issue
from tests.e2e.conftest import Booker, create_link, path_of, send
from tests.e2e.exports import (
    ApRow,
    export,
    for_invoice,
    imported,
    other_supplier,
    status,
    upload,
)
from tests.e2e.staff import browser_as
from tests.fakes import FrozenClock

Who = dict[str, Any]
OTHER_UNIT = "RVJ NORTH BRISTOL NHS TRUST"


def problems(client: Client, who: Who) -> set[tuple[str, int | None]]:
    response = client.get("/api/v1/reconciliation", headers=who["headers"])
    assert response.status_code == 200
    return {(d["problem"], d["invoice_id"]) for d in response.json}


def venue_sees(client: Client, link: Who, number: str) -> tuple[str, str]:
    page = client.get(path_of(link) + ".json").json
    [line] = [i for i in page["invoices"] if i["number"] == number]
    return line["status"], line["words"]


def record_unit(client: Client, staff: Staff, trust_id: int, unit: str) -> None:
    changed = client.patch(
        f"/api/v1/trusts/{trust_id}", json={"business_unit": unit}, headers=staff.admin["headers"]
    )
    assert changed.status_code == 200, changed.json
    assert changed.json["business_unit"] == unit


def test_a_row_of_another_trust_never_takes_one_of_our_invoices(
    app: Flask,
    client: Client,
    staff: Staff,
    trust_finance: Who,
    tuesdays: Booker,
    venue_room: Who,
    clock: FrozenClock,
) -> None:
    """Our one invoice at a venue both trusts use, SMCH0001 (£75), emailed and in no export
    yet. Trust B's export has a row at that venue: a number we never issued, no PO, £75. It
    stays B's row matching nothing; SMCH0001 is lost, and the venue is not told otherwise."""
    tuesdays(sessions=1)
    clock.current = datetime(2027, 1, 4, 9, tzinfo=UTC)
    [ours] = issue(client, trust_finance, "2026-12-31")["issued"]
    send(client, trust_finance, ours)
    deliver_due(app.extensions["roomhire"], batch=10)
    other = staff.trust(name="North Bristol NHS Trust", organisation_code="RVJ")
    other_finance = staff.user(Role.FINANCE, other["id"])
    record_unit(client, staff, other["id"], "rvj  north bristol nhs trust")  # as typed
    link = create_link(client, trust_finance, venue_room["venue_id"])
    clock.advance(timedelta(days=30))

    theirs = ApRow("NB-4471", "75.00", "", approval="Approved", unit=OTHER_UNIT)
    report = imported(client, other_finance, export(theirs))
    assert (report["matched"], report["discrepancies"]) == (0, 1)
    assert status(client, trust_finance, ours)["state"]["status"] == "sent"
    imported(client, trust_finance, export(other_supplier(1)))  # our trust's: not there either
    found = problems(client, trust_finance)
    assert ("lost", ours["id"]) in found and ("unknown_invoice", None) in found
    assert venue_sees(client, link, "SMCH0001")[0] == "sent"


def test_rows_of_a_unit_no_trust_records_are_left_alone_once_ours_is_recorded(
    client: Client, staff: Staff, trust: Who, trust_finance: Who, invoices: list[Who]
) -> None:
    stranger = ApRow("XYZ0001", "12.34", "", unit="RA7 SOMEWHERE ELSE NHS TRUST")
    before = imported(client, trust_finance, export(for_invoice(invoices[0]), stranger))
    assert (before["matched"], before["other_units"]) == (1, 0)  # no unit recorded: ours

    record_unit(client, staff, trust["id"], "RZZ SEVERNVALE MH TRUST")
    mis_keyed = for_invoice(invoices[1], number="SMCHO002", unit="RA7 SOMEWHERE ELSE NHS TRUST")
    after = imported(client, trust_finance, export(for_invoice(invoices[0]), stranger, mis_keyed))
    assert (after["matched"], after["other_units"], after["discrepancies"]) == (1, 2, 0)
    assert status(client, trust_finance, invoices[1])["state"]["status"] == "sent"


def test_a_match_by_po_and_amount_keeps_the_lost_alarm_until_a_person_confirms_it(
    app: Flask,
    client: Client,
    trust_finance: Who,
    invoices: list[Who],
    venue_room: Who,
    clock: FrozenClock,
) -> None:
    link = create_link(client, trust_finance, venue_room["venue_id"])
    clock.advance(timedelta(days=30))
    mis_keyed = for_invoice(invoices[5], number="SMCHOOO6", approval="Approved")
    imported(client, trust_finance, export(*(for_invoice(i) for i in invoices[:5]), mis_keyed))
    assert status(client, trust_finance, invoices[5])["state"]["status"] == "approved"
    found = problems(client, trust_finance)
    assert {("lost", invoices[5]["id"]), ("unconfirmed_match", invoices[5]["id"])} <= found
    finance_pages = browser_as(app)
    assert "SMCH0006" in finance_pages.get("/finance/invoices?status=lost").text
    assert venue_sees(client, link, "SMCH0006")[0] == "sent"  # a guess is not told to the venue

    confirm = f"/api/v1/reconciliation/{invoices[5]['id']}/confirm"
    assert client.post(confirm, headers=trust_finance["headers"]).status_code == 204
    assert not {p for p in problems(client, trust_finance) if p[1] == invoices[5]["id"]}
    assert venue_sees(client, link, "SMCH0006")[0] == "approved"
    assert "SMCH0006" not in finance_pages.get("/finance/invoices?status=lost").text


def test_an_older_export_never_moves_an_invoice_back_and_says_it_was_older(
    client: Client, trust_finance: Who, invoices: list[Who], clock: FrozenClock
) -> None:
    first, second, third = invoices[:3]
    paid = {"approval": "Approved", "payment_date": "08-FEB-2027", "payment_number": "7713388"}
    january = export(for_invoice(first, hold="QTY REC"), for_invoice(second), for_invoice(third))
    clock.advance(timedelta(days=40))  # 13 February
    imported(client, trust_finance, january, name="ap-2027-01-20.csv")
    february = export(
        for_invoice(first, paid="75.00", **paid),
        for_invoice(second, paid="75.00", **paid),
        for_invoice(third, approval="Approved"),
    )
    newer = imported(client, trust_finance, february, name="AP_20270210.csv")
    assert (newer["as_of"], newer["as_of_source"], newer["older_than"]) == (
        "2027-02-10",
        "file_name",
        None,
    )
    history = [e["status"] for e in status(client, trust_finance, first)["history"]]

    resaved = january.replace(b"\r\n", b"\n") + b"\n"  # the same rows, saved again
    older = imported(client, trust_finance, resaved, name="ap-2027-01-20 (copy).csv")
    assert (older["as_of"], older["older_than"], older["kept"], older["changes"]) == (
        "2027-01-20",
        "2027-02-10",
        3,  # paid, paid and approved: each keeps its later state
        0,  # and their histories already say what it says
    )
    assert [
        status(client, trust_finance, i)["state"]["status"] for i in (first, second, third)
    ] == [
        "paid",
        "paid",
        "approved",
    ]
    assert [e["status"] for e in status(client, trust_finance, first)["history"]] == history

    # An older export with something the histories lack adds it, as of its own day.
    held = export(for_invoice(second, hold="PRICE"))
    added = imported(client, trust_finance, held, as_of="2027-01-25")
    assert (added["as_of_source"], added["changes"], added["kept"]) == ("given", 1, 1)
    known = status(client, trust_finance, second)
    assert known["state"]["status"] == "paid" and known["state"]["as_of"] == "2027-02-10"
    last = known["history"][-1]
    assert (last["status"], last["hold_code"], last["as_of"]) == ("on_hold", "PRICE", "2027-01-25")

    # A newer export, as of today (no date in its name), moves them on again.
    cancelled = imported(
        client, trust_finance, export(for_invoice(third, invoice_status="Cancelled"))
    )
    assert (cancelled["as_of"], cancelled["as_of_source"]) == ("2027-02-13", "imported")
    assert status(client, trust_finance, third)["state"]["status"] == "cancelled"


def test_a_wrong_as_of_date_is_refused_and_nothing_is_imported(
    client: Client, trust_finance: Who, invoices: list[Who]
) -> None:
    data = export(for_invoice(invoices[0]))
    for given, code in (("2099-01-01", "as_of_in_future"), ("30/11/2026", "validation_failed")):
        refused = upload(client, trust_finance, data, as_of=given)
        assert refused.status_code in (400, 422) and refused.json["code"] == code, refused.json
    listed = client.get("/api/v1/procurement-imports", headers=trust_finance["headers"]).json
    assert listed == []

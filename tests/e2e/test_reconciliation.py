"""Finance imports the NHS accounts-payable export; every invoice shows where it really is."""

from __future__ import annotations

import csv
import gc
import hashlib
import io
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import create_engine, inspect, text

from adapters.exports import csv_reader
from service.domain.financial_years import FinancialYear
from service.domain.payment_performance import Bppc, Performance, table
from service.domain.spreadsheets import as_csv, safe_cell
from service.domain.users import Role
from service.usecases.context import Context
from service.usecases.outbox_worker import deliver_due
from tests.client import Client
from tests.conftest import Staff, roomhire
from tests.e2e.exports import ApRow, export, for_invoice, imported, other_supplier, status, upload
from tests.fakes import FrozenClock

Who = dict[str, Any]


def problems(client: Client, who: Who) -> list[tuple[str, int | None]]:
    response = client.get("/api/v1/reconciliation", headers=who["headers"])
    assert response.status_code == 200
    return sorted((d["problem"], d["invoice_id"]) for d in response.json)


def test_each_invoice_gets_the_status_the_export_shows_with_its_history(
    client: Client, trust_finance: Who, invoices: list[Who]
) -> None:
    first, second, third, fourth = invoices[:4]
    report = imported(
        client,
        trust_finance,
        export(
            for_invoice(first),
            for_invoice(second, approval="Approved"),
            for_invoice(third, hold="QTY REC", hold_reason="Quantity billed exceeds received"),
            for_invoice(
                fourth,
                approval="Approved",
                paid="75.00",
                payment_date="30-JAN-2027",
                payment_number="7713388",
            ),
            other_supplier(1),
            other_supplier(2),
        ),
    )
    assert {k: report[k] for k in ("rows_read", "matched", "other_suppliers", "errors")} == {
        "rows_read": 6,
        "matched": 4,
        "other_suppliers": 2,
        "errors": 0,
    }
    assert report["already_imported"] is False and len(report["sha256"]) == 64
    states = [status(client, trust_finance, i)["state"]["status"] for i in invoices[:4]]
    assert states == ["received", "approved", "on_hold", "paid"]

    paid = status(client, trust_finance, fourth)
    assert [e["status"] for e in paid["history"]] == ["sent", "received", "paid"]
    assert paid["state"]["payment_number"] == "7713388"
    assert paid["state"]["payment_date"] == "2027-01-30"
    assert paid["history"][-1]["import_id"] == report["id"]
    assert paid["history"][-1]["line"] == 5  # the fourth row after the header

    held = status(client, trust_finance, third)["history"][-1]
    assert (held["status"], held["hold_code"]) == ("on_hold", "QTY REC")
    assert held["explanation"].startswith("The NHS team hasn't confirmed the sessions")
    not_in_export = status(client, trust_finance, invoices[5])  # emailed, not in the export yet
    assert not_in_export["state"]["status"] == "sent"
    assert not_in_export["sent_at"] == "2027-01-04T09:00:00+00:00"


def test_the_same_file_again_changes_nothing_and_says_so(
    client: Client, trust_finance: Who, invoices: list[Who]
) -> None:
    data = export(*(for_invoice(i, approval="Approved") for i in invoices))
    first = imported(client, trust_finance, data)
    history = status(client, trust_finance, invoices[0])["history"]
    again = imported(client, trust_finance, data, expected=200)
    assert again["already_imported"] is True and again["id"] == first["id"]
    assert status(client, trust_finance, invoices[0])["history"] == history
    listed = client.get("/api/v1/procurement-imports", headers=trust_finance["headers"]).json
    assert len(listed) == 1 and listed[0]["imported_by"].endswith(">")

    # A later export (another file) that says the same about our invoices changes nothing.
    later = imported(
        client,
        trust_finance,
        export(*(for_invoice(i, approval="Approved") for i in invoices), other_supplier(3)),
    )
    assert (later["already_imported"], later["changes"], later["matched"]) == (False, 0, 6)
    assert status(client, trust_finance, invoices[0])["history"] == history


def test_a_later_export_records_only_what_changed_hold_then_release_then_hold_again(
    client: Client, trust_finance: Who, invoices: list[Who]
) -> None:
    invoice = invoices[0]
    held = imported(
        client,
        trust_finance,
        export(
            for_invoice(invoice, hold="QTY REC"),
            for_invoice(invoice, hold="PRICE", hold_reason="Invoice price exceeds PO price"),
            *(for_invoice(i) for i in invoices[1:]),
        ),
    )
    assert held["changes"] == 1 + 2 + 5  # received and two holds; five received
    history = status(client, trust_finance, invoice)["history"]
    assert [(e["status"], e["hold_code"]) for e in history[-2:]] == [
        ("on_hold", "QTY REC"),
        ("on_hold", "PRICE"),
    ]
    released = imported(
        client,
        trust_finance,
        export(for_invoice(invoice, approval="Approved"), *(for_invoice(i) for i in invoices[1:])),
    )
    assert released["changes"] == 1
    back = imported(
        client,
        trust_finance,
        export(
            for_invoice(invoice, approval="Approved", hold="VENDOR"),
            *(for_invoice(i) for i in invoices[1:]),
        ),
    )
    assert back["changes"] == 1
    statuses = [
        (e["status"], e["hold_code"]) for e in status(client, trust_finance, invoice)["history"]
    ]
    assert statuses == [
        ("sent", None),
        ("received", None),
        ("on_hold", "QTY REC"),
        ("on_hold", "PRICE"),
        ("approved", None),
        ("on_hold", "VENDOR"),
    ]


def test_hold_owners_are_notified_through_the_outbox_once(
    app: Flask, client: Client, trust_finance: Who, invoices: list[Who]
) -> None:
    rows = [
        for_invoice(invoices[0], hold="QTY REC"),
        for_invoice(invoices[1], hold="PO NOT APPROVED"),
        for_invoice(invoices[2], hold="VENDOR"),
    ]
    imported(client, trust_finance, export(*rows))
    imported(client, trust_finance, export(*rows, other_supplier(1)))  # still held: nobody again
    outbox = client.get("/api/v1/outbox", headers=trust_finance["headers"]).json
    notices = sorted((m["invoice_id"], m["to"]) for m in outbox if m["recipient"] == "hold_notice")
    facilitator = [n for n in notices if n[0] == invoices[0]["id"]]
    assert len(facilitator) == 1 and facilitator[0][1].startswith("facilitator-")
    assert next(to for i, to in notices if i == invoices[1]["id"]).startswith("finance-")
    assert (invoices[2]["id"], "hall@example.org") in notices
    assert len(notices) == 3
    run = deliver_due(app.extensions["roomhire"], batch=100)
    assert run.sent == 3
    sent = app.extensions["roomhire"].notifier.path.read_text().splitlines()
    said = {n["email_address"][:5]: n["personalisation"] for n in map(json.loads, sent)}
    # Each notice speaks to the person who must act, never about them.
    assert said["facil"]["hold_code"] == "QTY REC"
    assert said["facil"]["what_it_means"].startswith("You need to confirm the sessions")
    assert said["hall@"]["what_it_means"].startswith("Your supplier record with the NHS")
    assert "please ask NHS procurement" in said["finan"]["what_it_means"]
    assert not any("facilitator" in s["what_it_means"] for s in said.values())


def test_the_same_invoice_paid_twice_and_amount_and_po_differences(
    client: Client, trust_finance: Who, invoices: list[Who]
) -> None:
    paid = {"approval": "Approved", "paid": "75.00", "payment_date": "15-JAN-2027"}
    twice, wrong_amount, wrong_po = invoices[:3]
    imported(
        client,
        trust_finance,
        export(
            for_invoice(twice, payment_number="7700001", **paid),
            for_invoice(twice, payment_number="7700002", **paid),
            for_invoice(wrong_amount, amount="57.00"),
            for_invoice(wrong_po, po=""),
        ),
    )
    found = problems(client, trust_finance)
    assert ("paid_twice", twice["id"]) in found
    assert ("amount_differs", wrong_amount["id"]) in found
    assert ("po_differs", wrong_po["id"]) in found
    assert ("po_differs", wrong_amount["id"]) not in found


def test_a_mis_keyed_number_matches_by_po_and_amount_and_waits_for_a_person(
    client: Client, trust_finance: Who, invoices: list[Who]
) -> None:
    """SMCH0003 keyed as SMCHO003 (letter O): matched by PO and amount among invoices the
    export doesn't mention otherwise, and flagged."""
    known = [for_invoice(i) for i in invoices if i is not invoices[2]]
    mis_keyed = for_invoice(invoices[2], number="smch o003", approval="Approved")
    imported(client, trust_finance, export(*known, mis_keyed))
    assert status(client, trust_finance, invoices[2])["state"]["status"] == "approved"
    assert ("unconfirmed_match", invoices[2]["id"]) in problems(client, trust_finance)
    confirm = f"/api/v1/reconciliation/{invoices[2]['id']}/confirm"
    assert client.post(confirm, headers=trust_finance["headers"]).status_code == 204
    assert ("unconfirmed_match", invoices[2]["id"]) not in problems(client, trust_finance)
    again = client.post(
        f"/api/v1/reconciliation/{invoices[0]['id']}/confirm", headers=trust_finance["headers"]
    )
    assert again.status_code == 422


def test_a_number_we_never_issued_and_a_lost_invoice_are_listed(
    client: Client, trust_finance: Who, invoices: list[Who], clock: FrozenClock
) -> None:
    stranger = ApRow("SMCH0099", "12.34", "RZZPO0000123")
    imported(client, trust_finance, export(*(for_invoice(i) for i in invoices[:5]), stranger))
    found = client.get("/api/v1/reconciliation", headers=trust_finance["headers"]).json
    unknown = [d for d in found if d["problem"] == "unknown_invoice"]
    assert [(d["line"], d["invoice_id"]) for d in unknown] == [(7, None)]
    assert "SMCH0099" in unknown[0]["detail"]
    assert ("lost", invoices[5]["id"]) not in problems(client, trust_finance)  # sent only today

    clock.advance(timedelta(days=15))
    imported(client, trust_finance, export(*(for_invoice(i) for i in invoices[:5])))
    assert ("lost", invoices[5]["id"]) in problems(client, trust_finance)


def test_spend_over_25k_confirms_a_payment(
    client: Client, trust_finance: Who, invoices: list[Who]
) -> None:
    data = (
        "Department family,Entity,Date,Expense type,Expense area,Supplier,Transaction number,"
        "Amount,Description\r\n"
        "Department of Health,Severnvale,30/01/2027,Room hire,MH,St Marks Community Hall CIC,"
        f"88123,75.00,Room hire {invoices[1]['number']}\r\n"
    ).encode()
    report = upload(client, trust_finance, data, "spend-over-25k")
    assert report.status_code == 201, report.json
    state = status(client, trust_finance, invoices[1])["state"]
    assert (state["status"], state["payment_number"]) == ("paid", "88123")


def table_checksum(database_url: str) -> str:
    """Every row of every table, in key order: equal checksums mean nothing changed."""
    engine = create_engine(database_url)
    digest = hashlib.sha256()
    with engine.connect() as conn:
        for table in sorted(inspect(conn).get_table_names()):
            rows = conn.execute(text(f'SELECT * FROM "{table}" ORDER BY 1')).all()
            digest.update(f"{table}:{sorted(map(repr, rows))}".encode())
    engine.dispose()
    return digest.hexdigest()


@pytest.mark.parametrize(
    ("broken", "line", "column"),
    [
        (lambda good: good.replace(b"Invoice Amount", b"Gross"), 1, "Invoice Amount"),
        (lambda good: good.replace(b",SMCH0002,", b',"SMCH0002,'), 3, None),
        (lambda good: good.replace(b",SMCH0002,", b',"' + b"x" * 200_000 + b'",'), 3, None),
        (lambda good: good.replace(b"RZZ SEVERNVALE", b"\x81\x8d SEVERNVALE", 1), 2, None),
        (lambda good: good.replace(b",SMCH0001,", b",SMCH0001,extra,"), 2, None),
    ],
    ids=["missing column", "unmatched quote", "200 KB field", "encoding", "field count"],
)
def test_a_malformed_file_is_refused_and_the_database_is_unchanged(
    client: Client,
    trust_finance: Who,
    invoices: list[Who],
    database_url: str,
    broken: Any,
    line: int,
    column: str | None,
) -> None:
    good = export(*(for_invoice(i, approval="Approved") for i in invoices))
    imported(client, trust_finance, export(*(for_invoice(i) for i in invoices)))
    before = table_checksum(database_url)
    response = upload(client, trust_finance, broken(good))
    assert response.status_code == 422, response.json
    problem = response.json
    assert problem["code"] == "export_refused" and problem["line"] == line
    assert f"Line {line}" in problem["detail"]
    if column:
        assert problem["column"] == column
    assert table_checksum(database_url) == before


def test_too_large_a_file_is_refused_whole(
    client: Client,
    trust_finance: Who,
    invoices: list[Who],
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = table_checksum(database_url)
    monkeypatch.setattr(csv_reader, "MAX_BYTES", 1000)
    response = upload(client, trust_finance, export(*(for_invoice(i) for i in invoices * 3)))
    assert response.status_code == 422 and "the limit is 1,000" in response.json["detail"]
    assert table_checksum(database_url) == before


def test_a_failure_half_way_through_an_import_stores_nothing(
    app: Flask,
    trust_finance: Who,
    invoices: list[Who],
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from adapters.db.repositories.reconciliation import ReconciliationRepository
    from service.usecases.reconciliation import import_finance_export

    ctx: Context = app.extensions["roomhire"]
    before = table_checksum(database_url)

    def crash(*_: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(ReconciliationRepository, "add_findings", crash)
    actor = ctx.new_uow()
    with actor:
        user = actor.users.get(trust_finance["id"])
    assert user is not None
    with pytest.raises(RuntimeError):
        import_finance_export(
            ctx,
            ctx.new_uow(),
            user,
            export(*(for_invoice(i) for i in invoices)),
            "x.csv",
            "sbs-oracle-ap",
        )
    assert table_checksum(database_url) == before


def test_an_import_pauses_the_cycle_collector_and_resumes_it_as_it_was(
    app: Flask, trust_finance: Who, invoices: list[Who], monkeypatch: pytest.MonkeyPatch
) -> None:
    from adapters.db.repositories.reconciliation import ReconciliationRepository
    from service.usecases.reconciliation import import_finance_export

    ctx: Context = app.extensions["roomhire"]
    with ctx.new_uow() as uow:
        user = uow.users.get(trust_finance["id"])
    assert user is not None
    storing = ReconciliationRepository.add_events
    collecting: list[bool] = []

    def add_events(repository: ReconciliationRepository, events: Any) -> None:
        collecting.append(gc.isenabled())
        storing(repository, events)

    def crash(*_: object) -> None:
        raise RuntimeError("disk full")

    def run(approval: str) -> None:
        data = export(*(for_invoice(i, approval=approval) for i in invoices))
        import_finance_export(ctx, ctx.new_uow(), user, data, f"{approval}.csv", "sbs-oracle-ap")

    monkeypatch.setattr(ReconciliationRepository, "add_events", add_events)
    assert gc.isenabled()
    run("Required")
    assert collecting == [False] and gc.isenabled()
    gc.disable()  # as someone else may have
    try:
        run("Approved")
        assert not gc.isenabled()
    finally:
        gc.enable()
    monkeypatch.setattr(ReconciliationRepository, "add_findings", crash)
    with pytest.raises(RuntimeError):
        run("Rejected")
    assert collecting == [False, False, False] and gc.isenabled()


def test_bad_values_in_our_rows_are_reported_with_line_and_column(
    client: Client, trust_finance: Who, invoices: list[Who]
) -> None:
    report = imported(
        client,
        trust_finance,
        export(
            for_invoice(invoices[0], amount="75,00.0x"),
            for_invoice(invoices[1], currency="EUR"),
            for_invoice(invoices[2]),
        ),
    )
    assert (report["errors"], report["matched"]) == (2, 1)
    detail = client.get(
        f"/api/v1/procurement-imports/{report['id']}", headers=trust_finance["headers"]
    ).json
    assert [(e["line"], e["column"]) for e in detail["row_errors"]] == [
        (2, "Invoice Amount"),
        (3, "Currency"),
    ]


def test_wrong_requests_get_problems_not_500s(
    client: Client, staff: Staff, trust_finance: Who, invoices: list[Who]
) -> None:
    no_file = client.post(
        "/api/v1/procurement-imports",
        data={"profile": "sbs-oracle-ap"},
        headers=trust_finance["headers"],
        content_type="multipart/form-data",
    )
    assert no_file.status_code == 422 and "file" in no_file.json["errors"]["files"]
    unknown = upload(client, trust_finance, export(), profile="oracle")
    assert unknown.status_code == 422 and "sbs-oracle-ap" in unknown.json["detail"]
    facilitator = staff.user(Role.FACILITATOR)
    assert upload(client, facilitator, export()).status_code == 403
    for path in ("/api/v1/reconciliation", "/api/v1/reports/payment-performance"):
        assert client.get(path, headers=facilitator["headers"]).status_code == 403
    empty = upload(client, trust_finance, b"")
    assert empty.status_code == 422 and empty.json["code"] == "export_refused"


def test_payment_performance_by_trust_and_venue_with_a_formula_safe_csv(
    client: Client,
    staff: Staff,
    trust_finance: Who,
    invoices: list[Who],
    trust: Who,
    database_url: str,
    tmp_path: Path,
) -> None:
    on_time = {"approval": "Approved", "paid": "75.00", "payment_number": "1"}
    imported(
        client,
        trust_finance,
        export(
            for_invoice(invoices[0], payment_date="20-JAN-2027", **on_time),  # 16 days
            for_invoice(invoices[1], payment_date="20-FEB-2027", **on_time),  # 47 days
            for_invoice(invoices[2]),
        ),
    )
    report = client.get(
        "/api/v1/reports/payment-performance", headers=trust_finance["headers"]
    ).json
    by_trust = next(r for r in report if r["scope"] == "trust")
    assert by_trust["bppc"] == {
        "paid": 2,
        "paid_within_30_days": 1,
        "paid_pence": 15000,
        "paid_within_30_days_pence": 7500,
        "percent_by_count": "50.0",
        "percent_by_value": "50.0",
        "meets_target": False,
    }
    assert [b["count"] for b in by_trust["aged_unpaid"]] == [4, 0, 0, 0]
    venue = next(r for r in report if r["scope"] == "venue")
    assert venue["name"] == "St Mark's Community Hall CIC"

    assert (by_trust["financial_year"], by_trust["month"]) == ("2026-27", None)
    february = next(r for r in report if r["scope"] == "trust-month" and r["month"] == "2027-02")
    assert (february["bppc"]["paid"], february["bppc"]["paid_within_30_days"]) == (1, 0)
    assert february["aged_unpaid"] == []

    response = client.get(
        "/api/v1/reports/payment-performance.csv?year=2026", headers=trust_finance["headers"]
    )
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "payment-performance-2026-27.csv" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0][:6] == ["scope", "id", "name", "financial year", "month", "paid"]
    assert rows[1][:10] == [
        "trust",
        str(trust["id"]),
        "Severnvale MH Trust",
        "2026-27",
        "",
        "2",
        "1",
        "50.0",
        "50.0",
        "no",
    ]
    # The command line writes the same spreadsheet (its "today" is the real one, so the aged
    # columns may differ from the test clock's, and its year is given).
    env = {"ROOMHIRE_DATABASE_URL": database_url}
    cli = roomhire(tmp_path, "reports", "payment-performance", "--year", "2026-27", **env)
    assert cli.returncode == 0, cli.stderr
    assert [row[:10] for row in csv.reader(io.StringIO(cli.stdout))] == [r[:10] for r in rows]
    refused = roomhire(tmp_path, "reports", "payment-performance", "--year", "x", **env)
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert "Choose a financial year from 2000 to 2099" in refused.stderr


@pytest.mark.parametrize("year", ["abc", "1800", "2026-28", ""])
@pytest.mark.parametrize("ending", ["", ".csv", ".xlsx"])
def test_a_year_that_is_not_a_financial_year_is_a_bad_request(
    client: Client, trust_finance: Who, year: str, ending: str
) -> None:
    path = f"/api/v1/reports/payment-performance{ending}?year={year}"
    response = client.get(path, headers=trust_finance["headers"])
    assert response.status_code == 400, response.text
    assert response.mimetype == "application/problem+json"
    assert response.json["code"] == "bad_request"
    assert response.json["detail"] == "Some of the query string is invalid; see errors."
    [said] = response.json["errors"]["query"]["year"]
    assert said.startswith("Choose a financial year from 2000 to 2099")


def test_an_earlier_year_has_nothing_paid_in_it(
    client: Client, trust_finance: Who, invoices: list[Who]
) -> None:
    imported(client, trust_finance, export(*(for_invoice(i) for i in invoices)))
    report = client.get(
        "/api/v1/reports/payment-performance?year=2025", headers=trust_finance["headers"]
    ).json
    assert {r["financial_year"] for r in report} == {"2025-26"}
    assert {r["scope"] for r in report} == {"trust", "venue"}  # no month rows: none paid
    assert all(r["bppc"]["paid"] == 0 for r in report)


@pytest.mark.parametrize("danger", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(danger: str) -> None:
    name = f'{danger}HYPERLINK("http://evil.invalid")'
    report = [Performance("venue", 1, name, Bppc(), (), FinancialYear(2026))]
    [_, row] = list(csv.reader(io.StringIO(as_csv(table(report)))))
    assert row[2] == "'" + name
    assert safe_cell("St Mark's") == "St Mark's"


def test_the_cli_imports_with_a_json_report_and_refuses_with_line_and_column(
    invoices: list[Who], database_url: str, tmp_path: Path
) -> None:
    good = tmp_path / "ap.csv"
    good.write_bytes(export(*(for_invoice(i, approval="Approved") for i in invoices)))
    env = {"ROOMHIRE_DATABASE_URL": database_url}
    first = roomhire(tmp_path, "exports", "import", str(good), "--json", **env)
    assert first.returncode == 0, first.stderr
    report = json.loads(first.stdout)
    assert (report["matched"], report["already_imported"], report["filename"]) == (
        6,
        False,
        "ap.csv",
    )
    assert first.stderr == ""  # no progress bar when nobody watches a terminal
    again = roomhire(tmp_path, "exports", "import", str(good), "--profile", "sbs-oracle-ap", **env)
    assert again.returncode == 0 and "Already imported" in again.stdout

    broken = tmp_path / "broken.csv"
    broken.write_bytes(good.read_bytes().replace(b"Currency", b"Money"))
    refused = roomhire(tmp_path, "exports", "import", str(broken), **env)
    assert refused.returncode == 1
    assert "Line 1: required column Currency is missing" in refused.stderr
    assert "Traceback" not in refused.stderr
    as_json = roomhire(tmp_path, "exports", "import", str(broken), "--json", **env)
    assert json.loads(as_json.stdout) == {
        "refused": "Line 1: required column Currency is missing.",
        "line": 1,
        "column": "Currency",
    }
    bad_values = tmp_path / "values.csv"
    bad_values.write_bytes(export(for_invoice(invoices[0], amount="lots")))
    partly = roomhire(tmp_path, "exports", "import", str(bad_values), **env)
    assert "line 2, column Invoice Amount: 'lots'" in partly.stderr


def test_the_api_takes_profile_names_not_paths(
    client: Client, trust_finance: Who, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.toml"
    secret.write_text("[columns]\namount = 'A'\n")
    for profile in (str(secret), "../../etc/passwd", "sbs-oracle-ap/../x"):
        response = upload(client, trust_finance, export(), profile=profile)
        assert response.status_code == 422, profile
        assert "profile" in response.json["errors"]["files"]  # the multipart form


def test_a_credit_memo_matches_our_credit_note_with_its_negative_amount(
    client: Client, trust_finance: Who, waived_credit_note: tuple[Who, dict[str, Who]]
) -> None:
    note, _ = waived_credit_note
    imported(client, trust_finance, export(for_invoice(note, approval="Approved")))
    assert note["gross_pence"] == -7500
    assert status(client, trust_finance, note)["state"]["status"] == "approved"
    assert not [p for p in problems(client, trust_finance) if p[1] == note["id"]]


def test_the_discrepancies_come_a_page_at_a_time(
    client: Client, trust_finance: Who, venue_room: Who
) -> None:
    strangers = [ApRow(f"SMCH9{n:03d}", "12.34", "RZZPO0000123") for n in range(7)]
    imported(client, trust_finance, export(*strangers))
    first = client.get("/api/v1/reconciliation?page_size=5", headers=trust_finance["headers"])
    assert len(first.json) == 5
    assert json.loads(first.headers["X-Pagination"])["total"] == 7
    rest = client.get("/api/v1/reconciliation?page_size=5&page=2", headers=trust_finance["headers"])
    assert len(rest.json) == 2
    everything = {d["detail"] for d in first.json + rest.json}
    assert len(everything) == 7
    too_big = client.get("/api/v1/reconciliation?page_size=5000", headers=trust_finance["headers"])
    assert too_big.status_code == 422

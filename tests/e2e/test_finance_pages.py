"""Finance's pages through the Flask client: the work-to-do numbers, the invoice list and
page, the invoice run (preview, then exactly what was previewed), roles, CSRF and bad input."""

from __future__ import annotations

import io
import re
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from openpyxl import load_workbook

from service.domain.users import Role, User
from service.usecases.finance_overview import work_to_do
from service.usecases.reports import payment_performance
from tests.client import Client
from tests.conftest import Staff, book_tuesdays, issue
from tests.e2e.finance_month import BOUNCE, Month, after_issue, book_the_month
from tests.e2e.staff import csrf_token, person, sign_in_as, text
from tests.fakes import FrozenClock

Who = dict[str, Any]
THROUGH = {"through[day]": "31", "through[month]": "12", "through[year]": "2026"}
PREVIEW = (
    "/finance/invoice-runs/new?through%5Bday%5D=31&through%5Bmonth%5D=12&through%5Byear%5D=2026"
)


@pytest.fixture
def month(staff: Staff, clock: FrozenClock) -> Month:
    return book_the_month(staff, clock)


def user(app: Flask, who: Who) -> User:
    with app.extensions["roomhire"].new_reader() as reader:
        found: User | None = reader.users.get(who["id"])
    assert found is not None
    return found


def signed_in(app: Flask, client: Client, month: Month, role: Role = Role.FINANCE) -> Who:
    ctx = app.extensions["roomhire"]
    who = person(ctx, role, month.trust["id"])
    sign_in_as(client, ctx, who)
    return who


def test_work_to_do_counts_what_needs_finance(app: Flask, staff: Staff, month: Month) -> None:
    report = issue(staff.client, month.finance, "2026-12-31")
    invoices = report["issued"]
    assert len(invoices) == 6 and len(report["refused"]) == 1  # the booking with no PO
    after_issue(app, staff, month, invoices)
    ctx = app.extensions["roomhire"]
    work = work_to_do(ctx, ctx.new_reader(), user(app, month.finance))
    assert [(w.series.id, w.from_date.isoformat()) for w in work.without_po] == [
        (month.without_po["id"], "2026-12-03")
    ]
    assert work.sessions_to_invoice == 0  # the no-PO sessions can't be, and count above
    assert (work.not_emailed, work.email_failed, work.to_confirm) == (3, 1, 1)
    assert work.holds == {"QTY REC": 1}
    assert [(r.po.number, r.committed_pence) for r in work.running_out] == [
        ("RZZPO0000123", 45000)  # 90% of £500
    ]
    assert work.money.invoiced_pence == 45000
    assert work.money.paid_pence == 7500
    assert work.money.outstanding_pence == 37500
    assert work.money.aged == (37500, 0, 0, 0)  # issued today
    assert work.lost == 0  # the one emailed is in the export
    # the payment-performance report owes the same, the never-emailed invoices included
    found = payment_performance(ctx, ctx.new_reader(), user(app, month.finance))
    trusts = [r.aged for r in found.rows if r.scope == "trust"]
    assert tuple(sum(bands[n].pence for bands in trusts) for n in range(4)) == work.money.aged


def test_sessions_ready_to_invoice_and_a_po_ending_with_sessions_after(
    app: Flask, staff: Staff, month: Month, clock: FrozenClock
) -> None:
    """A £5,000 PO ending 31 December with sessions booked after it: running out by date."""
    clock.current = month_start = clock.current.replace(year=2026, month=11, day=20)
    po = staff.purchase_order(
        month.trust["id"],
        month.venue["id"],
        month.finance,
        number="RZZPO0000999",
        approved_value_pence=500_000,
        valid_to="2026-12-31",
    )
    book_tuesdays(
        staff, month.facilitator, month.room, po, start_time="17:00", end_time="18:00", sessions=8
    )
    clock.current = month_start.replace(month=12, day=9)  # 24 Nov, 1 and 8 Dec held
    ctx = app.extensions["roomhire"]
    work = work_to_do(ctx, ctx.new_reader(), user(app, month.finance))
    ending = [r for r in work.running_out if r.po.number == "RZZPO0000999"]
    assert len(ending) == 1 and ending[0].sessions_after_end
    assert work.sessions_to_invoice == 3 + 1  # per session: 24 Nov, 1 and 8 Dec; monthly: Nov


def test_the_pages_show_the_numbers_lists_and_one_invoice(
    app: Flask, client: Client, staff: Staff, month: Month
) -> None:
    invoices = issue(staff.client, month.finance, "2026-12-31")["issued"]
    after_issue(app, staff, month, invoices)
    signed_in(app, client, month)
    work = text(client.get("/finance").text)
    assert "Bookings with sessions no purchase order covers 1 booking" in work
    assert "Invoices not sent yet 3 invoices" in work
    assert "Invoices that failed to send 1 invoice" in work
    assert "Matches waiting for you to confirm 1 invoice" in work
    assert "QTY REC : The NHS team hasn't confirmed the sessions" in work
    assert "Invoiced this month £450.00" in work and "Outstanding £375.00" in work
    assert "Thursday morning group" in work and "RZZPO0000123" in work
    assert "QTY REC : The NHS team hasn't confirmed the sessions" in work
    assert "Who must act The booking's facilitator Invoices 1 invoice on hold for QTY REC" in work
    assert "0 to 30 days £375.00 31 to 60 days £0.00" in work

    def numbers(query: str) -> list[str]:
        page = client.get(f"/finance/invoices{query}")
        assert page.status_code == 200, query
        return re.findall(r">(SMCH\d{4})</a>", page.text)

    assert numbers("") == [f"SMCH{n:04d}" for n in range(6, 0, -1)]  # newest first
    assert numbers("?status=not_emailed") == ["SMCH0006", "SMCH0005", "SMCH0004"]
    assert numbers("?status=email_failed") == ["SMCH0003"]
    assert numbers("?status=on_hold&hold=QTY+REC") == ["SMCH0001"]
    assert numbers("?status=paid") == ["SMCH0002"]
    assert numbers("?status=to_confirm") == ["SMCH0004"]
    assert numbers(f"?venue={month.venue['id']}&status=") == numbers("")
    assert numbers(f"?trust={month.trust['id']}") == numbers("")
    issued = "from%5Bday%5D=4&from%5Bmonth%5D=1&from%5Byear%5D=2027"
    assert numbers(f"?{issued}&to%5Bday%5D=4&to%5Bmonth%5D=1&to%5Byear%5D=2027") == numbers("")
    assert numbers("?from%5Bday%5D=5&from%5Bmonth%5D=1&from%5Byear%5D=2027") == []
    assert numbers("?page=2") == []  # one page of six

    listed = client.get("/finance/invoices?status=not_emailed").text
    assert 'href="/finance/invoices.xlsx?status=not_emailed"' in listed
    workbook = client.get("/finance/invoices.xlsx?status=not_emailed")
    assert (
        workbook.status_code == 200
        and 'filename="invoices.xlsx"' in workbook.headers["Content-Disposition"]
    )
    sheet = load_workbook(io.BytesIO(workbook.data)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == ["SMCH0006", "SMCH0005", "SMCH0004"]
    assert sum(Decimal(str(r[9])) for r in rows) == 225  # the total column: 3 x £75
    as_csv = client.get(f"/finance/invoices.csv?venue={month.venue['id']}").text.splitlines()
    assert len(as_csv) == 7 and as_csv[0].startswith("number,kind,venue,trust,")
    wrong = client.get("/finance/invoices.csv?venue=x")
    assert wrong.status_code == 400 and "Select a venue from the list" in wrong.text
    backwards = f"{issued.replace('=4', '=5', 1)}&to%5Bday%5D=4&to%5Bmonth%5D=1&to%5Byear%5D=2027"
    refused = client.get(f"/finance/invoices.xlsx?{backwards}")
    assert (
        refused.status_code == 400
        and "The first date must be on or before the last" in refused.text
    )

    failed = client.get(f"/finance/invoices/{invoices[2]['id']}").text
    assert "SMCH0003" in failed
    assert BOUNCE.split(":")[0] in text(failed)  # the server's reply
    assert "3 h" in text(failed)  # each line: duration, rate, VAT wording
    assert "£25.00 an hour" in text(failed) and "Exempt" in text(failed)
    held = text(client.get(f"/finance/invoices/{invoices[0]['id']}").text)
    assert "Sent" in held and "On hold" in held and "QTY REC" in held
    pdf = client.get(f"/finance/invoices/{invoices[0]['id']}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")


def test_the_invoice_run_issues_exactly_the_preview(
    app: Flask, client: Client, month: Month, staff: Staff
) -> None:
    signed_in(app, client, month)
    preview = client.get(PREVIEW)
    assert preview.status_code == 200
    words = text(preview.text)
    assert "6 invoices to issue" in words and "1 that can't be issued" in words
    assert "have no purchase order" in words
    fingerprint = re.search(r'name="fingerprint" value="([0-9a-f]{64})"', preview.text)
    assert fingerprint
    token = csrf_token(client, PREVIEW)
    form = {"csrf_token": token, "fingerprint": fingerprint.group(1), **THROUGH, "venue": ""}

    meanwhile = issue(staff.client, month.finance, "2026-12-08")["issued"]  # someone else
    numbers = [i["number"] for i in meanwhile]
    assert numbers == ["SMCH0001", "SMCH0002", "SMCH0003"]  # the preview drew no number
    changed = client.post("/finance/invoice-runs", data=form)
    assert changed.status_code == 409
    assert "Something changed since your preview" in changed.text
    assert "3 invoices to issue" in text(changed.text)  # 24 Nov, 1 and 8 Dec were issued
    again = re.search(r'name="fingerprint" value="([0-9a-f]{64})"', changed.text)
    assert again

    done = client.post(
        "/finance/invoice-runs", data={**form, "fingerprint": again.group(1), "send": "yes"}
    )
    assert done.status_code == 302 and done.location.startswith("/finance/invoices")
    listed = client.get(done.location).text
    assert "Issued 3 invoices and queued to be sent." in listed
    unsent = client.get("/finance/invoices?status=not_emailed").text
    assert "3 invoices" in text(unsent)  # the three issued meanwhile; these three are queued
    nothing = client.get(PREVIEW)
    assert "0 invoices to issue" in text(nothing.text)
    assert 'name="fingerprint"' not in nothing.text


def test_bad_query_strings_and_form_values_get_words_not_500s(
    app: Flask, client: Client, month: Month
) -> None:
    signed_in(app, client, month)
    for query, words in (
        ("/finance/invoices?status=sent", "Select a status from the list"),
        ("/finance/invoices?trust=x", "Select a trust from the list"),
        ("/finance/invoices?from%5Bday%5D=31&from%5Bmonth%5D=2&from%5Byear%5D=2027", "real date"),
        (
            "/finance/invoices?from%5Bday%5D=2&from%5Bmonth%5D=1&from%5Byear%5D=2027"
            "&to%5Bday%5D=1&to%5Bmonth%5D=1&to%5Byear%5D=2027",
            "The first date must be on or before the last",
        ),
        ("/finance/invoices?page=0", "The page must be a whole number from 1"),
        ("/finance/invoices?page=x", "The page must be a whole number from 1"),
        ("/finance/invoices?page=%C2%B2", "The page must be a whole number from 1"),  # '²'
        ("/finance/invoices?venue=x", "Select a venue from the list"),
        ("/finance/invoices?venue=99999", "Select a venue from the list"),
        (f"/finance/invoices?hold={'X' * 41}", "A hold code is at most 40 characters"),
        ("/finance/invoice-runs/new?through%5Bday%5D=31&through%5Bmonth%5D=2", "must be a real"),
        ("/finance/invoice-runs/new?through%5Bday%5D=&through%5Byear%5D=", "Enter the date"),
        (PREVIEW + "&venue=abc", "Select a venue from the list"),
    ):
        response = client.get(query)
        assert response.status_code == 400, query
        assert words in response.text, query
    assert client.get("/finance/invoices/99999").status_code == 404
    assert client.get("/finance/invoices/99999.pdf").status_code == 404
    assert client.get("/finance/invoices/99999999999").status_code == 404
    token = csrf_token(client, PREVIEW)
    for form in (
        {**THROUGH, "fingerprint": "nope"},
        {**THROUGH, "fingerprint": "0" * 64, "through[month]": "13"},
        {"fingerprint": "0" * 64},
    ):
        response = client.post("/finance/invoice-runs", data={"csrf_token": token, **form})
        assert response.status_code == 400, form
        assert "There is a problem" in response.text
    no_token = client.post("/finance/invoice-runs", data={**THROUGH, "fingerprint": "0" * 64})
    assert no_token.status_code == 400 and "The form could not be sent" in no_token.text


def test_finance_pages_refuse_a_facilitator_and_serve_an_admin(
    app: Flask, client: Client, staff: Staff, month: Month
) -> None:
    invoices = issue(staff.client, month.finance, "2026-12-31")["issued"]
    pages = (
        "/finance",
        "/finance/invoices",
        f"/finance/invoices/{invoices[0]['id']}",
        f"/finance/invoices/{invoices[0]['id']}.pdf",
        "/finance/invoice-runs/new",
        PREVIEW,
    )
    ctx = app.extensions["roomhire"]
    facilitator = person(ctx, Role.FACILITATOR, month.trust["id"])
    sign_in_as(client, ctx, facilitator)
    for path in pages:
        response = client.get(path)
        assert response.status_code == 403 and "You cannot use this page" in response.text, path
    token = csrf_token(client, "/account")
    refused = client.post(
        "/finance/invoice-runs", data={"csrf_token": token, **THROUGH, "fingerprint": "0" * 64}
    )
    assert refused.status_code == 403
    signed_in(app, client, month, Role.ADMIN)
    for path in pages:
        assert client.get(path).status_code == 200, path
    assert "Work to do" in client.get("/finance").text

"""Finance's reconciliation and payment-performance pages in real headless Chromium (Debian's
`chromium`, Playwright) without JavaScript: the discrepancies after an export, confirm a
match, resolve one with a note (a blank note first), then the payment-performance report with
its charts loaded as images, a financial year chosen, both downloads, and a year that isn't
one refused. axe-core checks every page; screenshots at 375 and 1280 px into
test-output/finance-reconciliation/."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from service.usecases.outbox_worker import deliver_due
from tests.conftest import issue
from tests.e2e.exports import ApRow, export, for_invoice, imported
from tests.e2e.finance_month import Month, book_the_month
from tests.e2e.journeys import Site, email_of, heading, live_site, signed_in_page

pytestmark = pytest.mark.slow  # pages in real Chromium under a live server

NOTE = "Accounts payable corrected the amount to £75.00 on 6 January."


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with live_site(tmp_path_factory, "finance-reconciliation") as site:
        yield site


def exported(site: Site, month: Month) -> list[Any]:
    """December's six invoices emailed, then an export: SMCH0001 paid in time, SMCH0002's
    amount keyed as £57.00, SMCH0003 keyed SMCHO003 (matched by PO and amount), the rest as
    issued, and a number we never issued."""
    client, finance = site.staff.client, month.finance
    invoices = issue(client, finance, "2026-12-31")["issued"]
    for invoice in invoices:
        client.post(f"/api/v1/invoices/{invoice['id']}/send", headers=finance["headers"])
    deliver_due(site.app.extensions["roomhire"], batch=100)
    paid = {"approval": "Approved", "paid": "75.00", "payment_date": "20-JAN-2027"}
    imported(
        client,
        finance,
        export(
            for_invoice(invoices[0], payment_number="7713388", **paid),
            for_invoice(invoices[1], amount="57.00"),
            for_invoice(invoices[2], number="smch o003", approval="Approved"),
            *(for_invoice(i) for i in invoices[3:]),
            ApRow("SMCH0099", "12.34", "RZZPO0000123"),
        ),
    )
    return list(invoices)


def test_reconcile_then_report_as_finance_would(site: Site, browser: Any) -> None:
    month = book_the_month(site.staff, site.clock)
    exported(site, month)
    page, check = signed_in_page(
        site, browser, month.finance["id"], "reconciliation", accept_downloads=True
    )

    page.get_by_role("link", name="Reconciliation").first.click()
    assert heading(page) == "Reconciliation"
    assert page.get_by_role("heading", name="3 discrepancies to look at").is_visible()
    assert page.get_by_role("heading", name="Amount differs (1)").is_visible()
    check("discrepancies")

    page.get_by_role("button", name="Confirm this match of SMCH0003").click()
    assert heading(page) == "Reconciliation"
    assert (
        "Confirmed that the export's row is invoice SMCH0003."
        in page.locator(".nhsuk-notification-banner").inner_text()
    )
    assert page.get_by_role("heading", name="2 discrepancies to look at").is_visible()
    check("match-confirmed")

    page.get_by_role("link", name="Mark as resolved SMCH0002 (Amount differs)").click()
    assert heading(page) == "Mark as resolved"
    check("resolve-form")
    page.get_by_role("button", name="Mark as resolved").click()
    summary = page.locator(".nhsuk-error-summary").inner_text()
    assert "Enter a note of what you found or did" in summary
    check.posted("resolve-blank-note")
    page.get_by_label("What did you find or do?").fill(NOTE)
    page.get_by_role("button", name="Mark as resolved").click()
    assert heading(page) == "Reconciliation"
    assert page.get_by_role("heading", name="1 discrepancy to look at").is_visible()
    resolved = page.get_by_role("table", name="Resolved recently, newest first").inner_text()
    assert "SMCH0002" in resolved and NOTE in resolved
    assert email_of(site, month.finance["id"]) in resolved
    check("resolved")

    page.get_by_role("link", name="Payment performance").first.click()
    assert heading(page) == "Payment performance"
    charts = page.get_by_role("img", name=re.compile("^Bar chart of the share of invoices"))
    assert charts.count() == 2
    for n in range(2):
        chart = charts.nth(n)
        answer = page.request.get(site.base + str(chart.get_attribute("src")))
        assert answer.status == 200 and answer.headers["content-type"].startswith("image/svg+xml")
        assert chart.evaluate("img => img.complete && img.naturalWidth > 0")
    table = page.get_by_role("table", name="Paid within 30 days, by venue").inner_text()
    assert "St Mark's Community Hall CIC" in table and "100.0%" in table
    check("payment-performance")

    assert page.get_by_label("Financial year").input_value() == "2026"  # the current one
    page.get_by_label("Financial year").select_option("2026")
    page.get_by_role("button", name="Show the year").click()
    assert page.url.endswith("/finance/reports/payment-performance?year=2026")
    assert page.get_by_role("heading", name="Paid within 30 days, 2026-27").is_visible()
    months = page.get_by_role("table", name=re.compile("^Paid within 30 days by month, ")).first
    assert "January 2027" in months.inner_text() and "March 2027" in months.inner_text()
    check("payment-performance-2026-27")

    with page.expect_download() as workbook:
        page.get_by_role("link", name="Download as an Excel workbook (.xlsx)").click()
    sheet = load_workbook(io.BytesIO(Path(workbook.value.path()).read_bytes())).active
    assert sheet is not None and [c.value for c in sheet[1]][:4] == [
        "scope",
        "id",
        "name",
        "financial year",
    ]
    assert workbook.value.suggested_filename == "payment-performance-2026-27.xlsx"
    with page.expect_download() as csv:
        page.get_by_role("link", name="Download as a CSV file").click()
    assert Path(csv.value.path()).read_text().startswith("scope,id,name,financial year,month,")

    page.goto(site.base + "/finance/reports/payment-performance?year=abc")
    assert heading(page) == "Payment performance"
    summary = page.locator(".nhsuk-error-summary").inner_text()
    assert "Select a financial year from the list" in summary
    check("payment-performance-not-a-year")
    page.context.close()

"""Finance's month end in real headless Chromium (Debian's `chromium`, Playwright) against the
app served on 127.0.0.1, without JavaScript: sign in, see the work to do, preview and issue
December's invoices (emailing them), then, after an export, follow the counts to the failed
email and the invoice's page, import the next export through the file input, and send the
failed email again. axe-core checks every page; screenshots at 375 and 1280 px."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from service.domain.users import Role
from tests.conftest import book_tuesdays, issue
from tests.e2e.exports import export, for_invoice
from tests.e2e.finance_month import BOUNCE, Month, after_issue, book_the_month
from tests.e2e.journeys import Checked, Site, heading, live_site, sign_in

pytestmark = pytest.mark.slow  # pages in real Chromium under a live server


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with live_site(tmp_path_factory, "finance-pages") as site:
        yield site


def test_month_end_as_finance_would_do_it(site: Site, browser: Any) -> None:
    month: Month = book_the_month(site.staff, site.clock)
    ctx = site.app.extensions["roomhire"]
    with ctx.new_reader() as reader:
        email = reader.users.get(month.finance["id"]).email
    page = browser.new_context(java_script_enabled=False).new_page()
    page.set_default_timeout(10_000)  # a missing element fails in seconds, not minutes
    check = Checked(site, page, "month-end")
    sign_in(site, page, email)
    assert heading(page) == "Work to do"
    needs = page.locator(".nhsuk-summary-list").first.inner_text()
    assert "6 sessions" in needs and "1 booking" in needs
    check("work-to-do-before-the-run")

    page.get_by_role("link", name="Issue invoices for the sessions ready to invoice").click()
    assert heading(page) == "Issue invoices"
    page.get_by_label("Day").fill("31")
    page.get_by_label("Month").fill("12")
    page.get_by_label("Year").fill("2026")
    page.get_by_role("button", name="Preview the invoices").click()
    assert page.get_by_role("heading", name="6 invoices to issue").is_visible()
    assert (
        "have no purchase order"
        in page.get_by_role("listitem").filter(has_text="no purchase order").inner_text()
    )
    check("invoice-run-preview")
    page.get_by_label("Email them to the trusts' accounts payable straight away").check()
    page.get_by_role("button", name="Issue 6 invoices").click()
    assert heading(page) == "Invoices"
    assert "Issued 6 invoices and queued to be emailed." in page.content()
    check("invoices-after-the-run")

    listed = site.staff.client.get("/api/v1/invoices", headers=month.finance["headers"]).json
    after_issue(site.app, site.staff, month, sorted(listed, key=lambda i: i["number"]))
    page.get_by_role("link", name="Work to do").first.click()
    assert "1 invoice" in page.locator(".nhsuk-summary-list").first.inner_text()
    check("work-to-do-after-the-export")

    page.get_by_role("link", name="See the list of invoices whose email failed").click()
    assert page.get_by_role("heading", name="1 invoice").is_visible()
    page.get_by_role("link", name="SMCH0003").click()
    assert heading(page) == "SMCH0003"
    assert BOUNCE in page.content().replace("&lt;", "<").replace("&gt;", ">")
    check("invoice-with-failed-email")
    pdf = page.request.get(
        site.base
        + str(page.get_by_role("link", name=re.compile("^Open the PDF")).get_attribute("href"))
    )
    assert pdf.headers["content-type"] == "application/pdf" and pdf.body().startswith(b"%PDF")

    page.goto(site.base + "/finance/invoices?status=on_hold&hold=QTY+REC")
    page.get_by_role("link", name="SMCH0001").click()
    assert "The NHS team hasn't confirmed the sessions" in page.content().replace("&#39;", "'")
    check("invoice-on-hold")

    page.goto(site.base + "/finance/invoices?status=sent")
    assert page.get_by_role("link", name="Select a status from the list").is_visible()
    check("invoices-bad-filter")

    by_number = {i["number"]: i for i in listed}
    january = site.shots.parent / "january-ap-report.csv"
    january.write_bytes(
        export(
            for_invoice(by_number["SMCH0005"], approval="Approved"),
            for_invoice(by_number["SMCH0006"], payment_date="31-FEB-2027"),  # a row error
        )
    )
    page.get_by_role("link", name="Imports").first.click()
    assert heading(page) == "Imports"
    page.get_by_label("Kind of export").select_option("sbs-oracle-ap")
    page.get_by_label("Export file").set_input_files(str(january))
    page.get_by_role("button", name="Import the export").click()
    assert heading(page) == "Import of january-ap-report.csv"
    result = page.locator(".nhsuk-summary-list").inner_text()
    assert "Rows read\n2" in result or "Rows read\t2" in result, result
    assert "Imported january-ap-report.csv." in page.content()
    assert page.get_by_role("cell", name=re.compile("Payment Date")).count() == 1
    check("import-result")
    page.get_by_role("link", name="Import another export, or see the imports so far").click()
    assert page.get_by_role("link", name="january-ap-report.csv").is_visible()
    check("imports-so-far")

    january.write_bytes(b"Supplier Number,Invoice Number\r\n220871,SMCH0005\r\n")
    page.get_by_label("Kind of export").select_option("sbs-oracle-ap")
    page.get_by_label("Export file").set_input_files(str(january))
    page.get_by_role("button", name="Import the export").click()
    refused = page.locator(".nhsuk-error-summary").inner_text()
    assert "Nothing was imported and nothing changed" in refused, refused
    check.posted("import-refused")

    page.get_by_role("link", name="Work to do").first.click()
    page.get_by_role("link", name="Send again the emails that failed").click()
    assert heading(page) == "Emails that failed"
    assert BOUNCE in page.content().replace("&lt;", "<").replace("&gt;", ">")
    check("emails-that-failed")
    page.get_by_role(
        "button", name=re.compile("^Try again to send the email to .*SMCH0003")
    ).click()
    assert heading(page) == "Emails that failed"
    assert "is back in the queue and will be sent again shortly" in page.content()
    assert "No email has failed." in page.content()
    check("email-tried-again")
    page.context.close()


def test_a_late_cancellation_waived_from_its_invoice(site: Site, browser: Any) -> None:
    """A venue agreed not to charge a session cancelled the day before: from the invoice,
    the page that says what waiving does, then the credit note, linked to the invoice."""
    staff, clock = site.staff, site.clock
    clock.current = datetime(2026, 11, 20, 9, tzinfo=UTC)
    trust = staff.trust(name="Waiver Trust")
    venue = staff.venue(name="Riverside Hall CIC")
    room = staff.room(venue["id"])
    finance = staff.user(Role.FINANCE, trust["id"])
    facilitator = staff.user(Role.FACILITATOR, trust["id"])
    po = staff.purchase_order(trust["id"], venue["id"], finance, number="RZZPO0000777")
    booking = book_tuesdays(staff, facilitator, room, po, sessions=2)
    clock.current = datetime(2026, 11, 30, 12, tzinfo=UTC)  # 25 hours before 1 December
    late = booking["sessions"][1]["id"]
    staff.client.post(f"/api/v1/sessions/{late}/cancel", headers=facilitator["headers"])
    clock.current = datetime(2027, 1, 4, 9, tzinfo=UTC)
    issued = issue(staff.client, finance, "2026-12-31", venue_id=venue["id"])["issued"]
    invoice = next(i for i in issued if any(ln["session_id"] == late for ln in i["lines"]))
    with site.app.extensions["roomhire"].new_reader() as reader:
        email = reader.users.get(finance["id"]).email
    page = browser.new_context(java_script_enabled=False).new_page()
    page.set_default_timeout(10_000)
    check = Checked(site, page, "waiver")
    sign_in(site, page, email)
    page.goto(f"{site.base}/finance/invoices/{invoice['id']}")
    check("invoice-with-a-late-cancellation")
    page.get_by_text("See the first page of the PDF").click()
    picture = page.get_by_role("img", name=re.compile(f"^The first page of {invoice['number']}"))
    assert picture.evaluate("img => img.complete && img.naturalWidth") == 600
    check("invoice-pdf-picture")
    page.get_by_role("link", name=re.compile("^waive it")).click()
    assert heading(page) == "Waive the late cancellation on Tuesday 1 December 2026?"
    check("waive-confirm")
    page.get_by_role("button", name="Waive it and issue the credit note").click()
    assert "Waived. Credit note" in page.content()
    page.get_by_role("link", name=invoice["number"]).click()
    assert heading(page) == invoice["number"]
    assert page.get_by_role("heading", name="Credit notes against it").is_visible()
    check("invoice-with-its-credit-note")
    page.context.close()

"""Finance's month end in real headless Chromium (Debian's `chromium`, Playwright) against the
app served on 127.0.0.1, without JavaScript, the outbox worker sending to a real SMTP server
(aiosmtpd) on 127.0.0.1: issue November's invoices from the preview and email them, follow
the work to do to the email the server refused, upload December's export (a hold, a payment,
a mis-keyed number, a row error), confirm the flagged match, see who must act on the hold,
open the payment-performance workbook, and send the refused email again; and a late
cancellation waived from its invoice. axe-core checks every page; screenshots at 375 and
1280 px into test-output/finance-pages/."""

from __future__ import annotations

import dataclasses
import email
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.policy import default
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from adapters.email.smtp import SmtpMailer, SmtpSettings
from service.domain.users import Role
from service.usecases.outbox_worker import deliver_due
from tests.conftest import book_tuesdays, booking_body, issue, pdf_text
from tests.e2e.exports import SUPPLIER_NUMBER, ApRow, export, for_invoice
from tests.e2e.finance_month import BOUNCE, Month
from tests.e2e.journeys import Site, email_of, heading, live_site, sign_in, signed_in_page
from tests.e2e.smtp_server import Inbox, smtp_server

PDF = "application/pdf"
Who = dict[str, Any]
pytestmark = pytest.mark.slow  # pages in real Chromium under a live server


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with live_site(tmp_path_factory, "finance-pages") as site:
        yield site


class RefusesOne(Inbox):
    """Accepts every message but one: the first for `address` whose subject names `number`,
    refused for good as a mailbox that doesn't exist would be."""

    def __init__(self, number: str, address: str) -> None:
        super().__init__()
        self.number, self.address, self.refused = number, address, False

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        subject = email.message_from_bytes(envelope.content, policy=default)["Subject"]
        if not self.refused and self.address in envelope.rcpt_tos and self.number in subject:
            self.refused = True
            return BOUNCE
        return await super().handle_DATA(server, session, envelope)


def book_november(site: Site) -> Month:
    """Four Tuesday afternoons in November (£75 each) and a two-hour meeting on Friday 27th
    (£50) on a £500 PO, an invoice for each, and a Thursday group booked without a PO; then
    the clock at 09:00 on 2 December."""
    staff = site.staff
    site.clock.current = datetime(2026, 10, 20, 9, tzinfo=UTC)
    trust = staff.trust()
    venue = staff.venue(name="St Mark's Community Hall CIC", supplier_number=SUPPLIER_NUMBER)
    room = staff.room(venue["id"], name="Garden room")
    finance = staff.user(Role.FINANCE, trust["id"])
    facilitator = staff.user(Role.FACILITATOR, trust["id"])
    po = staff.purchase_order(trust["id"], venue["id"], finance, approved_value_pence=50_000)
    tuesdays = {"first_date": "2026-11-03", "sessions": 4, "invoice_cadence": "per_session"}
    book_tuesdays(staff, facilitator, room, po, **tuesdays)
    meeting = {"first_date": "2026-11-27", "start_time": "10:00", "end_time": "12:00"}
    body = booking_body(room["id"], group_label="Planning meeting", **meeting)
    staff.post("/api/v1/bookings", {**body, "purchase_order_id": po["id"]}, facilitator)
    thursdays = {"first_date": "2026-11-05", "start_time": "09:00", "end_time": "10:00"}
    body = booking_body(
        room["id"],
        group_label="Thursday morning group",
        frequency="weekly",
        sessions=2,
        **thursdays,
    )
    without_po = staff.post("/api/v1/bookings", body, facilitator)
    site.clock.current = datetime(2026, 12, 2, 9, tzinfo=UTC)
    return Month(trust, venue, room, po, finance, facilitator, without_po)


def test_a_month_end_as_finance_would_do_it(site: Site, browser: Any) -> None:
    """November's invoices issued from the preview and emailed by the worker to a real SMTP
    server (one refused), an export with a hold, a payment and a mis-keyed number uploaded,
    the flagged match confirmed, the hold's owner seen, the payment-performance workbook
    checked, and the refused email sent again."""
    month = book_november(site)
    page, check = signed_in_page(
        site, browser, month.finance["id"], "month-end", accept_downloads=True
    )
    assert heading(page) == "Work to do"
    needs = page.locator(".nhsuk-summary-list").first.inner_text()
    assert "5 sessions" in needs and "1 booking" in needs, needs
    check("work-to-do-before-the-run")

    page.get_by_role("link", name="Issue invoices for the sessions ready to invoice").click()
    assert heading(page) == "Issue invoices"
    page.get_by_label("Day").fill("30")
    page.get_by_label("Month").fill("11")
    page.get_by_label("Year").fill("2026")
    page.get_by_role("button", name="Preview the invoices").click()
    assert page.get_by_role("heading", name="5 invoices to issue").is_visible()
    assert (
        "have no purchase order"
        in page.get_by_role("listitem").filter(has_text="no purchase order").inner_text()
    )
    check("invoice-run-preview")
    page.get_by_label("Email them to the trusts' accounts payable straight away").check()
    page.get_by_role("button", name="Issue 5 invoices").click()
    assert heading(page) == "Invoices"
    assert "Issued 5 invoices and queued to be sent." in page.content()
    check("invoices-after-the-run")

    ap, n = month.trust["accounts_payable_email"], november(site, month)
    with smtp_server(RefusesOne(n.refused["number"], ap)) as (inbox, port):
        smtp = SmtpMailer(SmtpSettings("127.0.0.1", port, starttls=False, timeout=5))
        worker = dataclasses.replace(site.app.extensions["roomhire"], mailer=smtp)
        assert deliver_due(worker, batch=100).failed == 1
        to_ap = {m["Subject"].split()[1]: m for m in inbox.received if m["To"] == ap}
        arrived = [n.held, n.paid, n.received, n.miskeyed]
        assert sorted(to_ap) == sorted(i["number"] for i in arrived), list(to_ap)
        attached = to_ap[n.paid["number"]].iter_attachments()
        pdf = next(a for a in attached if a.get_content_type() == PDF)
        assert n.paid["po_number"] in pdf_text(pdf.get_content())

        page.get_by_role("link", name="Work to do").first.click()
        failed = page.locator(".nhsuk-summary-list").first.inner_text()
        assert re.search(r"Invoices that failed to send\s+1 invoice", failed), failed
        page.get_by_role("link", name="See the list of invoices that failed to send").click()
        assert page.get_by_role("heading", name="1 invoice").is_visible()
        page.get_by_role("link", name=n.refused["number"]).click()
        assert heading(page) == n.refused["number"]
        assert BOUNCE in page.content().replace("&lt;", "<").replace("&gt;", ">")
        check("invoice-with-failed-email")

        site.clock.current = datetime(2026, 12, 21, 9, tzinfo=UTC)  # the export comes
        sign_in(site, page, email_of(site, month.finance["id"]))  # a new day, a new sign-in
        page.get_by_role("link", name="Imports").first.click()
        assert heading(page) == "Imports"
        check("imports")
        page.get_by_label("Kind of export").select_option("sbs-oracle-ap")
        page.get_by_label("Export file").set_input_files(str(december_export(site, n)))
        for part, typed in (("day", "20"), ("month", "12"), ("year", "2026")):
            page.locator(f"#as_of-{part}").fill(typed)  # the day the report was run
        page.get_by_role("button", name="Import the export").click()
        assert heading(page) == "Import of december-ap-report.csv"
        result = page.locator(".nhsuk-summary-list").inner_text()
        assert re.search(r"Data as of\s+Sunday 20 December 2026 \(as you gave it\)", result)
        assert re.search(r"Rows read\s+5\s", result), result
        assert re.search(r"Rows with errors\s+1", result), result
        assert page.get_by_role("cell", name=re.compile("Payment Date")).count() == 1
        check("import-result")

        page.get_by_role("link", name="Reconciliation").first.click()
        assert heading(page) == "Reconciliation"
        check("discrepancies")
        miskeyed = n.miskeyed["number"]
        page.get_by_role("button", name=f"Confirm this match of {miskeyed}").click()
        confirmed = page.locator(".nhsuk-notification-banner").inner_text()
        assert f"Confirmed that the export's row is invoice {miskeyed}." in confirmed
        check("match-confirmed")

        page.get_by_role("link", name="Work to do").first.click()
        holds = page.get_by_role("table", name="Invoices on hold, by reason").inner_text()
        assert "QTY REC" in holds and "The booking's facilitator" in holds, holds
        needs = page.locator(".nhsuk-summary-list").first.inner_text()
        assert re.search(r"Matches waiting for you to confirm\s+0 invoices", needs), needs
        check("work-to-do-after-the-export")
        page.get_by_role("link", name="1 invoice on hold for QTY REC").click()
        page.get_by_role("link", name=n.held["number"]).click()
        why = page.get_by_role("table", name="Why it is on hold").inner_text()
        assert "The booking's facilitator" in why, why
        check("invoice-on-hold")

        page.get_by_role("link", name="Payment performance").first.click()
        assert heading(page) == "Payment performance"
        check("payment-performance")
        with page.expect_download() as download:
            page.get_by_role("link", name="Download as an Excel workbook (.xlsx)").click()
        sheet = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
        assert sheet is not None
        rows = [[c.value for c in row] for row in sheet.iter_rows()]
        venue = dict(zip(rows[0], next(r for r in rows if r[0] == "venue"), strict=True))
        assert venue["name"] == "St Mark's Community Hall CIC", venue
        assert (venue["paid"], venue["paid within 30 days"], venue["% by count"]) == (1, 1, 100)
        assert venue["financial year"] == "2026-27"
        # still owed: those accounts payable has (held, received, mis-keyed, £200) and the
        # refused one (£75): never emailed, it is owed from its invoice date all the same
        unpaid = (venue["unpaid 0-30 days (count)"], venue["unpaid 0-30 days (£)"])
        assert unpaid == (4, 275), venue

        page.get_by_role("link", name="Work to do").first.click()
        page.get_by_role("link", name="Send again the invoices and emails that failed").click()
        assert heading(page) == "Invoices and emails that failed to send"
        check("emails-that-failed")
        again = re.compile(f"^Try again to send .*{n.refused['number']}")
        page.get_by_role("button", name=again).click()
        assert "is back in the queue and will be sent again shortly" in page.content()
        assert "Nothing has failed to send." in page.content()
        check("email-tried-again")
        before = len(inbox.received)
        deliver_due(worker, batch=100)  # and the hold notice, by the notifier, to the facilitator
        again_to_ap = [m for m in inbox.received[before:] if m["To"] == ap]
        assert [m["Subject"].split()[1] for m in again_to_ap] == [n.refused["number"]]
    page.context.close()


@dataclass(frozen=True)
class November:
    """November's invoices by what becomes of them."""

    held: Who
    paid: Who
    refused: Who  # its email to accounts payable is refused
    received: Who
    miskeyed: Who  # the meeting's: the only £50 invoice, so PO and amount single it out


def november(site: Site, month: Month) -> November:
    listed = site.staff.client.get("/api/v1/invoices", headers=month.finance["headers"]).json
    tuesdays = sorted((i for i in listed if i["gross_pence"] == 7_500), key=lambda i: i["number"])
    (meeting,) = (i for i in listed if i["gross_pence"] == 5_000)
    held, paid, refused, received = tuesdays
    return November(held, paid, refused, received, meeting)


def december_export(site: Site, n: November) -> Path:
    """December's report from accounts payable: one invoice on hold, one paid on 18 December,
    one as received, the meeting's keyed with a letter O for a zero, and a row whose payment
    date can't be a date; the refused one never arrived."""
    number = n.miskeyed["number"]
    path = site.shots.parent / "december-ap-report.csv"
    path.write_bytes(
        export(
            for_invoice(n.held, hold="QTY REC", hold_reason="Quantity billed exceeds received"),
            for_invoice(
                n.paid,
                approval="Approved",
                paid="75.00",
                payment_date="18-DEC-2026",
                payment_number="7713388",
            ),
            for_invoice(n.received),
            for_invoice(
                n.miskeyed, number=f"{number[:4].lower()} {number[4:].replace('0', 'o', 1)}"
            ),
            ApRow("SMCH0099", "12.34", n.paid["po_number"], payment_date="31-FEB-2027"),
        )
    )
    return path


def two_tuesdays(
    site: Site, trust: str, hall: str, po: str, **booking: Any
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any], Any]:
    """A trust of its own ("<trust> Trust") booking 24 November and 1 December at "<hall> Hall
    CIC" on PO RZZPO000<po>, booked on 20 November: its finance person, facilitator, the
    venue and the booking."""
    staff = site.staff
    site.clock.current = datetime(2026, 11, 20, 9, tzinfo=UTC)
    made = staff.trust(name=f"{trust} Trust")
    venue = staff.venue(name=f"{hall} Hall CIC")
    room = staff.room(venue["id"])
    finance = staff.user(Role.FINANCE, made["id"])
    facilitator = staff.user(Role.FACILITATOR, made["id"])
    order = staff.purchase_order(made["id"], venue["id"], finance, number=f"RZZPO000{po}")
    return (
        finance,
        facilitator,
        venue,
        book_tuesdays(staff, facilitator, room, order, sessions=2, **booking),
    )


def test_a_late_cancellation_waived_from_its_invoice(site: Site, browser: Any) -> None:
    """A venue agreed not to charge a session cancelled the day before: from the invoice,
    the page that says what waiving does, then the credit note, linked to the invoice."""
    staff, clock = site.staff, site.clock
    finance, facilitator, venue, booking = two_tuesdays(site, "Waiver", "Riverside", "0777")
    clock.current = datetime(2026, 11, 30, 12, tzinfo=UTC)  # 25 hours before 1 December
    late = booking["sessions"][1]["id"]
    staff.client.post(f"/api/v1/sessions/{late}/cancel", headers=facilitator["headers"])
    clock.current = datetime(2027, 1, 4, 9, tzinfo=UTC)
    issued = issue(staff.client, finance, "2026-12-31", venue_id=venue["id"])["issued"]
    invoice = next(i for i in issued if any(ln["session_id"] == late for ln in i["lines"]))
    page, check = signed_in_page(site, browser, finance["id"], "waiver")
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


def test_a_cancelled_invoice_reissued_from_its_page(site: Site, browser: Any) -> None:
    """NHS accounts cancelled an invoice sent to the wrong address: finance reissues it from
    its page (refused until a reason is chosen), and the invoice then shows its credit note
    and that its sessions wait for the next run."""
    staff, clock = site.staff, site.clock
    finance, _, venue, _ = two_tuesdays(
        site, "Reissue", "Meadow", "0888", invoice_cadence="end_of_series"
    )
    clock.current = datetime(2027, 1, 4, 9, tzinfo=UTC)
    [invoice] = issue(staff.client, finance, "2026-12-31", venue_id=venue["id"])["issued"]
    cancelled = export(  # the hall has no supplier number: known by its name
        for_invoice(
            invoice, invoice_status="Cancelled", supplier="MEADOW HALL CIC", supplier_number=""
        )
    )
    uploaded = staff.client.post(
        "/api/v1/procurement-imports",
        data={"file": (io.BytesIO(cancelled), "ap-2027-01-04.csv")},
        headers=finance["headers"],
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 201 and uploaded.json["matched"] == 1, uploaded.json
    page, check = signed_in_page(site, browser, finance["id"], "reissue")
    page.goto(f"{site.base}/finance/invoices/{invoice['id']}")
    check("cancelled-invoice")
    page.get_by_role("link", name="reissue this invoice").click()
    assert heading(page) == "Reissue this invoice"
    check("reissue-form")
    page.get_by_role("button", name="Reissue this invoice").click()
    assert (
        "Select why the invoice is being reissued"
        in page.locator(".nhsuk-error-summary").inner_text()
    )
    check("reissue-refused")
    page.get_by_label("Wrong address").check()
    page.get_by_role("button", name="Reissue this invoice").click()
    assert heading(page) == invoice["number"]
    banner = page.locator(".nhsuk-notification-banner").inner_text()
    assert f"takes {invoice['number']} back" in banner
    assert page.get_by_role("heading", name="Reissued").is_visible()
    check("reissued-invoice")
    page.context.close()

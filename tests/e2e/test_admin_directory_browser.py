"""Admin keeps the directory in real headless Chromium (Debian's `chromium`, Playwright) against
the app served on 127.0.0.1, without JavaScript: from the Admin menu entry, add a trust, a venue
(a bad postcode refused first), a room, and close the venue on a day a session is booked,
confirming after seeing that session listed. axe-core checks every page (WCAG 2.2 AA);
screenshots at 375 and 1280 px in test-output/admin-directory/."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from service.domain.users import Role
from tests.conftest import booking_body
from tests.e2e.conftest import assert_accessible
from tests.e2e.journeys import Site, heading, live_site, signed_in_page

pytestmark = pytest.mark.slow  # pages in real Chromium under a live server


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with live_site(tmp_path_factory, "admin-directory") as site:
        yield site


def fill_venue(page: Any, postcode: str) -> None:
    page.get_by_label("Name of the venue").fill("Riverside Community Hub")
    page.get_by_label("Contact email address").fill("bookings@riverside.example.org")
    page.get_by_label("Remittance email address").fill("accounts@riverside.example.org")
    page.get_by_label("Address", exact=True).fill("4 Quay Street\nBristol")
    page.get_by_label("Postcode").fill(postcode)
    page.get_by_label("Sort code (optional)").fill("12 34 56")
    page.get_by_label("Account number (optional)").fill("12345678")


def test_admin_adds_a_trust_a_venue_a_room_and_a_closure(site: Site, browser: Any) -> None:
    admin = site.staff.user(Role.ADMIN)
    page, check = signed_in_page(site, browser, admin["id"], "directory")
    page.get_by_role("link", name="Admin", exact=True).first.click()
    assert heading(page) == "Admin"
    check("admin")

    page.get_by_role("link", name="Trusts").click()
    assert heading(page) == "Trusts" and "There are no trusts yet." in page.content()
    page.get_by_role("link", name="Add a trust").click()
    assert heading(page) == "Add a trust"
    check("new-trust")
    page.get_by_label("Name of the trust").fill("Severnvale MH Trust")
    page.get_by_label("ODS code").fill("rzz")
    page.get_by_label("Payables code").fill("RZZ Payables Z999")
    page.get_by_label("Accounts payable email address").fill("ap@example.nhs.uk")
    page.get_by_label("Invoice address").fill("RZZ Payables Z999\nPO Box 000\nLeeds LS1 1AA")
    page.get_by_label("Purchase order number pattern").fill(r"RZZPO\d{7}")
    page.get_by_label("Send each invoice to the trust as soon as it is issued").check()
    page.get_by_label("As an e-invoice through PEPPOL").check()
    page.get_by_role("button", name="Add the trust").click()
    summary = page.locator(".nhsuk-error-summary").inner_text()
    assert "PEPPOL participant id" in summary, summary
    assert page.get_by_label("As an e-invoice through PEPPOL").is_checked()
    check.posted("trust-refused")
    page.get_by_label("PEPPOL participant id (optional)").fill("0088:5012345678900")
    page.get_by_role("button", name="Add the trust").click()
    assert heading(page) == "Trusts"
    assert "Added the trust Severnvale MH Trust." in page.content()
    assert page.get_by_role("cell", name="RZZ", exact=True).is_visible()
    check("trusts")
    (trust,) = site.staff.client.get("/api/v1/trusts", headers=site.staff.admin["headers"]).json
    assert (trust["peppol_id"], trust["invoice_delivery"]) == ("0088:5012345678900", "peppol")

    page.get_by_role("link", name="Admin", exact=True).first.click()
    page.locator("#maincontent").get_by_role("link", name="Venues").click()
    page.get_by_role("link", name="Add a venue").click()
    assert heading(page) == "Add a venue"
    check("new-venue")
    fill_venue(page, "ZZ99 ZZZ9")
    page.get_by_role("button", name="Add the venue").click()
    summary = page.locator(".nhsuk-error-summary").inner_text()
    assert "is not a UK postcode" in summary, summary
    assert page.get_by_label("Name of the venue").input_value() == "Riverside Community Hub"
    check.posted("venue-refused")
    _accessible_after_bad_postcode(site, page)

    page.get_by_label("Postcode").fill("bs1 5tr")
    page.get_by_role("button", name="Add the venue").click()
    assert heading(page) == "Riverside Community Hub"
    assert "Added the venue Riverside Community Hub. Now add its rooms." in page.content()
    assert "BS1 5TR" in page.content() and "12-34-56" in page.content()
    check("venue")

    page.get_by_role("link", name="Add a room").click()
    assert heading(page) == "Add a room"
    check("new-room")
    page.get_by_label("Name of the room").fill("Garden room")
    page.get_by_label("How many people it holds").fill("12")
    page.get_by_label("Price per hour, in pounds").fill("37.50")
    page.get_by_label("Exempt (most room hire)").check()
    page.get_by_label("Yes", exact=True).check()
    page.get_by_role("button", name="Add the room").click()
    assert "Added the room Garden room." in page.content()
    assert page.get_by_role("cell", name="£37.50").is_visible()
    check("venue-with-a-room")
    page.get_by_role("link", name="Change Garden room").click()
    assert page.get_by_label("Price per hour, in pounds").input_value() == "37.50"
    check("change-room")
    page.get_by_role("link", name="Back").click()
    page.get_by_role("link", name="Change the venue's details").click()
    assert page.get_by_label("Sort code (optional)").input_value() == "12-34-56"
    check("change-venue")
    page.get_by_role("link", name="Back").click()

    venue_id = int(page.url.rsplit("/", 1)[1])
    _a_session_booked_on_8_december(site, venue_id)
    page.get_by_label("Day").fill("8")
    page.get_by_label("Month").fill("12")
    page.get_by_label("Year").fill("2026")
    page.get_by_label("Why the venue is closed").fill("Flooded kitchen")
    page.get_by_role("button", name="Continue").click()
    assert heading(page) == "Close the venue on Tuesday 8 December 2026?"
    assert "1 booked session will be cancelled" in page.content()
    assert page.get_by_role("cell", name="Tuesday afternoon group").is_visible()
    check("check-closure")
    page.get_by_role("button", name="Close the venue and cancel 1 session").click()
    assert heading(page) == "Riverside Community Hub"
    assert "1 booked session was cancelled" in page.content()
    assert "Tuesday 8 December 2026: Flooded kitchen" in page.inner_text("main")
    check("venue-closed")
    page.context.close()


def _a_session_booked_on_8_december(site: Site, venue_id: int) -> None:
    """A facilitator of the trust books the room through the API, on a PO of the trust."""
    staff = site.staff
    trust = staff.client.get("/api/v1/trusts", headers=staff.admin["headers"]).json[0]
    room = staff.client.get(
        f"/api/v1/venues/{venue_id}/rooms", headers=staff.admin["headers"]
    ).json[0]
    finance = staff.user(Role.FINANCE)
    po = staff.purchase_order(trust["id"], venue_id, finance)
    facilitator = staff.user(Role.FACILITATOR, trust_id=trust["id"])
    body = booking_body(room["id"], first_date="2026-12-08", purchase_order_id=po["id"])
    staff.post("/api/v1/bookings", body, facilitator)


def _accessible_after_bad_postcode(site: Site, page: Any) -> None:
    """axe-core can't run with JavaScript off: the same refusal, in a page with it on."""
    checker = page.context.browser.new_context(
        storage_state=page.context.storage_state()
    ).new_page()
    checker.goto(site.base + "/admin/venues/new")
    fill_venue(checker, "ZZ99 ZZZ9")
    checker.get_by_role("button", name="Add the venue").click()
    assert "is not a UK postcode" in checker.locator(".nhsuk-error-summary").inner_text()
    assert_accessible(checker)
    checker.context.close()

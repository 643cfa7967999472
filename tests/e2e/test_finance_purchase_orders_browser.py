"""Finance's purchase orders and venue pages in real headless Chromium (Playwright) against the
app served on 127.0.0.1, without JavaScript: the POs with their bars, recording one (a wrong
amount first, then right), its page, changing it, its venue's page, a status link created (its
address shown once) and then stopped. axe-core checks every page; screenshots at 375 and
1280 px into test-output/finance-purchase-orders/."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from service.domain.recurrence import Frequency
from service.domain.users import Role
from tests.builders import (
    create_booking,
    create_purchase_order,
    create_room,
    create_trust,
    create_user,
    create_venue,
)
from tests.e2e.journeys import Checked, Site, heading, live_site, sign_in
from tests.e2e.staff import person

pytestmark = pytest.mark.slow  # pages in real Chromium under a live server


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with live_site(tmp_path_factory, "finance-purchase-orders") as site:
        yield site


def a_winter_of_bookings(site: Site) -> str:
    """A trust, two venues, a £1,000 PO with four £75 Tuesdays on it; finance's address."""
    ctx = site.app.extensions["roomhire"]
    trust = create_trust(ctx)
    venue = create_venue(ctx, name="St Mark's Community Hall CIC")
    create_venue(ctx, name="Riverside Scout Hut", contact_email="hut@example.org")
    assert trust.id and venue.id
    po = create_purchase_order(ctx, trust.id, venue.id)
    room = create_room(ctx, venue.id)
    assert room.id
    facilitator = create_user(ctx, Role.FACILITATOR, trust.id)
    create_booking(
        ctx, facilitator, room.id, frequency=Frequency.WEEKLY, sessions=4, purchase_order_id=po.id
    )
    return str(person(ctx, Role.FINANCE)["email"])


def fill_date(page: Any, name: str, day: str, month: str, year: str) -> None:
    page.locator(f"#{name}-day").fill(day)
    page.locator(f"#{name}-month").fill(month)
    page.locator(f"#{name}-year").fill(year)


def test_purchase_orders_and_a_venues_links(site: Site, browser: Any) -> None:
    email = a_winter_of_bookings(site)
    page = browser.new_context(java_script_enabled=False).new_page()
    page.set_default_timeout(10_000)
    check = Checked(site, page, "purchase-orders")
    sign_in(site, page, email)

    page.get_by_role("link", name="Purchase orders").first.click()
    assert heading(page) == "Purchase orders"
    row = page.get_by_role("row").filter(has_text="RZZPO0000123").inner_text()
    assert "£1,000.00" in row and "£300.00" in row and "£700.00" in row
    assert page.get_by_role("img", name="£300.00 of £1,000.00 committed, £0.00 invoiced").count()
    check("list")

    page.get_by_role("link", name="Record a purchase order").click()
    assert heading(page) == "Record a purchase order"
    page.get_by_label("PO number").fill("RZZPO0000456")
    page.get_by_label("Trust that raised it").select_option(label="Severnvale MH Trust")
    page.get_by_label("Cost centre").fill("CC7720")
    page.get_by_label("Venue it pays").select_option(label="St Mark's Community Hall CIC")
    fill_date(page, "valid_from", "1", "4", "2027")
    fill_date(page, "valid_to", "31", "3", "2028")
    page.get_by_label("Approved amount, including VAT").fill("1,500.505")
    page.get_by_role("button", name="Record the purchase order").click()
    summary = page.locator(".nhsuk-error-summary").inner_text()
    assert "at most 2 decimals" in summary, summary
    assert page.get_by_label("PO number").input_value() == "RZZPO0000456"  # kept
    check.posted("new-with-an-error")

    page.get_by_label("Approved amount, including VAT").fill("1,500.50")
    page.get_by_role("button", name="Record the purchase order").click()
    assert heading(page) == "RZZPO0000456"
    assert "Recorded purchase order RZZPO0000456." in page.content()
    check("detail")

    page.get_by_role("link", name="Change its value, dates or venue").click()
    assert heading(page) == "Change the purchase order"
    assert page.get_by_label("Approved amount, including VAT").input_value() == "1500.50"
    check("edit")
    page.get_by_label("Approved amount, including VAT").fill("2000")
    page.get_by_role("button", name="Save the change").click()
    assert "Changed purchase order RZZPO0000456." in page.content()
    assert "£2,000.00" in page.locator(".nhsuk-summary-list").inner_text()

    page.goto(site.base + "/finance/purchase-orders")
    page.get_by_role("link", name="RZZPO0000123").click()
    sessions = page.get_by_role("table").inner_text()
    assert "Tuesday 22 December 2026, 1pm to 4pm" in sessions, sessions
    check("detail-with-bookings")
    page.get_by_role("link", name="St Mark's Community Hall CIC").click()
    assert heading(page) == "St Mark's Community Hall CIC"
    assert "has no status link yet" in page.content()
    check("venue")

    page.get_by_role("button", name="Create a new link to copy").click()
    assert heading(page) == "Status link created"
    address = page.get_by_label("Status page link for St Mark's Community Hall CIC").input_value()
    assert address.startswith(site.base + "/status/")
    check.posted("link-shown-once")
    token = urlsplit(address).path.rsplit("/", 1)[1]

    page.get_by_role("link", name="Back to St Mark's Community Hall CIC").click()
    assert token not in page.content()  # shown once only
    assert page.locator(".nhsuk-tag").filter(has_text="Works").count() == 1
    check("venue-with-a-link")

    page.get_by_role("link", name="Stop it working").click()
    assert heading(page) == "Stop this status link working?"
    check("revoke-confirm")
    page.get_by_role("button", name="Stop the link working").click()
    assert heading(page) == "St Mark's Community Hall CIC"
    assert "The status link has stopped working." in page.content()
    assert page.locator(".nhsuk-tag").filter(has_text="Revoked").count() == 1
    check("venue-link-revoked")
    assert page.request.get(address).status != 200
    page.context.close()

"""A facilitator's job in real headless Chromium (Debian's `chromium`, driven by Playwright)
against the app served over HTTP on 127.0.0.1: sign in by emailed link, find a room, book a
12-week series across Christmas, cancel late, subscribe a calendar. Without JavaScript, and
by keyboard alone with it; axe-core checks every page; screenshots at 320, 375 and 1280 px."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask

from service.domain.users import Role
from service.usecases.outbox_worker import deliver_due
from tests.client import client_for
from tests.conftest import Staff, booking_body, plain_text, sent_emails
from tests.e2e.conftest import assert_accessible
from tests.e2e.live import served
from tests.fakes import FrozenClock

pytestmark = pytest.mark.slow  # pages in real Chromium under gunicorn

WIDTHS = (320, 375, 1280)
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday; Christmas Day 2026 is a Friday


@dataclass
class Site:
    base: str
    app: Flask
    staff: Staff
    outbox: Path
    shots: Path
    room: dict[str, Any]
    po: dict[str, Any]
    trust_id: int


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("pages")
    with served(folder, FrozenClock(NOW)) as (base, app):
        staff = Staff(app, client_for(app))
        trust = staff.trust()
        venue = staff.venue(name="St Michael's Hall")
        room = staff.room(venue["id"], name="Garden room", price_per_hour_pence=2500)
        finance = staff.user(Role.FINANCE)
        po = staff.purchase_order(trust["id"], venue["id"], finance, approved_value_pence=500_000)
        shots = Path(__file__).parents[2] / "test-output" / "facilitator-pages"
        shots.mkdir(parents=True, exist_ok=True)
        yield Site(base, app, staff, folder / "outbox", shots, room, po, trust["id"])


def new_facilitator(site: Site) -> tuple[str, dict[str, Any]]:
    who = site.staff.user(Role.FACILITATOR, trust_id=site.trust_id)
    with site.app.app_context():
        ctx = site.app.extensions["roomhire"]
        with ctx.new_reader() as reader:
            email = reader.users.get(who["id"]).email
    return email, who


def emailed_link(site: Site, email: str) -> str:
    """Run the outbox worker once and read the sign-in link out of the email it wrote."""
    deliver_due(site.app.extensions["roomhire"])
    for message in reversed(sent_emails(site.outbox)):
        if message["To"] == email:
            found = re.search(r"http://\S+/sign-in/\S+", plain_text(message))
            assert found, message
            return found.group(0)
    raise AssertionError(f"no email to {email}")


def sign_in(site: Site, page: Any, email: str) -> None:
    page.goto(site.base + "/")
    assert page.url.endswith("/sign-in")
    page.get_by_label("Your work email address").fill(email)
    page.get_by_role("button", name="Email me a sign-in link").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Check your email"
    page.goto(emailed_link(site, email))
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("heading", level=1).inner_text() == "My bookings"


class Checked:
    """Each page a journey reaches: no axe-core violation (WCAG 2.2 AA), screenshots."""

    def __init__(self, site: Site, page: Any, journey: str) -> None:
        self.site, self.page, self.journey, self.count = site, page, journey, 0

    def __call__(self, name: str) -> None:
        self.count += 1
        assert_accessible(self.page)
        size = self.page.viewport_size
        for width in WIDTHS:
            self.page.set_viewport_size({"width": width, "height": 900})
            path = self.site.shots / f"{self.journey}-{self.count:02d}-{name}-{width}px.png"
            self.page.screenshot(path=str(path), full_page=True)
            assert self.page.evaluate("document.documentElement.scrollWidth") <= max(width, 320)
        self.page.set_viewport_size(size)


def test_booking_a_series_across_christmas_without_javascript(site: Site, browser: Any) -> None:
    email, _ = new_facilitator(site)
    page = browser.new_page(java_script_enabled=False)
    sign_in(site, page, email)
    page.get_by_role("link", name="Find and book a room").click()
    page.get_by_label("Day").fill("4")
    page.get_by_label("Month").fill("12")
    page.get_by_label("Year").fill("2026")
    page.get_by_label("Start time").fill("1pm")
    page.get_by_label("End time").fill("4pm")
    page.get_by_label("Number of people (optional)").fill("12")
    page.get_by_label("Area (optional)").fill("bs5")
    page.get_by_role("button", name="Search").click()
    assert page.get_by_role("heading", name="1 room free").is_visible()
    row = page.locator("tr", has_text="Garden room")
    assert "£75.00" in row.inner_text()  # 3 hours at £25.00, exempt
    row.get_by_role("link", name=re.compile("^Book")).click()
    assert page.get_by_role("heading", level=1).inner_text() == "Book Garden room"
    assert page.get_by_label("Day").first.input_value() == "4"  # carried from the search
    assert page.get_by_label("How many people do you expect?").input_value() == "12"
    page.get_by_label("Every week").check()
    page.get_by_label("Number of sessions (if it repeats)").fill("12")
    page.get_by_label("Name of the group").fill("Friday afternoon group")
    page.get_by_label("RZZPO0000123").check()
    page.get_by_role("button", name="Continue").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Check your booking"
    text = page.locator("main").inner_text()
    assert "12 sessions" in text
    assert "Friday 25 December 2026: bank holiday: Christmas Day" in text
    assert "Friday 1 January 2027: bank holiday: New Year's Day" in text
    assert "Friday 4 December 2026" in text and "Friday 5 March 2027" in text  # made up at the end
    assert "£900.00" in text  # 12 x £75.00
    assert "£4,100.00" in text  # left on the £5,000 PO
    # A double click sends the form twice before either answer arrives: it books once.
    form = {
        name: page.locator(f"input[name={name}]").input_value()
        for name in ("csrf_token", "request_key")
    }
    cookies = "; ".join(f"{c['name']}={c['value']}" for c in page.context.cookies())
    answers = [
        requests.post(
            site.base + "/bookings/confirm",
            data=form,
            headers={"Cookie": cookies},
            allow_redirects=False,
            timeout=10,
        )
        for _ in range(2)
    ]
    assert [a.status_code for a in answers] == [302, 302]
    assert answers[0].headers["Location"] == answers[1].headers["Location"]
    page.get_by_role("button", name="Confirm and book").click()  # and a third time, late
    assert page.get_by_role("heading", level=1).inner_text() == "Friday afternoon group"
    assert page.locator("tbody tr").count() == 12
    page.goto(site.base + "/bookings")
    assert page.locator("tbody tr").count() == 12  # one booking of 12 sessions, not 24 or 36
    page.close()


def test_a_late_cancellation_says_what_the_venue_will_still_be_paid(
    site: Site, browser: Any
) -> None:
    email, who = new_facilitator(site)
    body = booking_body(site.room["id"], first_date="2026-11-24", group_label="Tuesday group")
    booked = site.staff.post("/api/v1/bookings", body, who)  # 28 hours from now: inside 48
    page = browser.new_page(java_script_enabled=False)
    sign_in(site, page, email)
    page.get_by_role("link", name="Tuesday group").click()
    page.get_by_role("link", name=re.compile("^cancel the session on")).click()
    warning = page.locator(".nhsuk-card--warning").inner_text()
    assert "The venue will still be paid £75.00" in warning
    assert "less than 48 hours away" in warning
    page.get_by_role("button", name="Yes, cancel this session").click()
    done = "Cancelled 1 session; the venue will still be paid £75.00 because it was less than 48"
    assert done in page.locator("main").inner_text()
    assert "Cancelled late: still paid" in page.locator("tbody").inner_text()
    response = site.staff.client.get(f"/api/v1/bookings/{booked['id']}", headers=who["headers"])
    assert response.json["sessions"][0]["status"] == "late_cancelled"
    page.close()


def test_moving_a_session_and_changing_the_booking(site: Site, browser: Any) -> None:
    """From the booking's page: a session moved to another day and time (a clash first), then
    the people expected changed (too many for the room first). Every page checked."""
    email, who = new_facilitator(site)
    weekly = {"frequency": "weekly", "sessions": 3, "expected_people": 10}
    body = booking_body(
        site.room["id"], first_date="2027-02-02", group_label="Move group", **weekly
    )
    booked = site.staff.post("/api/v1/bookings", body, who)
    blocker = booking_body(
        site.room["id"], first_date="2027-02-11", start_time="10:00", end_time="11:00"
    )
    site.staff.post("/api/v1/bookings", blocker, who)
    page = browser.new_page()
    check = Checked(site, page, "changes")
    sign_in(site, page, email)
    page.get_by_role("link", name="Move group").first.click()
    page.get_by_role("link", name="Move the session on Tuesday 9 February 2027").click()
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Move the session on Tuesday 9 February 2027"
    )
    assert page.get_by_label("Start time").input_value() == "13:00"
    check("move-form")
    page.get_by_label("Day").fill("11")
    page.get_by_label("Start time").fill("10am")
    page.get_by_label("End time").fill("12:30")
    page.get_by_role("button", name="Move the session").click()
    summary = page.locator(".nhsuk-error-summary").inner_text()
    assert "The room is already booked on Thursday 11 February 2027" in summary, summary
    check("move-clash")
    page.get_by_label("Start time").fill("2pm")
    page.get_by_label("End time").fill("4:30pm")
    page.get_by_role("button", name="Move the session").click()
    main = page.locator("main").inner_text()
    assert "Moved to Thursday 11 February 2027, 2pm to 4:30pm." in main, main
    check("moved")
    moved = site.staff.client.get(f"/api/v1/bookings/{booked['id']}", headers=who["headers"])
    assert [s["date"] for s in moved.json["sessions"]] == ["2027-02-02", "2027-02-11", "2027-02-16"]

    page.get_by_role("link", name=re.compile("^Change the name, people expected")).click()
    assert page.get_by_label("How many people do you expect?").input_value() == "10"
    check("change-form")
    page.get_by_label("How many people do you expect?").fill("40")
    page.get_by_role("button", name="Save the changes").click()
    assert "Garden room holds 20 people" in page.locator(".nhsuk-error-summary").inner_text()
    check("change-too-many")
    page.get_by_label("How many people do you expect?").fill("14")
    page.get_by_label("After each session").check()
    page.get_by_role("button", name="Save the changes").click()
    assert "Your booking's details are changed." in page.locator("main").inner_text()
    assert "14" in page.locator(".nhsuk-summary-list").inner_text()
    changed = site.staff.client.get(f"/api/v1/bookings/{booked['id']}", headers=who["headers"])
    assert (changed.json["expected_people"], changed.json["invoice_cadence"]) == (14, "per_session")
    page.close()


def test_subscribing_a_calendar(site: Site, browser: Any) -> None:
    email, who = new_facilitator(site)
    body = booking_body(site.room["id"], first_date="2026-12-08", group_label="Calendar group")
    site.staff.post("/api/v1/bookings", body, who)
    page = browser.new_page(java_script_enabled=False)
    sign_in(site, page, email)
    page.get_by_role("link", name=email).click()
    page.get_by_role("button", name="Create a calendar address").click()
    address = page.get_by_label("Your calendar address").input_value()
    feed = requests.get(address, timeout=10)
    assert feed.headers["Content-Type"].startswith("text/calendar")
    assert "SUMMARY:Calendar group" in feed.text
    page.get_by_role("button", name="Replace my calendar address").click()
    assert requests.get(address, timeout=10).status_code == 404  # the old one stopped
    page.close()


def test_the_booking_journey_by_keyboard_alone_with_every_page_checked(
    site: Site, browser: Any
) -> None:
    email, _ = new_facilitator(site)
    page = browser.new_page()
    errors: list[str] = []
    # Pages answering 400 or 404 on purpose show in the console as failed loads; anything
    # else there (a CSP violation, a script error) and any failed file are errors.

    def console(message: Any) -> None:
        if "Failed to load resource" not in message.text:
            errors.append(message.text)

    def response(answer: Any) -> None:
        if answer.request.resource_type != "document" and not answer.ok:
            errors.append(answer.url)

    page.on("console", console)
    page.on("response", response)
    check = Checked(site, page, "keyboard")
    page.goto(site.base + "/sign-in")
    check("sign-in")
    type_into(page, "email", email)
    press_enter(page)
    check("check-email")
    page.goto(emailed_link(site, email))
    check("sign-in-button")
    tab_to(page, "BUTTON")
    press_enter(page)
    check("my-bookings")
    page.goto(site.base + "/rooms")
    check("find-room")
    type_into(page, "day[day]", "9")
    type_into(page, "day[month]", "12")
    type_into(page, "day[year]", "2026")
    type_into(page, "start", "10am")
    type_into(page, "end", "9am")
    press_enter(page)
    assert (
        "The end time must be after the start time"
        in page.locator(".nhsuk-error-summary").inner_text()
    )
    check("find-room-error")
    type_into(page, "end", "12:30")
    press_enter(page)
    check("find-room-results")
    tab_to(page, "A", text="Book")
    press_enter(page)
    check("book")
    type_into(page, "group_label", "Wednesday morning group")
    type_into(page, "expected_people", "8")
    tab_to(page, "BUTTON", text="Continue")
    press_enter(page)
    check("check-booking")
    tab_to(page, "BUTTON", text="Confirm and book")
    press_enter(page)
    assert "Booked: 1 session." in page.locator("main").inner_text()
    check("booking")
    page.get_by_role("link", name=re.compile("^cancel the session on")).click()
    check("cancel")
    page.goto(site.base + "/account")
    check("account")
    page.goto(site.base + "/sign-out")
    check("sign-out")
    page.goto(site.base + "/bookings/999999")
    check("not-found")
    assert errors == []  # no CSP violation, no missing file, no script error
    page.close()


def tab_to(page: Any, tag: str, *, name: str | None = None, text: str | None = None) -> None:
    """Press Tab until the focused element is the one wanted, as a keyboard user would."""
    for _ in range(80):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => [document.activeElement.tagName, document.activeElement.name || '',"
            " document.activeElement.innerText || '']"
        )
        wanted_name = name is None or focused[1] == name
        wanted_text = text is None or focused[2].strip().startswith(text)
        if focused[0] == tag and wanted_name and wanted_text:
            return
    raise AssertionError(f"could not reach {tag} {name or text} by keyboard")


def press_enter(page: Any) -> None:
    with page.expect_navigation():
        page.keyboard.press("Enter")


def type_into(page: Any, name: str, value: str) -> None:
    tab_to(page, "INPUT", name=name)
    page.keyboard.press("Control+A")
    page.keyboard.type(value)

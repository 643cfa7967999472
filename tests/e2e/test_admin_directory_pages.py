"""Admin's directory pages through the Flask client: trusts, venues (with closures) and rooms
added and changed through the forms, each kind of bad answer refused against its field,
lost updates caught, a double click adding once, roles, and CSRF."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from flask import Flask

from service.domain.bookings import SessionStatus
from service.domain.directory import Room, Trust, Venue
from service.domain.users import OPERATOR, Role
from service.usecases import directory
from tests.builders import TRUST, VENUE
from tests.client import Answer, Client
from tests.conftest import Staff, audit_trail, book_tuesdays, booking_body
from tests.e2e.staff import csrf_token, person, redirected_to, sign_in_as, submit, text

Who = dict[str, Any]
GOOD_TRUST = {**TRUST, "send_on_issue": "yes"}
GOOD_VENUE = {**VENUE, "notice_period_hours": "48", "region": "scotland"}
GOOD_ROOM = {
    "name": "Garden room",
    "capacity": "12",
    "price_per_hour_pence": "£1,234.5",
    "vat_treatment": "standard",
    "step_free": "no",
    "setup_minutes": "15",
    "clearaway_minutes": "0",
}


def _day(day: int) -> dict[str, str]:
    return {"date[day]": str(day), "date[month]": "12", "date[year]": "2026"}


@pytest.fixture
def admin(app: Flask, client: Client) -> Who:
    ctx = app.extensions["roomhire"]
    who = person(ctx, Role.ADMIN)
    sign_in_as(client, ctx, who)
    return who


def field_error(page: Answer, field: str) -> str:
    """The error message shown under a field (and linked from the summary)."""
    assert f'href="#{field}"' in page.text, text(page.text)[:600]
    match = re.search(rf'id="{re.escape(field)}-error"[^>]*>(.*?)</span>\s*</?', page.text, re.S)
    assert match, f"no error on {field}"
    return text(match.group(1)).removeprefix("Error: ")


CHOSEN = ("radio", "checkbox")


class Filled(HTMLParser):
    """What a browser would send of a page's forms as they stand: inputs with their values,
    ticked boxes and chosen radios, and the text in each text area."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self._area: str | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "textarea":
            self._area = a["name"]
            self.values[self._area] = ""
        elif tag == "input" and "name" in a and (a.get("type") not in CHOSEN or "checked" in a):
            self.values[a["name"]] = a.get("value", "")

    def handle_data(self, data: str) -> None:
        if self._area:
            self.values[self._area] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._area = None


def filled(html: str) -> dict[str, str]:
    values = Filled(html).values
    return {k: v.removeprefix("\n") for k, v in values.items()}  # a text area's first newline


def send(client: Client, path: str, fields: dict[str, Any]) -> Answer:
    """The form on `path` as it is shown, with `fields` typed over it."""
    page = client.get(path)
    assert page.status_code == 200, page.text[:300]
    return client.post(path, data={**filled(page.text), **fields})


def trusts(app: Flask) -> list[Trust]:
    ctx = app.extensions["roomhire"]
    return directory.list_trusts(ctx, ctx.new_reader(), OPERATOR)


def venue_of(app: Flask, venue_id: int) -> Venue:
    return directory.get_venue(app.extensions["roomhire"].new_reader(), venue_id)


def room_of(app: Flask, room_id: int) -> Room:
    return directory.get_room(app.extensions["roomhire"].new_reader(), room_id)


# The landing page and the menu


def test_admin_lands_on_a_page_linking_each_part(client: Client, admin: Who) -> None:
    page = client.get("/admin")
    assert page.status_code == 200
    for href in ("/admin/trusts", "/admin/venues", "/admin/people", "/admin/audit"):
        assert f'href="{href}"' in page.text
    menu = re.findall(r"<a\s[^>]*nhsuk-header__navigation-link[^>]*>", page.text)
    assert any('href="/admin"' in link for link in menu), menu


# Trusts


def test_a_trust_is_added_once_and_listed(app: Flask, client: Client, admin: Who) -> None:
    form = client.get("/admin/trusts/new").text
    assert "{document} {number} - PO {po_number} - {supplier}" in form  # the default subject
    fields = {**GOOD_TRUST, "organisation_code": " rzz ", "invoice_subject": TRUST_SUBJECT}
    added = send(client, "/admin/trusts/new", fields)
    assert redirected_to(added) == "/admin/trusts"
    listed = client.get("/admin/trusts").text
    assert "Added the trust Severnvale MH Trust." in listed and ">RZZ<" in listed
    (trust,) = trusts(app)
    assert (trust.organisation_code, trust.send_on_issue, trust.remind_facilitators) == (
        "RZZ",
        True,
        False,
    )
    assert trust.invoice_address == TRUST["invoice_address"]
    assert audit_trail(app, "trust", trust.id or 0)[0][0] == "created"


TRUST_SUBJECT = "Invoice {document} {number} for PO {po_number}"


def test_a_double_click_adds_the_trust_once(app: Flask, client: Client, admin: Who) -> None:
    page = client.get("/admin/trusts/new").text
    hidden = filled(page)
    for _ in range(2):
        assert redirected_to(client.post("/admin/trusts/new", data={**hidden, **TRUST})) == (
            "/admin/trusts"
        )
    assert len(trusts(app)) == 1
    again = client.post("/admin/trusts/new", data={**hidden, **TRUST, "name": "Another"})
    assert again.status_code == 409  # the same form, sent with other answers
    assert "already added" in field_error(again, "name") and len(trusts(app)) == 1


BAD_TRUSTS = [  # (field, typed, status, message under the field)
    ("name", "  ", 400, "Enter the name of the trust"),
    ("name", "x" * 201, 400, "The name of the trust must be 200 characters or fewer"),
    ("name", "Two\nlines", 400, "The name of the trust must be on one line"),
    ("name", "Bell\x07", 400, "The name of the trust must not contain control characters"),
    ("organisation_code", "R-Z", 400, "3 to 5 capital letters or digits, like RZZ"),
    ("payables_code", "x" * 41, 400, "The payables code must be 40 characters or fewer"),
    ("accounts_payable_email", "ap at nhs", 400, "in the correct format"),
    ("invoice_address", "", 400, "Enter the invoice address"),
    ("po_number_pattern", r"(\d|\d)*X", 422, "no brackets ( ) or |"),
    ("po_number_pattern", "[A-", 422, "not a valid regular expression"),
    ("invoice_subject", "Invoice {number}", 422, "must contain {document}"),
]


def test_each_bad_trust_answer_is_refused_against_its_field(
    app: Flask, client: Client, admin: Who
) -> None:
    for field, typed, status, message in BAD_TRUSTS:
        refused = send(client, "/admin/trusts/new", {**GOOD_TRUST, field: typed})
        assert refused.status_code == status, (field, typed)
        assert message in field_error(refused, field), (field, typed)
        kept = filled(refused.text)  # what was typed is shown again
        assert kept["payables_code"] == (
            typed if field == "payables_code" else TRUST["payables_code"]
        )
    assert trusts(app) == []


def test_a_trust_is_changed_unless_someone_changed_it_first(
    app: Flask, client: Client, staff: Staff, admin: Who, trust: Who
) -> None:
    path = f"/admin/trusts/{trust['id']}/edit"
    form = client.get(path).text
    assert 'value="RZZPO\\d{7}"' in form and 'value="RZZ"' in form  # filled in as it is
    hidden = filled(form)
    answers = {
        **hidden,
        **TRUST,
        "payables_code": "RZZ Payables Z111",
        "remind_facilitators": "yes",
        "business_unit": "RZZ SEVERNVALE MH TRUST",
    }

    meanwhile = client.patch(
        f"/api/v1/trusts/{trust['id']}", json={"name": "Renamed"}, headers=staff.admin["headers"]
    )
    assert meanwhile.status_code == 200
    stale = client.post(path, data=answers)
    assert stale.status_code == 409
    said = text(stale.text)
    assert "Someone else changed this while you were editing it" in said
    assert "Nothing was saved" in said and "Name of the trust: Renamed" in said
    assert "ODS code:" not in said  # only where the trust now differs from the answers
    assert 'value="RZZ Payables Z111"' in stale.text  # their answers are kept
    assert trusts(app)[0].payables_code == TRUST["payables_code"]

    again = filled(stale.text)
    assert redirected_to(client.post(path, data={**answers, **again})) == "/admin/trusts"
    (saved,) = trusts(app)
    assert (saved.name, saved.payables_code, saved.remind_facilitators) == (
        TRUST["name"],
        "RZZ Payables Z111",
        True,
    )
    assert saved.business_unit == "RZZ SEVERNVALE MH TRUST"
    changes = audit_trail(app, "trust", trust["id"])[-1][1]
    assert changes["payables_code"] == {"from": TRUST["payables_code"], "to": "RZZ Payables Z111"}


def test_an_edit_without_the_version_it_was_made_from_saves_nothing(
    app: Flask, client: Client, admin: Who, trust: Who
) -> None:
    path = f"/admin/trusts/{trust['id']}/edit"
    answers = {**filled(client.get(path).text), "name": "Changed"}
    del answers["version"]
    assert client.post(path, data=answers).status_code == 409
    assert trusts(app)[0].name == TRUST["name"]


# Venues


def test_a_venue_is_added_with_its_details_normalised(
    app: Flask, client: Client, admin: Who
) -> None:
    fields = {
        **GOOD_VENUE,
        "vat_number": "gb 123 4567 89",
        "bank_sort_code": "12 34 56",
        "bank_account_number": "12345678",
        "open_on_bank_holidays": "yes",
        "queries_phone": "0117 496 0123",
    }
    added = send(client, "/admin/venues/new", fields)
    venue_id = int(redirected_to(added).rsplit("/", 1)[1])
    found = venue_of(app, venue_id)
    assert (found.postcode, found.vat_number, found.bank_sort_code) == (
        "BS5 9XX",
        "GB123456789",
        "12-34-56",
    )
    assert found.region.value == "scotland" and found.open_on_bank_holidays
    assert found.supplier_number is None and found.company_number is None
    page = text(client.get(f"/admin/venues/{venue_id}").text)
    assert "Added the venue Chapel Hall CIC. Now add its rooms." in page
    assert "Whose bank holidays the venue keeps Scotland" in page
    assert "Sort code 12-34-56" in page and "Supplier number Not given" in page
    assert "The venue has no rooms yet" in page


BAD_VENUES = [  # (field, typed, status, the field whose message it is, the message)
    ("postcode", "bs5", 400, "postcode", "The postcode must be at least 5 characters"),
    ("postcode", "ZZZ ZZZ", 422, "postcode", "is not a UK postcode"),
    ("contact_email", "", 400, "contact_email", "Enter the contact email address"),
    ("queries_email", "nobody@", 400, "queries_email", "in the correct format"),
    ("notice_period_hours", "-1", 400, "notice_period_hours", "whole number from 0 to 1440"),
    ("notice_period_hours", "\u00b2", 400, "notice_period_hours", "whole number from 0 to 1440"),
    ("notice_period_hours", "1441", 400, "notice_period_hours", "whole number from 0 to 1440"),
    ("region", "wales", 400, "region", "Select whose bank holidays the venue keeps"),
    ("vat_number", "GB12345", 400, "vat_number", "9 or 12 digits"),
    ("bank_sort_code", "12-34-56", 422, "bank_account_number", "Give both the sort code"),
    ("bank_account_number", "1234", 422, "bank_sort_code", "Give both the sort code"),
    ("queries_phone", "call us", 422, "queries_phone", "UK phone number"),
    ("company_number", "ABC", 422, "company_number", "Companies House number"),
    ("charity_number", "12", 422, "charity_number", "registered charity number"),
]


def test_each_bad_venue_answer_is_refused_against_its_field(
    app: Flask, client: Client, admin: Who
) -> None:
    for field, typed, status, shown_on, message in BAD_VENUES:
        refused = send(client, "/admin/venues/new", {**GOOD_VENUE, field: typed})
        assert refused.status_code == status, (field, typed)
        assert message in field_error(refused, shown_on), (field, typed)
    ctx = app.extensions["roomhire"]
    assert directory.list_venues(ctx, ctx.new_reader(), OPERATOR) == []


def test_a_supplier_number_another_venue_has_is_refused(
    client: Client, staff: Staff, admin: Who
) -> None:
    other = staff.venue(supplier_number="SUP-1")
    refused = send(client, "/admin/venues/new", {**GOOD_VENUE, "supplier_number": "sup-1"})
    assert refused.status_code == 409
    assert f"Venue {other['id']} (Chapel Hall CIC) already has" in field_error(
        refused, "supplier_number"
    )


def test_changing_bank_details_says_the_venue_is_told(
    app: Flask, client: Client, staff: Staff, admin: Who
) -> None:
    venue = staff.venue(bank_sort_code="12-34-56", bank_account_number="12345678")
    path = f"/admin/venues/{venue['id']}/edit"
    form = client.get(path).text
    assert 'value="12-34-56"' in form and "Only finance and admin can see them" in form
    for legend in ("Contact", "Address and region", "Supplier details", "Bank details", "VAT"):
        assert f">{legend}<" in form.replace("\n", "").replace("  ", "")
    changed = send(
        client,
        path,
        {**GOOD_VENUE, "bank_sort_code": "65-43-21", "bank_account_number": "12345678"},
    )
    assert redirected_to(changed) == f"/admin/venues/{venue['id']}"
    page = text(client.get(f"/admin/venues/{venue['id']}").text)
    assert "emailed to say its bank details changed" in page
    assert venue_of(app, venue["id"]).bank_sort_code == "65-43-21"
    ctx = app.extensions["roomhire"]
    with ctx.new_reader() as reader:
        notices = [m for m in reader.outbox.find() if m.recipient.value == "bank_details_notice"]
    assert [m.to for m in notices] == ["hall@example.org"]


def test_a_venue_edit_meanwhile_is_not_overwritten(
    app: Flask, client: Client, staff: Staff, admin: Who
) -> None:
    venue = staff.venue()
    path = f"/admin/venues/{venue['id']}/edit"
    form = client.get(path).text
    hidden = filled(form)
    closed = client.post(
        f"/api/v1/venues/{venue['id']}/closures",
        json={"date": "2027-01-05", "reason": "Boiler"},
        headers=staff.admin["headers"],
    )
    assert closed.status_code == 200  # a closure is part of the venue's version too
    stale = client.post(path, data={**hidden, **GOOD_VENUE, "name": "New name"})
    assert stale.status_code == 409
    assert "Nothing was saved" in text(stale.text)
    assert venue_of(app, venue["id"]).name == "Chapel Hall CIC"


# Rooms


def test_a_room_is_added_with_its_price_in_exact_pence(
    app: Flask, client: Client, staff: Staff, admin: Who
) -> None:
    venue = staff.venue()
    path = f"/admin/venues/{venue['id']}/rooms/new"
    assert redirected_to(send(client, path, GOOD_ROOM)) == f"/admin/venues/{venue['id']}"
    ctx = app.extensions["roomhire"]
    (room,) = directory.rooms_of(ctx, ctx.new_reader(), OPERATOR, venue["id"])
    assert (room.price_per_hour_pence, room.capacity, room.step_free, room.setup_minutes) == (
        123450,
        12,
        False,
        15,
    )
    assert room.vat_treatment.value == "standard"
    page = text(client.get(f"/admin/venues/{venue['id']}").text)
    assert "Garden room Holds 12 people Price per hour £1,234.50 VAT Standard rate" in page


BAD_ROOMS = [  # (field, typed, message under the field)
    ("price_per_hour_pence", "25.555", "an amount in pounds, like 25 or 25.50"),
    ("price_per_hour_pence", "-5", "an amount in pounds"),
    ("price_per_hour_pence", "NaN", "an amount in pounds"),
    ("price_per_hour_pence", "1e3", "an amount in pounds"),
    ("price_per_hour_pence", "100000.01", "must be £100,000.00 or less"),
    ("price_per_hour_pence", "", "Enter the price per hour"),
    ("capacity", "0", "whole number from 1 to 1000"),
    ("capacity", "12.5", "whole number from 1 to 1000"),
    ("vat_treatment", "", "Select the VAT on this room"),
    ("step_free", "maybe", "Select whether the room has step-free access"),
    ("setup_minutes", "241", "whole number from 0 to 240"),
    ("name", "", "Enter the name of the room"),
]


def test_each_bad_room_answer_is_refused_against_its_field(
    app: Flask, client: Client, staff: Staff, admin: Who
) -> None:
    venue = staff.venue()
    for field, typed, message in BAD_ROOMS:
        path = f"/admin/venues/{venue['id']}/rooms/new"
        refused = send(client, path, {**GOOD_ROOM, field: typed})
        assert refused.status_code == 400, (field, typed)
        assert message in field_error(refused, field), (field, typed)
    ctx = app.extensions["roomhire"]
    assert directory.rooms_of(ctx, ctx.new_reader(), OPERATOR, venue["id"]) == []


def test_a_room_is_changed_and_a_stale_change_refused(
    app: Flask, client: Client, staff: Staff, admin: Who, room: Who
) -> None:
    path = f"/admin/rooms/{room['id']}/edit"
    form = client.get(path).text
    assert 'value="25.00"' in form and 'value="15"' in form
    hidden = filled(form)
    answers = {**hidden, **GOOD_ROOM, "price_per_hour_pence": "30"}
    assert redirected_to(client.post(path, data=answers)) == f"/admin/venues/{room['venue_id']}"
    assert room_of(app, room["id"]).price_per_hour_pence == 3000
    stale = client.post(path, data={**answers, "capacity": "40"})  # the version is old now
    assert stale.status_code == 409 and room_of(app, room["id"]).capacity == 12


# Closures


def test_a_closure_lists_the_sessions_it_will_cancel_then_cancels_them(
    app: Flask, client: Client, staff: Staff, admin: Who, facilitator: Who, room: Who, po: Who
) -> None:
    booked = book_tuesdays(staff, facilitator, room, po)  # 24 Nov .. 29 Dec 2026
    venue_path = f"/admin/venues/{room['venue_id']}"
    asked = client.get(f"{venue_path}/closures/new", query_string={**_day(8), "reason": "Roof"})
    assert asked.status_code == 200
    said = text(asked.text)
    assert "Close the venue on Tuesday 8 December 2026?" in said
    assert "1 booked session will be cancelled" in said
    assert "1pm to 4pm Room Main hall Group Tuesday afternoon group" in said
    statuses = {s.status for s in _sessions(app, booked["id"])}
    assert statuses == {SessionStatus.BOOKED}  # nothing changed yet

    evening = booking_body(room["id"], first_date="2026-12-08", start_time="18:00")
    evening = staff.post("/api/v1/bookings", {**evening, "end_time": "20:00"}, facilitator)
    changed = client.post(f"{venue_path}/closures", data=filled(asked.text))
    assert changed.status_code == 409  # booked after the check: nothing closed, a new check
    said = text(changed.text)
    assert "Something changed since you checked" in said and "Nothing was closed" in said
    assert "2 booked sessions will be cancelled" in said and "6pm to 8pm" in said
    assert venue_of(app, room["venue_id"]).closures == []
    assert {s.status for s in _sessions(app, booked["id"])} == {SessionStatus.BOOKED}

    closed = client.post(f"{venue_path}/closures", data=filled(changed.text))
    assert redirected_to(closed) == venue_path
    page = text(client.get(venue_path).text)
    assert "Chapel Hall CIC is closed on Tuesday 8 December 2026. 2 booked sessions were" in page
    assert "Tuesday 8 December 2026: Roof" in page
    cancelled = [
        s.local_date.isoformat()
        for s in _sessions(app, booked["id"])
        if s.status is SessionStatus.CANCELLED_BY_VENUE
    ]
    assert cancelled == ["2026-12-08"]
    assert _sessions(app, evening["id"])[0].status is SessionStatus.CANCELLED_BY_VENUE
    pressed_twice = client.post(f"{venue_path}/closures", data=filled(changed.text))
    assert redirected_to(pressed_twice) == venue_path
    assert "was already closed on Tuesday 8 December 2026, so nothing changed" in text(
        client.get(venue_path).text
    )

    again = client.get(f"{venue_path}/closures/new", query_string={**_day(8), "reason": "Roof"})
    assert again.status_code == 400
    assert "already closed on Tuesday 8 December 2026" in field_error(again, "date")


def test_a_closure_with_nothing_booked_says_so(client: Client, staff: Staff, admin: Who) -> None:
    venue = staff.venue()
    asked = client.get(
        f"/admin/venues/{venue['id']}/closures/new", query_string={**_day(9), "reason": "Polling"}
    )
    assert "No sessions are booked there that day, so none will be cancelled" in text(asked.text)


BAD_CLOSURES = [  # (typed, field, message under the field)
    ({**_day(8), "reason": ""}, "reason", "Enter why the venue is closed"),
    ({**_day(8), "reason": "x" * 201}, "reason", "200 characters or fewer"),
    ({**_day(8), "reason": "Roof\x1b[0m"}, "reason", "must not contain control characters"),
    ({**_day(8), "reason": "Roof\nrepairs"}, "reason", "must be on one line"),
    ({**_day(31), "date[month]": "2", "reason": "R"}, "date", "must be a real date"),
    ({**_day(8), "date[day]": "\u00b2", "reason": "R"}, "date", "must be a real date"),
    ({**_day(8), "date[year]": "1999", "reason": "R"}, "date", "between 2000 and 2100"),
    ({"reason": "R"}, "date", "Enter the date the venue is closed"),
]


def test_each_bad_closure_is_refused_on_the_venue_page(
    app: Flask, client: Client, staff: Staff, admin: Who
) -> None:
    venue = staff.venue()
    page = f"/admin/venues/{venue['id']}"
    for typed, field, message in BAD_CLOSURES:
        asked = client.get(f"{page}/closures/new", query_string=typed)
        assert asked.status_code == 400 and message in field_error(asked, field), typed
        posted = submit(client, f"{page}/closures", typed, page=f"{page}/edit")
        assert posted.status_code == 400 and message in field_error(posted, field), typed
    assert venue_of(app, venue["id"]).closures == []


# Roles, CSRF and addresses that lead nowhere


def _sessions(app: Flask, series_id: int) -> list[Any]:
    with app.extensions["roomhire"].new_reader() as reader:
        return list(reader.bookings.get(series_id).sessions)


def _addresses(staff: Staff) -> tuple[list[str], list[str]]:
    trust = staff.trust()
    venue = staff.venue()
    room = staff.room(venue["id"])
    pages = [
        "/admin",
        "/admin/trusts",
        "/admin/trusts/new",
        f"/admin/trusts/{trust['id']}/edit",
        "/admin/venues",
        "/admin/venues/new",
        f"/admin/venues/{venue['id']}",
        f"/admin/venues/{venue['id']}/edit",
        f"/admin/venues/{venue['id']}/closures/new?date%5Bday%5D=8&date%5Bmonth%5D=12&date%5Byear%5D=2026&reason=R",
        f"/admin/venues/{venue['id']}/rooms/new",
        f"/admin/rooms/{room['id']}/edit",
    ]
    forms = [
        "/admin/trusts/new",
        f"/admin/trusts/{trust['id']}/edit",
        "/admin/venues/new",
        f"/admin/venues/{venue['id']}/edit",
        f"/admin/venues/{venue['id']}/closures",
        f"/admin/venues/{venue['id']}/rooms/new",
        f"/admin/rooms/{room['id']}/edit",
    ]
    return pages, forms


@pytest.mark.parametrize("role", [Role.FACILITATOR, Role.FINANCE])
def test_other_roles_cannot_use_any_admin_page_or_form(
    app: Flask, client: Client, staff: Staff, role: Role
) -> None:
    pages, forms = _addresses(staff)
    ctx = app.extensions["roomhire"]
    sign_in_as(client, ctx, person(ctx, role))
    token = csrf_token(client, "/account")
    for path in pages:
        answer = client.get(path)
        assert answer.status_code == 403, path
        assert "You cannot use this page" in answer.text
    for path in forms:
        assert client.post(path, data={"csrf_token": token, **TRUST}).status_code == 403, path
    assert 'href="/admin"' not in client.get("/account").text  # not in their menu
    assert len(trusts(app)) == 1


def test_a_form_without_its_csrf_token_is_refused(
    app: Flask, client: Client, staff: Staff, admin: Who
) -> None:
    _, forms = _addresses(staff)
    for path in forms:
        answer = client.post(path, data={**TRUST, **_day(8), "reason": "R"})
        assert answer.status_code == 400, path
        assert "The form could not be sent" in text(answer.text), path
    assert len(trusts(app)) == 1


def test_an_entry_that_does_not_exist_is_page_not_found(client: Client, admin: Who) -> None:
    for path in (
        "/admin/trusts/999/edit",
        "/admin/venues/999",
        "/admin/rooms/999/edit",
        "/admin/venues/999/rooms/new",
    ):
        assert client.get(path).status_code == 404, path

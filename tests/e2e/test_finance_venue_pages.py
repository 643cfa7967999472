"""Finance's venue pages (Flask client): the venues, a venue's details, its POs with their
bars and its status links; creating a link (its address shown once), emailing one to the
venue, replacing one and stopping one working (after a confirmation page); roles and CSRF."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from html import unescape
from urllib.parse import urlsplit

import pytest
from flask import Flask

from service.domain.delivery import Recipient
from service.domain.directory import Venue
from service.domain.status_links import StatusLink
from service.domain.users import Role
from service.usecases.context import Context
from service.usecases.status_links import create_link
from tests.builders import create_purchase_order, create_trust, create_user, create_venue
from tests.client import Answer, Client, client_for
from tests.conftest import audit_trail
from tests.e2e.staff import browser_as, csrf_token, person, redirected_to, sign_in_as
from tests.e2e.staff import shown_text as text
from tests.fakes import FrozenClock

VENUES = "/finance/venues"
ADDRESS = re.compile(r'<textarea[^>]*name="address"[^>]*>\s*([^<]+?)\s*</textarea>')


@dataclass
class Hall:
    venue: Venue
    other: Venue
    path: str  # the venue's page


@pytest.fixture
def page(app: Flask) -> Client:
    return browser_as(app)


@pytest.fixture
def hall(ctx: Context) -> Hall:
    trust = create_trust(ctx)
    venue = create_venue(ctx, supplier_number="220871")
    other = create_venue(ctx, name="Riverside Scout Hut", contact_email="hut@example.org")
    assert trust.id and venue.id
    create_purchase_order(ctx, trust.id, venue.id, approved_value_pence=80_000)
    return Hall(venue, other, f"{VENUES}/{venue.id}")


def press(page: Client, path: str, on: str) -> Answer:
    """Select the button of the form posting to `path` on the page `on`."""
    return page.post(path, data={"csrf_token": csrf_token(page, on)})


def shown_address(response: Answer) -> str:
    found = ADDRESS.search(response.text)
    assert found, text(response.text)[:600]
    return unescape(found.group(1))


def links(ctx: Context, venue: Venue) -> list[StatusLink]:
    assert venue.id is not None
    with ctx.new_reader() as reader:
        found: list[StatusLink] = reader.status_links.find(venue.id)
    return sorted(found, key=lambda link: link.id or 0)


def opens(client: Client, address: str) -> bool:
    return client.get(urlsplit(address).path).status_code == 200


def test_the_venues_and_a_venues_page(page: Client, hall: Hall) -> None:
    listed = page.get(VENUES)
    assert listed.status_code == 200
    said = text(listed.text)
    assert "Chapel Hall CIC 1 Chapel Row, Bristol, BS5 9XX hall@example.org" in said
    assert "Riverside Scout Hut" in said
    assert f'href="{hall.path}"' in listed.text and 'href="/finance/venues"' in listed.text

    shown = page.get(hall.path)
    assert shown.status_code == 200
    said = text(shown.text)
    assert "Address 1 Chapel Row, Bristol, BS5 9XX Contact email hall@example.org" in said
    assert "Supplier number 220871" in said
    assert "RZZPO0000123 Severnvale MH Trust Sunday 1 November 2026" in said  # no venue column
    assert "£800.00 £0.00 £0.00 £800.00" in said
    assert 'class="app-po-bar' in shown.text and "style=" not in shown.text
    assert "Chapel Hall CIC has no status link yet." in said
    assert f'href="/finance/purchase-orders/new?venue={hall.venue.id}"' in shown.text


def test_a_new_links_address_is_shown_once(
    page: Client, app: Flask, ctx: Context, hall: Hall, clock: FrozenClock
) -> None:
    made = press(page, f"{hall.path}/status-links", on=hall.path)
    assert made.status_code == 200
    address = shown_address(made)
    assert address.startswith("http") and "/status/" in address
    said = text(made.text)
    assert "Copy the link now" in said and "This is the only time Roomhire shows it." in said
    assert "It works until Saturday 22 May 2027." in said  # 180 days
    link = links(ctx, hall.venue)[-1]
    assert [a for a, _ in audit_trail(app, "status_link", link.id or 0)] == ["link_created"]

    venue_opens_it = client_for(app)
    assert opens(venue_opens_it, address)
    listed = page.get(hall.path).text
    token = urlsplit(address).path.rsplit("/", 1)[1]
    assert token not in listed  # never shown again
    said = text(listed)
    assert "Monday 23 November 2026 at 9am by" in said
    assert "Saturday 22 May 2027 Monday 23 November 2026 Works" in said  # last used: today


def test_a_link_emailed_to_the_venue(page: Client, ctx: Context, hall: Hall) -> None:
    emailed = press(page, f"{hall.path}/status-links/email", on=hall.path)
    assert redirected_to(emailed) == hall.path
    after = page.get(hall.path).text
    assert "A new status link will be emailed to hall@example.org shortly." in text(after)
    assert "/status/" not in after and "<textarea" not in after
    [link] = links(ctx, hall.venue)
    with ctx.new_reader() as reader:
        [message] = [m for m in reader.outbox.find() if m.recipient is Recipient.STATUS_LINK]
    assert (message.to, message.status_link_id) == ("hall@example.org", link.id)
    assert "Never Works" in text(after)


def test_a_link_replaced(page: Client, app: Flask, ctx: Context, hall: Hall) -> None:
    first = shown_address(press(page, f"{hall.path}/status-links", on=hall.path))
    old = links(ctx, hall.venue)[0]
    path = f"{hall.path}/status-links/{old.id}/rotate"
    replaced = press(page, path, on=hall.path)
    assert replaced.status_code == 200
    second = shown_address(replaced)
    assert second != first
    assert "Status link replaced" in text(replaced.text)
    assert "The link created Monday 23 November 2026 has stopped working." in text(replaced.text)
    venue_opens_it = client_for(app)
    assert not opens(venue_opens_it, first) and opens(venue_opens_it, second)
    assert [link.revoked_at is not None for link in links(ctx, hall.venue)] == [True, False]

    again = page.post(path, data={"csrf_token": csrf_token(page, hall.path)})  # pressed twice
    assert again.status_code == 409
    assert "already stopped working, so it can't be replaced" in text(again.text)
    assert len(links(ctx, hall.venue)) == 2


def test_a_link_stopped_after_confirming(
    page: Client, app: Flask, ctx: Context, hall: Hall
) -> None:
    address = shown_address(press(page, f"{hall.path}/status-links", on=hall.path))
    link = links(ctx, hall.venue)[0]
    path = f"{hall.path}/status-links/{link.id}/revoke"
    assert f'href="{path}"' in page.get(hall.path).text
    confirm = page.get(path)
    assert confirm.status_code == 200
    said = text(confirm.text)
    assert "Stop this status link working?" in said
    assert "The link created Monday 23 November 2026 by" in said and "Keep it working" in said
    assert links(ctx, hall.venue)[0].revoked_at is None  # only asked

    stopped = press(page, path, on=path)
    assert redirected_to(stopped) == hall.path
    after = text(page.get(hall.path).text)
    assert "The status link has stopped working." in after
    assert "Revoked Monday 23 November 2026" in after
    assert links(ctx, hall.venue)[0].revoked_at is not None
    assert not opens(client_for(app), address)
    assert [a for a, _ in audit_trail(app, "status_link", link.id or 0)] == [
        "link_created",
        "link_revoked",
    ]

    twice = page.post(path, data={"csrf_token": csrf_token(page, hall.path)})
    assert redirected_to(twice) == hall.path
    assert "had already stopped working, so nothing changed" in text(page.get(hall.path).text)
    assert page.get(path).status_code == 409  # nothing left to confirm


def test_an_expired_link_is_shown_so(
    page: Client, ctx: Context, hall: Hall, clock: FrozenClock
) -> None:
    finance = create_user(ctx, Role.FINANCE)
    clock.advance(timedelta(days=-2))  # made two days ago, for a day
    create_link(ctx, ctx.new_uow(), finance, hall.venue.id or 0, timedelta(days=1))
    clock.advance(timedelta(days=2))
    said = text(page.get(hall.path).text)
    assert "Expired" in said and "Replace" not in said
    link = links(ctx, hall.venue)[0]
    assert page.get(f"{hall.path}/status-links/{link.id}/revoke").status_code == 409


def test_unknown_venues_and_other_venues_links_are_not_found(
    page: Client, ctx: Context, hall: Hall
) -> None:
    press(page, f"{hall.path}/status-links", on=hall.path)
    link = links(ctx, hall.venue)[0]
    elsewhere = f"{VENUES}/{hall.other.id}/status-links/{link.id}"
    assert page.get(f"{VENUES}/999999").status_code == 404
    assert page.get(f"{elsewhere}/revoke").status_code == 404
    token = csrf_token(page, hall.path)
    for path in (
        f"{VENUES}/999999/status-links",
        f"{VENUES}/999999/status-links/email",
        f"{elsewhere}/revoke",
        f"{elsewhere}/rotate",
    ):
        assert page.post(path, data={"csrf_token": token}).status_code == 404, path
    assert len(links(ctx, hall.venue)) == 1 and links(ctx, hall.venue)[0].revoked_at is None


def test_a_facilitator_gets_none_of_it(app: Flask, ctx: Context, hall: Hall) -> None:
    page = client_for(app)
    sign_in_as(page, ctx, person(ctx, Role.FACILITATOR))
    finance = create_user(ctx, Role.FINANCE)  # a link of finance's, for the forms acting on one
    link = create_link(ctx, ctx.new_uow(), finance, hall.venue.id or 0).link
    one = f"{hall.path}/status-links/{link.id}"
    for path in (VENUES, hall.path, f"{one}/revoke"):
        assert page.get(path).status_code == 403, path
    token = csrf_token(page, "/account")
    for path in (f"{hall.path}/status-links", f"{hall.path}/status-links/email"):
        assert page.post(path, data={"csrf_token": token}).status_code == 403, path
    for path in (f"{one}/revoke", f"{one}/rotate"):
        assert page.post(path, data={"csrf_token": token}).status_code == 403, path
    assert [found.revoked_at for found in links(ctx, hall.venue)] == [None]


def test_forms_without_their_csrf_token_are_refused(page: Client, ctx: Context, hall: Hall) -> None:
    for path in (f"{hall.path}/status-links", f"{hall.path}/status-links/email"):
        refused = page.post(path)
        assert refused.status_code == 400, path
    assert links(ctx, hall.venue) == []
    press(page, f"{hall.path}/status-links", on=hall.path)
    link = links(ctx, hall.venue)[0]
    for action in ("revoke", "rotate"):
        assert page.post(f"{hall.path}/status-links/{link.id}/{action}").status_code == 400
    assert [found.revoked_at for found in links(ctx, hall.venue)] == [None]

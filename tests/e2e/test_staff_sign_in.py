"""Staff sign in to the pages, through the Flask test client on each database engine: the
emailed one-time link (from the outbox to the button that signs in), the link an operator
prints, how sessions end (signing out, being disabled, a new key, idle and absolute timeouts),
CSRF on forms, roles, other people's bookings, and OpenID Connect against a real provider
on 127.0.0.1 (oidc-provider-mock)."""

from __future__ import annotations

import re
import secrets
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urljoin, urlsplit

import pytest
from flask import Flask

from service.app import create_app
from service.config import Config, OidcConfig
from service.domain.errors import NotFound
from service.domain.staff_sessions import SignInLink, StaffSession
from service.domain.users import OPERATOR, Role
from service.ports.accounts import AuthorizationRequest
from service.usecases import sign_in
from service.usecases.accounts import new_key, set_active
from service.usecases.context import Context
from service.usecases.outbox_worker import deliver_due
from service.usecases.secret_links import LinkNotFound
from service.web.pages import SESSION_COOKIE
from tests.client import Answer, Client, client_for
from tests.conftest import TEMPLATES, Staff, booking_body, plain_text, sent_emails
from tests.e2e.staff import (
    csrf_token,
    is_signed_in,
    person,
    redirected_to,
    sign_in_as,
    submit,
    use_link,
)
from tests.fakes import FrozenClock
from tests.oidc_provider import MOCK_WARNINGS, add_person, running_provider
from tests.oidc_provider import sign_in as sign_in_at_provider

# The mock provider's token endpoint warns in its own thread; this ignores that one message.
pytestmark = MOCK_WARNINGS

Who = dict[str, Any]
REQUEST_KEY = re.compile(r'name="request_key" value="([^"]+)"')
SIGN_IN_BUTTON = re.compile(r"<button[^>]*>\s*Sign in\s*</button>")
LINK = re.compile(r"https?://\S+/sign-in/[\w-]+")
LINK_REFUSED = "This sign-in link does not work"
FORM_REFUSED = "The form could not be sent"
PUBLIC_URL = "http://127.0.0.1:8000"  # where the provider sends the browser back to
CALLBACK = "/sign-in/provider/callback"


# People and browsers


def disable(ctx: Context, who: Who, *, active: bool = False) -> None:
    set_active(ctx, ctx.new_uow(), OPERATOR, who["id"], active=active)


def without_account(ctx: Context, kind: str) -> str:
    """An address with no active account: nobody's ("nobody"), or a disabled person's."""
    if kind == "nobody":
        return "nobody@example.nhs.uk"
    who = person(ctx)
    disable(ctx, who)
    return str(who["email"])


def session_secret(client: Client) -> str | None:
    cookie = client.get_cookie(SESSION_COOKIE)
    return cookie.value if cookie else None


def assert_link_refused(client: Client, path: str) -> None:
    """Opening the link and selecting its button are both refused; nobody is signed in."""
    opened = client.get(path)
    assert opened.status_code == 404 and LINK_REFUSED in opened.text
    used = submit(client, path, page="/sign-in")
    assert used.status_code == 404 and LINK_REFUSED in used.text
    assert session_secret(client) is None and not is_signed_in(client)


# Emails


def ask_for_link(client: Client, address: str) -> Answer:
    """Fill in the sign-in form; returns the page it leads to."""
    response = submit(client, "/sign-in", {"email": address})
    assert redirected_to(response) == "/sign-in/check-email"
    return client.get("/sign-in/check-email")


def emailed_link(client: Client, ctx: Context, who: Who, outbox: Path) -> str:
    """Ask for a link, let the outbox worker send it, and read it (its path) in the email."""
    page = ask_for_link(client, who["email"])
    assert "Check your email" in page.text and who["email"] in page.text
    assert deliver_due(ctx).sent == 1
    [message] = sent_emails(outbox)
    assert (
        message["To"] == who["email"] and message["Subject"] == "Your link to sign in to Roomhire"
    )
    urls: list[str] = LINK.findall(plain_text(message))
    [url] = urls
    assert url.startswith(f"{ctx.public_url}/sign-in/")
    return urlsplit(url).path


@pytest.fixture
def browser_client(app: Flask) -> Client:
    """A person's browser as a Flask test client, with a cookie jar of its own (the `client`
    fixture calls the API; the `browser` of tests/e2e/conftest.py is Chromium)."""
    return client_for(app)


@pytest.fixture
def alice(ctx: Context) -> Who:
    return person(ctx)


@pytest.fixture
def outbox(tmp_path: Path) -> Path:
    return tmp_path / "outbox"  # the embedded mailer's folder (the app's data_dir is tmp_path)


# 1. The emailed link


def test_an_emailed_link_signs_in_only_when_its_button_is_selected(
    browser_client: Client, ctx: Context, alice: Who, outbox: Path
) -> None:
    link = emailed_link(browser_client, ctx, alice, outbox)

    opened = browser_client.get(link)
    assert opened.status_code == 200 and SIGN_IN_BUTTON.search(opened.text)
    assert f'action="{link}"' in opened.text
    assert opened.headers["Referrer-Policy"] == "no-referrer"
    assert session_secret(browser_client) is None
    assert redirected_to(browser_client.get("/bookings")) == "/sign-in"

    signed_in = submit(browser_client, link)
    assert redirected_to(signed_in) == "/"
    cookie = browser_client.get_cookie(SESSION_COOKIE)
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax"
    assert redirected_to(browser_client.get("/")) == "/bookings"
    bookings = browser_client.get("/bookings")
    assert bookings.status_code == 200 and "<h1>My bookings</h1>" in bookings.text


# 2. The same answer whoever asks


def normalised(page: Answer, address: str) -> tuple[int, str]:
    """The page with the address typed and the script nonce (new on every page) left out."""
    text = re.sub(r'nonce="[^"]*"', 'nonce=""', page.text)
    return page.status_code, text.replace(address, "EMAIL")


@pytest.mark.parametrize("kind", ["nobody", "disabled"])
def test_an_address_without_an_active_account_gets_the_same_page_and_no_email(
    app: Flask, ctx: Context, alice: Who, outbox: Path, kind: str
) -> None:
    other = without_account(ctx, kind)
    known = normalised(ask_for_link(client_for(app), alice["email"]), alice["email"])
    unknown = normalised(ask_for_link(client_for(app), other), other)
    assert unknown == known
    assert deliver_due(ctx).sent == 1
    assert [message["To"] for message in sent_emails(outbox)] == [alice["email"]]


def test_no_more_than_five_links_a_quarter_hour_are_emailed_to_one_address(
    browser_client: Client, ctx: Context, alice: Who, outbox: Path
) -> None:
    for _ in range(sign_in.LINKS_PER_ADDRESS + 1):
        ask_for_link(browser_client, alice["email"])
    assert deliver_due(ctx).sent == sign_in.LINKS_PER_ADDRESS
    assert len(sent_emails(outbox)) == sign_in.LINKS_PER_ADDRESS


def test_a_link_the_worker_could_not_send_within_15_minutes_is_never_sent(
    browser_client: Client, ctx: Context, clock: FrozenClock, alice: Who, outbox: Path
) -> None:
    ask_for_link(browser_client, alice["email"])
    clock.advance(timedelta(minutes=16))
    run = deliver_due(ctx)
    assert (run.sent, run.failed) == (0, 1)
    assert sent_emails(outbox) == []


# 3. Expired and used links


@pytest.mark.parametrize(
    ("after", "works"), [(timedelta(minutes=14, seconds=59), True), (timedelta(minutes=16), False)]
)
def test_a_link_works_for_15_minutes(
    browser_client: Client,
    ctx: Context,
    clock: FrozenClock,
    alice: Who,
    outbox: Path,
    after: timedelta,
    works: bool,
) -> None:
    link = emailed_link(browser_client, ctx, alice, outbox)
    clock.advance(after)
    if works:
        assert redirected_to(submit(browser_client, link)) == "/"
        assert is_signed_in(browser_client)
    else:
        assert_link_refused(browser_client, link)


def test_a_link_works_once(app: Flask, ctx: Context, alice: Who, outbox: Path) -> None:
    first = client_for(app)
    link = emailed_link(first, ctx, alice, outbox)
    assert redirected_to(submit(first, link)) == "/"
    assert_link_refused(client_for(app), link)


def test_two_uses_of_one_link_at_the_same_moment_sign_in_once(
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    database_url: str,
    ctx: Context,
    alice: Who,
) -> None:
    """The second use starts while the first is between reading the link and marking it used
    (on SQLite it has to wait for the first's write lock; on PostgreSQL nothing stops it)."""
    token = urlsplit(sign_in.sign_in_link(ctx, alice["email"])).path.rsplit("/", 1)[1]
    secrets_made: list[str | None] = []
    others: list[threading.Thread] = []

    def use() -> None:
        try:
            secrets_made.append(sign_in.sign_in_with_link(ctx, token, "127.0.0.1"))
        except LinkNotFound:
            secrets_made.append(None)

    opens_with = SignInLink.opens_with

    def second_use_meanwhile(link: SignInLink, given: str, now: Any) -> bool:
        monkeypatch.setattr(SignInLink, "opens_with", opens_with)
        others.append(threading.Thread(target=use))
        others[0].start()
        others[0].join(timeout=0.5)  # done at once, unless it waits for our transaction
        return opens_with(link, given, now)

    monkeypatch.setattr(SignInLink, "opens_with", second_use_meanwhile)
    use()
    others[0].join()
    assert len(secrets_made) == 2
    assert len([secret for secret in secrets_made if secret]) == 1


# 4. The link an operator prints


def test_an_operator_prints_a_link_that_signs_in(
    browser_client: Client, ctx: Context, alice: Who
) -> None:
    url = sign_in.sign_in_link(ctx, f"  {alice['email'].upper()} ")
    assert url.startswith(f"{PUBLIC_URL}/sign-in/")
    assert redirected_to(use_link(browser_client, url)) == "/"
    assert is_signed_in(browser_client)


@pytest.mark.parametrize("kind", ["nobody", "disabled"])
def test_no_link_is_printed_for_an_address_without_an_active_account(
    ctx: Context, kind: str
) -> None:
    with pytest.raises(NotFound, match="no active account"):
        sign_in.sign_in_link(ctx, without_account(ctx, kind))


# 5. CSRF: a form only works from the page Roomhire showed


@pytest.fixture(params=["missing", "forged", "another browser's"])
def bad_token(request: pytest.FixtureRequest, app: Flask) -> dict[str, str]:
    if request.param == "missing":
        return {}
    if request.param == "forged":
        return {"csrf_token": "IjAxMjM0NTY3ODki.forged.signature"}
    return {"csrf_token": csrf_token(client_for(app), "/sign-in")}  # genuine, not theirs


def assert_form_refused(
    client: Client, path: str, fields: dict[str, Any], token: dict[str, str]
) -> None:
    response = client.post(path, data={**fields, **token})
    assert response.status_code == 400 and FORM_REFUSED in response.text


def test_signing_out_needs_the_form_from_roomhire(
    browser_client: Client, ctx: Context, alice: Who, bad_token: dict[str, str]
) -> None:
    sign_in_as(browser_client, ctx, alice)
    assert_form_refused(browser_client, "/sign-out", {}, bad_token)
    assert is_signed_in(browser_client)
    assert redirected_to(submit(browser_client, "/sign-out")) == "/sign-in"
    assert not is_signed_in(browser_client)


def test_a_calendar_address_needs_the_form_from_roomhire(
    browser_client: Client, ctx: Context, alice: Who, bad_token: dict[str, str]
) -> None:
    sign_in_as(browser_client, ctx, alice)
    assert_form_refused(browser_client, "/account/calendar", {}, bad_token)
    assert "You have a calendar address" not in browser_client.get("/account").text
    assert is_signed_in(browser_client)
    assert redirected_to(submit(browser_client, "/account/calendar", page="/account")) == "/account"
    assert "You have a calendar address" in browser_client.get("/account").text


def checked_booking(client: Client, room: Who) -> str:
    """Fill in the booking form and reach the check page; returns its request key."""
    answers = {
        "room_id": room["id"],
        "first[day]": "1",
        "first[month]": "12",
        "first[year]": "2026",
        "start": "13:00",
        "end": "16:00",
        "frequency": "once",
        "group_label": "Tuesday afternoon group",
        "expected_people": "10",
    }
    form = f"/bookings/new?room_id={room['id']}"
    assert redirected_to(submit(client, "/bookings/new", answers, page=form)) == "/bookings/check"
    match = REQUEST_KEY.search(client.get("/bookings/check").text)
    assert match
    return match.group(1)


def test_confirming_a_booking_needs_the_form_from_roomhire(
    browser_client: Client,
    client: Client,
    ctx: Context,
    alice: Who,
    room: Who,
    bad_token: dict[str, str],
) -> None:
    def bookings() -> list[Any]:
        return list(client.get("/api/v1/bookings", headers=alice["headers"]).json or [])

    sign_in_as(browser_client, ctx, alice)
    key = checked_booking(browser_client, room)
    assert_form_refused(browser_client, "/bookings/confirm", {"request_key": key}, bad_token)
    assert bookings() == []
    booked = submit(
        browser_client, "/bookings/confirm", {"request_key": key}, page="/bookings/check"
    )
    assert redirected_to(booked) == f"/bookings/{bookings()[0]['id']}"


# 6. Other people's bookings


def test_a_facilitator_cannot_see_or_cancel_another_facilitators_booking(
    app: Flask, client: Client, staff: Staff, ctx: Context, alice: Who, room: Who
) -> None:
    booking = staff.post("/api/v1/bookings", booking_body(room["id"]), alice)
    page = f"/bookings/{booking['id']}"
    mine, theirs = client_for(app), client_for(app)
    sign_in_as(mine, ctx, alice)
    sign_in_as(theirs, ctx, person(ctx))

    own = mine.get(page)
    assert own.status_code == 200 and "Tuesday afternoon group" in own.text
    for path in (page, f"{page}/cancel", "/bookings/2147483647"):
        response = theirs.get(path)
        assert response.status_code == 404 and "Page not found" in response.text, path
        assert "Tuesday afternoon group" not in response.text
    # the cancel form sent with a genuine token of their own (here from the sign-out page)
    cancelled = submit(theirs, f"{page}/cancel", page="/sign-out")
    assert cancelled.status_code == 404 and "Page not found" in cancelled.text
    still = client.get(f"/api/v1/bookings/{booking['id']}", headers=alice["headers"]).json
    assert still is not None
    assert [s["status"] for s in still["sessions"]] == ["booked"]


# 7. How a session ends


def test_disabling_a_person_ends_their_session_for_good(
    browser_client: Client, ctx: Context, alice: Who
) -> None:
    sign_in_as(browser_client, ctx, alice)
    disable(ctx, alice)
    assert not is_signed_in(browser_client)
    disable(ctx, alice, active=True)
    assert not is_signed_in(browser_client)  # ended, not merely hidden while disabled


def test_a_new_api_key_ends_the_persons_sessions_and_nobody_elses(
    app: Flask, ctx: Context, alice: Who
) -> None:
    hers, his = client_for(app), client_for(app)
    sign_in_as(hers, ctx, alice)
    sign_in_as(his, ctx, person(ctx))
    new_key(ctx, ctx.new_uow(), OPERATOR, alice["id"])
    assert not is_signed_in(hers)
    assert is_signed_in(his)


def test_signing_out_ends_the_session_and_its_cookie_no_longer_works(
    app: Flask, ctx: Context, alice: Who
) -> None:
    browser, phone = client_for(app), client_for(app)
    sign_in_as(browser, ctx, alice)
    sign_in_as(phone, ctx, alice)
    secret = session_secret(browser)
    assert secret

    assert redirected_to(submit(browser, "/sign-out")) == "/sign-in"
    assert session_secret(browser) is None
    assert "You have signed out." in browser.get("/sign-in").text
    copied = client_for(app)
    copied.set_cookie(SESSION_COOKIE, secret)
    assert not is_signed_in(copied)
    assert is_signed_in(phone)  # signing out on one device leaves the others


def test_a_session_ended_while_one_of_its_requests_is_under_way_stays_ended(
    browser_client: Client,
    ctx: Context,
    clock: FrozenClock,
    alice: Who,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sign_in_as(browser_client, ctx, alice)
    clock.advance(timedelta(minutes=5))  # so the next request notes that she is still here
    stale = StaffSession.stale

    def key_replaced_meanwhile(session: StaffSession, now: Any) -> bool:
        monkeypatch.setattr(StaffSession, "stale", stale)
        new_key(ctx, ctx.new_uow(), OPERATOR, alice["id"])
        return stale(session, now)

    monkeypatch.setattr(StaffSession, "stale", key_replaced_meanwhile)
    # The request under way finds its session ended when it notes activity: signed out at once.
    assert browser_client.get("/account").status_code == 302
    assert not is_signed_in(browser_client)


# 8. Timeouts


@pytest.mark.parametrize(
    ("idle", "still_in"), [(timedelta(minutes=29), True), (timedelta(minutes=31), False)]
)
def test_a_session_ends_after_30_minutes_without_a_request(
    browser_client: Client,
    ctx: Context,
    clock: FrozenClock,
    alice: Who,
    idle: timedelta,
    still_in: bool,
) -> None:
    sign_in_as(browser_client, ctx, alice)
    clock.advance(idle)
    assert is_signed_in(browser_client) is still_in


def test_a_session_ends_12_hours_after_signing_in_however_busy(
    browser_client: Client, ctx: Context, clock: FrozenClock, alice: Who
) -> None:
    sign_in_as(browser_client, ctx, alice)
    for _ in range(35):  # a request every 20 minutes, for 11 hours 40 minutes
        clock.advance(timedelta(minutes=20))
        assert is_signed_in(browser_client)
    clock.advance(timedelta(minutes=20))
    assert not is_signed_in(browser_client)


# 9. Roles


@pytest.mark.parametrize("role", [Role.FINANCE, Role.ADMIN])
def test_only_facilitators_use_the_booking_pages(
    browser_client: Client, ctx: Context, role: Role
) -> None:
    sign_in_as(browser_client, ctx, person(ctx, role))
    assert redirected_to(browser_client.get("/")) == "/finance"  # their work to do
    for path in ("/rooms", "/bookings"):
        response = browser_client.get(path)
        assert response.status_code == 403 and "You cannot use this page" in response.text, path


# Where signing in leads


def test_signing_in_leads_back_to_the_page_asked_for(
    browser_client: Client, ctx: Context, alice: Who
) -> None:
    asked = browser_client.get("/bookings?past=yes")
    assert redirected_to(asked) == "/sign-in"
    browser_client.get(asked.location)
    response = use_link(browser_client, sign_in.sign_in_link(ctx, alice["email"]))
    assert response.location == "/bookings?past=yes"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "/\t/evil.example/",
        "/\n/evil.example/",
    ],
)
def test_signing_in_never_leads_to_another_site(
    browser_client: Client, ctx: Context, alice: Who, target: str
) -> None:
    browser_client.get("/sign-in", query_string={"next": target})
    response = use_link(browser_client, sign_in.sign_in_link(ctx, alice["email"]))
    assert response.status_code == 302
    # As a browser_client reads the Location: tabs and newlines dropped, backslashes made slashes.
    location = re.sub(r"[\t\n\r]", "", response.location).replace("\\", "/")
    assert urlsplit(urljoin("http://localhost/sign-in/x", location)).netloc == "localhost"


# 10. OpenID Connect


@pytest.fixture(scope="module")
def issuer() -> Iterator[str]:
    with running_provider(require_nonce=True) as url:
        yield url


@pytest.fixture
def oidc_app(database_url: str, clock: FrozenClock, tmp_path: Path, issuer: str) -> Iterator[Flask]:
    """The app of conftest's `app` fixture, with the provider configured."""
    oidc = OidcConfig(issuer, "roomhire", "roomhire-secret")
    config = Config(
        database_url, "test-secret", tmp_path, TEMPLATES, public_url=PUBLIC_URL, oidc=oidc
    )
    app = create_app(config, clock=clock)
    app.config["TESTING"] = True
    yield app
    app.extensions["roomhire.engine"].dispose()


@pytest.fixture
def oidc_ctx(oidc_app: Flask) -> Context:
    context: Context = oidc_app.extensions["roomhire"]
    return context


def at_provider(client: Client, sub: str, *, deny: bool = False) -> dict[str, str]:
    """Select "sign in with your organisation" and sign in there as `sub` (or refuse): the
    query the browser brings back to the callback."""
    response = client.get("/sign-in/provider")
    assert response.status_code == 302
    return sign_in_at_provider(AuthorizationRequest(response.location, {}), sub, deny=deny)


def assert_provider_refused(client: Client, callback: dict[str, str]) -> None:
    response = client.get(CALLBACK, query_string=callback)
    assert response.status_code == 400 and "You could not be signed in" in response.text
    assert session_secret(client) is None and not is_signed_in(client)


@pytest.mark.slow
def test_a_person_signs_in_through_their_organisation(
    oidc_app: Flask, oidc_ctx: Context, issuer: str
) -> None:
    alice, browser = person(oidc_ctx), client_for(oidc_app)
    assert "Sign in with your organisation" in browser.get("/sign-in").text
    to_provider = browser.get("/sign-in/provider")
    assert to_provider.location.startswith(f"{issuer}/oauth2/authorize?")
    asked = dict(parse_qsl(urlsplit(to_provider.location).query))
    assert asked["redirect_uri"] == f"{PUBLIC_URL}{CALLBACK}"

    sub = f"alice-{secrets.token_hex(4)}"
    add_person(issuer, sub, {"email": alice["email"].upper(), "email_verified": True})
    callback = sign_in_at_provider(AuthorizationRequest(to_provider.location, {}), sub)
    assert redirected_to(browser.get(CALLBACK, query_string=callback)) == "/"
    assert redirected_to(browser.get("/")) == "/bookings"
    assert browser.get("/bookings").status_code == 200


@pytest.mark.slow
@pytest.mark.parametrize("how", ["forged state", "denied at the provider", "another browser"])
def test_a_callback_that_does_not_check_out_is_refused(
    oidc_app: Flask, oidc_ctx: Context, how: str
) -> None:
    alice, browser = person(oidc_ctx), client_for(oidc_app)
    callback = at_provider(browser, alice["email"], deny=how == "denied at the provider")
    if how == "forged state":
        callback["state"] = "forged"
    if how == "another browser":  # someone else's callback, slipped to a victim
        browser = client_for(oidc_app)
    assert_provider_refused(browser, callback)


@pytest.mark.slow
def test_a_replayed_callback_is_refused(oidc_app: Flask, oidc_ctx: Context) -> None:
    alice, browser = person(oidc_ctx), client_for(oidc_app)
    callback = at_provider(browser, alice["email"])
    flask_session = oidc_app.config["SESSION_COOKIE_NAME"]
    kept = browser.get_cookie(flask_session)  # holds the state, nonce and PKCE verifier
    assert kept is not None
    assert redirected_to(browser.get(CALLBACK, query_string=callback)) == "/"

    again = browser.get(CALLBACK, query_string=callback)
    assert again.status_code == 400 and "You could not be signed in" in again.text
    assert not any(SESSION_COOKIE in c for c in again.headers.getlist("Set-Cookie"))
    copy = client_for(oidc_app)  # the browser's cookies as they were, and the same callback
    copy.set_cookie(flask_session, kept.value)
    assert_provider_refused(copy, callback)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["nobody", "disabled"])
def test_a_person_without_an_active_account_is_told_so(
    oidc_app: Flask, oidc_ctx: Context, kind: str
) -> None:
    address, browser = without_account(oidc_ctx, kind), client_for(oidc_app)
    response = browser.get(CALLBACK, query_string=at_provider(browser, address))
    assert response.status_code == 403
    assert f"There is no Roomhire account for {address}" in response.text
    assert session_secret(browser) is None and not is_signed_in(browser)

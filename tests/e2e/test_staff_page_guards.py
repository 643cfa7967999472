"""Every finance and admin page and form, read from the app's own routes (so a page added
later is checked without being listed here): a facilitator is refused all of them, finance
is refused the admin ones, and every form posted without its CSRF token is refused before
anything is read or changed (every form of every page, not just these)."""

from __future__ import annotations

import itertools
import re
from typing import Any

import pytest
from flask import Flask, url_for
from werkzeug.routing import AnyConverter, BaseConverter, Rule

from service.domain.users import Role
from tests.client import Client
from tests.e2e.staff import browser_as, csrf_token

FORBIDDEN = "You cannot use this page"
EXPIRED = "The form could not be sent"


def staff_pages(app: Flask, *prefixes: str) -> list[tuple[str, str]]:
    """(method, address) of every route under the prefixes, an id of 1 in each placeholder."""
    found = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if rule.rule.startswith(prefixes):
                methods = sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
                found += [(method, address) for address in _addresses(rule) for method in methods]
    return found


def _addresses(rule: Rule) -> list[str]:
    """The rule's addresses: 1 for each id, every choice of an `any(...)` part, a string of
    noughts of the length a fixed-length part wants."""
    choices = {name: _samples(converter) for name, converter in rule._converters.items()}
    return [
        url_for(rule.endpoint, **dict(zip(choices, values, strict=True)))
        for values in itertools.product(*choices.values())
    ]


def _samples(converter: BaseConverter) -> list[Any]:
    if isinstance(converter, AnyConverter):
        return sorted(converter.items)
    if length := re.search(r"\{(\d+)", converter.regex):  # string(length=64): a key
        return ["0" * int(length.group(1))]
    return [1]


def refuses(client: Client, method: str, address: str) -> None:
    if method == "GET":
        response = client.get(address)
    else:
        response = client.post(address, data={"csrf_token": csrf_token(client, "/account")})
    assert response.status_code == 403, (method, address, response.status_code)
    if response.mimetype == "text/html":  # a chart or a download says so in a line of text
        assert FORBIDDEN in response.text, (method, address)


@pytest.fixture
def guarded(app: Flask) -> list[tuple[str, str]]:
    pages = staff_pages(app, "/finance", "/admin")
    assert len(pages) > 40 and {m for m, _ in pages} == {"GET", "POST"}, pages
    return pages


def test_a_facilitator_is_refused_every_finance_and_admin_page_and_form(
    app: Flask, guarded: list[tuple[str, str]]
) -> None:
    facilitator = browser_as(app, Role.FACILITATOR)
    for method, address in guarded:
        refuses(facilitator, method, address)


def test_finance_is_refused_every_admin_page_and_form(app: Flask) -> None:
    finance = browser_as(app, Role.FINANCE)
    pages = staff_pages(app, "/admin")
    assert len(pages) > 10
    for method, address in pages:
        refuses(finance, method, address)


def test_every_form_without_its_token_is_refused(app: Flask) -> None:
    """Every page's form, not only finance's and admin's: all but the API's."""
    admin = browser_as(app, Role.ADMIN)
    every = staff_pages(app, "/")
    posts = [a for m, a in every if m == "POST" and not a.startswith(("/api/", "/status"))]
    assert len(posts) > 30 and "/bookings/1/sessions/1/move" in posts
    for address in posts:
        response = admin.post(address, data={"csrf_token": "not-the-token"})
        assert response.status_code == 400 and EXPIRED in response.text, address
        response = admin.post(address, data={})
        assert response.status_code == 400 and EXPIRED in response.text, address

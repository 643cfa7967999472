"""Staff in the pages through the Flask test client: a person with an account, forms sent with
their CSRF token, and signing in with a one-time link."""

from __future__ import annotations

import re
import secrets
from html import unescape
from typing import Any
from urllib.parse import urlsplit

from flask import Flask

from service.domain.users import OPERATOR, Role
from service.usecases import sign_in
from service.usecases.accounts import create_user
from service.usecases.context import Context
from tests.client import Answer, Client, client_for

Who = dict[str, Any]
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
REPEATED_HEADING = re.compile(r'<span class="nhsuk-table__heading" aria-hidden="true">[^<]*</span>')


def text(html: str) -> str:
    """A page's words: no tags, entities decoded, spaces collapsed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def shown_text(html: str) -> str:
    """What a person reads: `text`, without the headings a table repeats in each cell for
    narrow screens."""
    return text(
        re.sub(r'<span class="nhsuk-table__heading" aria-hidden="true">[^<]*</span>', "", html)
    )


def person(ctx: Context, role: Role = Role.FACILITATOR, trust_id: int | None = None) -> Who:
    """A staff member: id, email and API key headers (like `Staff.user`, with the email)."""
    address = f"{role.value}-{secrets.token_hex(4)}@example.nhs.uk"
    user, key = create_user(
        ctx, ctx.new_uow(), OPERATOR, email=address, role=role, trust_id=trust_id
    )
    return {"id": user.id, "email": user.email, "headers": {"Authorization": f"Bearer {key}"}}


def csrf_token(client: Client, page: str) -> str:
    """The hidden token of the form on `page`, as the person's browser would send it."""
    response = client.get(page)
    match = CSRF_FIELD.search(response.text)
    assert match, f"no form on {page} ({response.status_code})"
    return match.group(1)


def submit(
    client: Client, path: str, fields: dict[str, Any] | None = None, *, page: str = ""
) -> Answer:
    """Send the form posting to `path` as filled in on `page` (by default, `path` itself)."""
    return client.post(
        path, data={"csrf_token": csrf_token(client, page or path), **(fields or {})}
    )


def redirected_to(response: Answer) -> str:
    assert response.status_code == 302, (response.status_code, response.text[:300])
    return urlsplit(response.location).path


def is_signed_in(client: Client) -> bool:
    response = client.get("/account")
    if response.status_code == 200:
        return True
    assert redirected_to(response) == "/sign-in"
    return False


def use_link(client: Client, url: str) -> Answer:
    """Open a sign-in link and select the button it shows."""
    return submit(client, urlsplit(url).path)


def sign_in_as(client: Client, ctx: Context, who: Who) -> None:
    assert redirected_to(use_link(client, sign_in.sign_in_link(ctx, who["email"]))) == "/"
    assert is_signed_in(client)


def browser_as(app: Flask, role: Role = Role.FINANCE) -> Client:
    """A new person with `role`, signed in in a client of their own."""
    ctx = app.extensions["roomhire"]
    page = client_for(app)
    sign_in_as(page, ctx, person(ctx, role))
    return page

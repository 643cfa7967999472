"""Signing in with the organisation's identity provider, in real headless Chromium: a real
OpenID Connect provider on 127.0.0.1 (oidc-provider-mock), the app served over HTTP."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from adapters.db.migrate import upgrade
from service.app import create_app
from service.config import Config, OidcConfig
from service.domain.users import OPERATOR, Role
from service.usecases.accounts import create_user
from tests.conftest import TEMPLATES
from tests.e2e.conftest import assert_accessible
from tests.e2e.live import free_port
from tests.oidc_provider import MOCK_WARNINGS, add_person, running_provider

pytestmark = [MOCK_WARNINGS, pytest.mark.slow]  # real Chromium and an OpenID provider
SHOTS = Path(__file__).parents[2] / "test-output" / "oidc-sign-in"


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app, configured with the provider, on 127.0.0.1; Sam has an account, Kim not."""
    folder = tmp_path_factory.mktemp("oidc")
    url = f"sqlite:///{folder / 'roomhire.db'}"
    upgrade(url)
    port = free_port()
    with running_provider(require_nonce=True) as issuer:
        add_person(issuer, "sam", {"email": "Sam.Jones@NHS.net", "email_verified": True})
        add_person(issuer, "kim", {"email": "kim@nhs.net", "email_verified": True})
        oidc = OidcConfig(issuer, "roomhire", "roomhire-secret")
        public = f"http://127.0.0.1:{port}"
        app = create_app(
            Config(url, "test-secret", folder, TEMPLATES, public_url=public, oidc=oidc)
        )
        ctx = app.extensions["roomhire"]
        create_user(ctx, ctx.new_uow(), OPERATOR, email="sam.jones@nhs.net", role=Role.FACILITATOR)
        server = make_server("127.0.0.1", port, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield public
        server.shutdown()
        thread.join()
        app.extensions["roomhire.engine"].dispose()


def at_the_provider(base: str, browser: Any, sub: str) -> Any:
    """From Roomhire's sign-in page through the provider's form, as `sub`."""
    page = browser.new_page()
    page.goto(base + "/")
    check(page, "sign-in")
    page.get_by_role("link", name="Sign in with your organisation's account").click()
    assert not page.url.startswith(base)  # at the provider
    page.locator("input[name=sub]").fill(sub)
    with page.expect_navigation(url=f"{base}/**"):
        page.locator("input[name=sub]").press("Enter")
    return page


def check(page: Any, name: str) -> None:
    assert_accessible(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (320, 375, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"{name}-{width}px.png"), full_page=True)


def test_a_person_with_an_account_signs_in_at_their_organisation(base: str, browser: Any) -> None:
    page = at_the_provider(base, browser, "sam")
    assert page.url == f"{base}/bookings"
    assert page.get_by_role("heading", level=1).inner_text() == "My bookings"
    assert "sam.jones@nhs.net" in page.locator("header").inner_text()
    page.close()


def test_a_person_without_an_account_is_told_so(base: str, browser: Any) -> None:
    page = at_the_provider(base, browser, "kim")
    heading = page.get_by_role("heading", level=1).inner_text()
    assert heading == "There is no Roomhire account for kim@nhs.net"
    check(page, "no-account")
    page.goto(base + "/bookings")
    assert page.url.startswith(f"{base}/sign-in")  # not signed in
    page.close()

"""What the staff pages' Chromium journeys share: the app served on 127.0.0.1 with a frozen
clock, signing in by the emailed link, and checking each page a journey reaches (axe-core,
WCAG 2.2 AA; screenshots at 375 and 1280 px, with nothing wider than the screen)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from service.usecases.outbox_worker import deliver_due
from tests.client import client_for
from tests.conftest import Staff, plain_text, sent_emails
from tests.e2e.conftest import assert_accessible
from tests.e2e.live import served
from tests.fakes import FrozenClock

WIDTHS = (375, 1280)


@dataclass
class Site:
    base: str
    app: Flask
    staff: Staff
    clock: FrozenClock
    outbox: Path
    shots: Path


@contextmanager
def live_site(tmp_path_factory: pytest.TempPathFactory, name: str) -> Iterator[Site]:
    """The app served for one test module; screenshots go to test-output/<name>/."""
    folder, clock = tmp_path_factory.mktemp(name), FrozenClock()
    with served(folder, clock) as (base, app):
        shots = Path(__file__).parents[2] / "test-output" / name
        shots.mkdir(parents=True, exist_ok=True)
        yield Site(base, app, Staff(app, client_for(app)), clock, folder / "outbox", shots)


class Checked:
    """Each page the journey reaches, numbered in its screenshots' names.

    axe-core never finishes in a page with JavaScript turned off (Chromium 156, Playwright
    1.65), so it runs in a second page with it on, signed in as the same person: for a GET,
    opening the same address again (it changes nothing); for a POST's answer (`posted`),
    which opening the address would not give, the same HTML served at the same address, so
    the page's own stylesheets load."""

    def __init__(self, site: Site, page: Any, journey: str) -> None:
        self.site, self.page, self.journey, self.count = site, page, journey, 0

    def __call__(self, name: str) -> None:
        checker = self._checker()
        checker.goto(self.page.url)
        assert checker.url == self.page.url
        self._check(checker, name)

    def posted(self, name: str) -> None:
        html, url = self.page.content(), self.page.url
        checker = self._checker()
        checker.route(url, lambda route: route.fulfill(body=html, content_type="text/html"))
        checker.goto(url)
        self._check(checker, name)

    def _checker(self) -> Any:
        context = self.page.context
        return context.browser.new_context(storage_state=context.storage_state()).new_page()

    def _check(self, checker: Any, name: str) -> None:
        assert_accessible(checker)
        checker.context.close()
        self.count += 1
        size = self.page.viewport_size
        for width in WIDTHS:
            self.page.set_viewport_size({"width": width, "height": 900})
            path = self.site.shots / f"{self.journey}-{self.count:02d}-{name}-{width}px.png"
            self.page.screenshot(path=str(path), full_page=True)
            assert self.page.evaluate("document.documentElement.scrollWidth") <= width, name
        self.page.set_viewport_size(size)


def sign_in(site: Site, page: Any, email: str) -> None:
    """As a person does: ask for a link, open the email the outbox worker wrote, sign in."""
    page.goto(site.base + "/")
    page.get_by_label("Your work email address").fill(email)
    page.get_by_role("button", name="Email me a sign-in link").click()
    deliver_due(site.app.extensions["roomhire"])
    message = next(m for m in reversed(sent_emails(site.outbox)) if m["To"] == email)
    link = re.search(r"http://\S+/sign-in/\S+", plain_text(message))
    assert link
    page.goto(link.group(0))
    page.get_by_role("button", name="Sign in").click()


def email_of(site: Site, user_id: int) -> str:
    with site.app.extensions["roomhire"].new_reader() as reader:
        return str(reader.users.get(user_id).email)


def signed_in_page(
    site: Site, browser: Any, user_id: int, journey: str, **options: Any
) -> tuple[Any, Checked]:
    """A new page without JavaScript (browser context `options` added), the person signed in
    on it, and the checker of the `journey`'s pages. A missing element fails in seconds."""
    page = browser.new_context(java_script_enabled=False, **options).new_page()
    page.set_default_timeout(10_000)
    check = Checked(site, page, journey)
    sign_in(site, page, email_of(site, user_id))
    return page, check


def heading(page: Any) -> str:
    return str(page.get_by_role("heading", level=1).inner_text())

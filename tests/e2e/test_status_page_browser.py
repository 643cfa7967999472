"""The status page as a venue volunteer sees it: real gunicorn, real headless Chromium (Debian's
`chromium`, driven by Playwright), on a phone and on a desktop."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.client import Client
from tests.e2e.conftest import create_link, path_of
from tests.e2e.live import gunicorn

pytestmark = pytest.mark.slow  # pages in real Chromium, and gunicorn


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("width", [320, 375, 1280])
def test_a_venue_reads_its_paid_on_hold_and_unpaid_invoices(
    browser: Any,
    client: Client,
    trust_finance: dict[str, Any],
    reconciled: list[dict[str, Any]],
    venue_room: dict[str, Any],
    database_url: str,
    tmp_path: Path,
    width: int,
) -> None:
    link = create_link(client, trust_finance, venue_room["venue_id"])
    with gunicorn(database_url, tmp_path) as base:
        page = browser.new_page(viewport={"width": width, "height": 900}, java_script_enabled=False)
        errors: list[str] = []
        page.on("console", lambda message: errors.append(message.text))
        response = page.goto(base + path_of(link))
        assert response is not None and response.status == 200
        assert page.title() == "Your invoices \N{EN DASH} Roomhire"
        assert page.get_by_role("heading", level=1).inner_text() == "Your invoices to the NHS"
        cards = page.locator("ol.invoices > li")
        assert cards.count() == 6
        first = cards.nth(5)  # newest first: SMCH0001 is last
        assert first.get_by_role("heading").inner_text() == "Invoice SMCH0001"
        assert "Paid" in first.locator(".badge").inner_text()
        assert "remittance 7713388" in first.inner_text()
        held = cards.nth(4)
        assert held.locator(".badge").inner_text().endswith("On hold")
        assert "hasn't confirmed the sessions yet" in held.inner_text()
        unpaid = cards.nth(0)
        assert "Sent to NHS accounts on" in unpaid.inner_text()
        # Nothing spills sideways on a phone: the page is no wider than the screen.
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        font = first.locator(".words").evaluate("e => getComputedStyle(e).fontSize")
        assert float(font.removesuffix("px")) >= 16
        # The stylesheet loaded under the strict Content-Security-Policy (badges coloured).
        paid_colour = first.locator(".badge").evaluate("e => getComputedStyle(e).backgroundColor")
        assert paid_colour == "rgb(0, 127, 59)"
        assert errors == []  # no CSP violations or missing files reported
        for element in [*page.locator(".badge").all(), page.locator(".words").first]:
            text, back = element.evaluate(
                "e => [getComputedStyle(e).color, getComputedStyle(e).backgroundColor]"
            )
            back = "rgb(255, 255, 255)" if back == "rgba(0, 0, 0, 0)" else back  # the white card
            assert contrast(text, back) >= 4.5, (element.inner_text(), text, back)  # WCAG AA
        shot = tmp_path / f"status-page-{width}px.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000
        print(f"screenshot: {shot}")
        page.close()


def contrast(foreground: str, background: str) -> float:
    """WCAG contrast ratio of two CSS rgb() colours."""

    def luminance(colour: str) -> float:
        channels = [int(c) / 255 for c in colour.removeprefix("rgb(").rstrip(")").split(",")[:3]]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    lighter, darker = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)

"""Fixtures of the end-to-end tests: real headless Chromium (Debian's `chromium`, driven by
Playwright), one browser per test module, and the accessibility check every page gets; a real
SMTP server; six invoices emailed to accounts payable, and finance's export about them; the
secret status links venues open."""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from adapters.email.smtp import SmtpMailer, SmtpSettings
from service.domain.users import Role
from service.usecases.context import Context
from service.usecases.outbox_worker import deliver_due
from tests.client import Client
from tests.conftest import Staff, book_tuesdays, issue
from tests.e2e.exports import export, for_invoice, upload
from tests.e2e.smtp_server import Inbox, smtp_server
from tests.fakes import FrozenClock

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
Who = dict[str, Any]
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    playwright = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed: apt-get install chromium (make test does)")
    with playwright.sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


def assert_accessible(page: Any) -> None:
    """No axe-core violation at WCAG 2.2 AA on the page as it is now."""
    axe = pytest.importorskip("axe_playwright_python.sync_playwright")
    results = axe.Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_22_AA}})
    assert results.violations_count == 0, results.generate_report()


# Email


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    with smtp_server(Inbox()) as server:
        yield server


@pytest.fixture
def smtp_ctx(app: Flask, inbox: tuple[Inbox, int]) -> Context:
    ctx: Context = app.extensions["roomhire"]
    mailer = SmtpMailer(SmtpSettings("127.0.0.1", inbox[1], starttls=False, timeout=5))
    return dataclasses.replace(ctx, mailer=mailer)


def send(client: Client, finance: Who, invoice: Any) -> Any:
    response = client.post(f"/api/v1/invoices/{invoice['id']}/send", headers=finance["headers"])
    assert response.status_code == 202, response.json
    return response.json


# Invoices and finance's exports


@pytest.fixture
def venue_room(staff: Staff) -> Who:
    venue = staff.venue(name="St Mark's Community Hall CIC", supplier_number="220871")
    return staff.room(venue["id"])


@pytest.fixture
def trust_finance(staff: Staff, trust: Who) -> Who:
    """Finance staff of the `trust` (the `finance` fixture belongs to no trust): told of its
    invoices' holds, and their imports are the trust's."""
    return staff.user(Role.FINANCE, trust["id"])


Booker = Callable[..., tuple[Who, Any]]


@pytest.fixture
def tuesdays(staff: Staff, trust: Who, trust_finance: Who, venue_room: Who) -> Booker:
    """Books Tuesdays at `venue_room` (`book_tuesdays`, with the fields given) for a new
    facilitator of the `trust`, on a new PO of the trust: (the facilitator, the booking)."""

    def book(**fields: Any) -> tuple[Who, Any]:
        facilitator = staff.user(Role.FACILITATOR, trust["id"])
        po = staff.purchase_order(trust["id"], venue_room["venue_id"], trust_finance)
        return facilitator, book_tuesdays(staff, facilitator, venue_room, po, **fields)

    return book


@pytest.fixture
def invoices(
    app: Flask, client: Client, trust_finance: Who, tuesdays: Booker, clock: FrozenClock
) -> list[Who]:
    """Six invoices of the `trust` at `venue_room` (one per Tuesday session, £75 each),
    emailed to accounts payable on 4 January 2027."""
    tuesdays(invoice_cadence="per_session")
    clock.current = datetime(2027, 1, 4, 9, tzinfo=UTC)
    issued: list[Who] = issue(client, trust_finance, "2026-12-31")["issued"]
    for invoice in issued:
        send(client, trust_finance, invoice)
    deliver_due(app.extensions["roomhire"], batch=100)
    assert [i["number"] for i in issued] == [f"SMCH{n:04d}" for n in range(1, 7)]
    return issued


@pytest.fixture
def reconciled(client: Client, trust_finance: Who, invoices: list[Who]) -> list[Who]:
    """Invoice 1 paid, 2 on hold (QTY REC), 3 approved, 4 received, 5 and 6 only emailed."""
    paid = {"approval": "Approved", "payment_date": "29-JAN-2027", "payment_number": "7713388"}
    response = upload(
        client,
        trust_finance,
        export(
            for_invoice(invoices[0], paid="75.00", **paid),
            for_invoice(invoices[1], hold="QTY REC"),
            for_invoice(invoices[2], approval="Approved"),
            for_invoice(invoices[3]),
        ),
    )
    assert response.status_code == 201
    return invoices


@pytest.fixture
def waived_credit_note(
    client: Client, trust_finance: Who, tuesdays: Booker, clock: FrozenClock
) -> tuple[Who, dict[str, Who]]:
    """A December session cancelled late, invoiced, then waived: (its credit note, the invoices
    issued by number)."""
    facilitator, booking = tuesdays(sessions=2)
    clock.current = datetime(2026, 11, 30, 12, tzinfo=UTC)  # 25 hours before 1 December
    late = booking["sessions"][1]["id"]
    client.post(f"/api/v1/sessions/{late}/cancel", headers=facilitator["headers"])
    clock.current = datetime(2027, 1, 4, 9, tzinfo=UTC)
    issued = {i["number"]: i for i in issue(client, trust_finance, "2026-12-31")["issued"]}
    waived = client.post(f"/api/v1/sessions/{late}/waive", headers=trust_finance["headers"])
    return waived.json["credit_note"], issued


# Status links


def create_link(client: Client, who: Who, venue_id: int, **body: Any) -> Any:
    response = client.post(
        f"/api/v1/venues/{venue_id}/status-links", json=body, headers=who["headers"]
    )
    assert response.status_code == 201, response.json
    return response.json


def path_of(link: Any) -> str:
    return str(link["url"]).removeprefix("http://127.0.0.1:8000")

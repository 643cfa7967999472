"""Invoice numbers are unique and gapless: concurrent runs and failures half-way."""

from __future__ import annotations

import dataclasses
import shutil
import threading
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from jinja2 import UndefinedError
from sqlalchemy import text

from adapters.pdf.weasyprint_renderer import WeasyPrintRenderer
from service.domain.bookings import InvoiceCadence
from service.domain.errors import Conflict
from service.domain.invoicing import Document, Invoice
from service.domain.recurrence import Frequency
from service.domain.users import Role, User
from service.ports.invoicing import InvoiceRenderer
from service.usecases.context import Context
from service.usecases.invoicing import issue_invoices
from tests import builders
from tests.client import client_for
from tests.conftest import TEMPLATES, Staff, pdf_text
from tests.fakes import FrozenClock

SESSIONS = 4
VENUES = 2
THROUGH = date(2027, 1, 31)
FINANCE = User(email="finance@example.org", role=Role.FINANCE, key_hash="")


@pytest.fixture
def due(ctx: Context, clock: FrozenClock) -> int:
    """Per-session bookings at two venues, all held by the time the clock is moved on."""
    trust = builders.create_trust(ctx)
    facilitator = builders.create_user(ctx, Role.FACILITATOR, trust.id)
    assert trust.id
    for v in range(VENUES):
        venue = builders.create_venue(ctx, name=f"Hall {v} CIC")
        assert venue.id
        room = builders.create_room(ctx, venue.id)
        po = builders.create_purchase_order(
            ctx,
            trust.id,
            venue.id,
            number=f"RZZPO000000{v}",
            approved_value_pence=10**7,
            valid_to=date(2027, 12, 31),
        )
        for start in (9, 13):
            builders.create_booking(
                ctx,
                facilitator,
                room.id or 0,
                frequency=Frequency.WEEKLY,
                sessions=SESSIONS,
                start_time=time(start),
                end_time=time(start + 2),
                invoice_cadence=InvoiceCadence.PER_SESSION,
                purchase_order_id=po.id,
            )
    clock.current = datetime(2027, 2, 1, 9, tzinfo=UTC)
    return VENUES * 2 * SESSIONS


def _numbers(app: Flask) -> dict[int, list[str]]:
    with app.extensions["roomhire.engine"].connect() as conn:
        rows = conn.execute(text("SELECT venue_id, number FROM invoices ORDER BY id")).all()
    by_venue: dict[int, list[str]] = {}
    for venue_id, number in rows:
        by_venue.setdefault(venue_id, []).append(number)
    return by_venue


def _assert_gapless(app: Flask, expected: int) -> None:
    by_venue = _numbers(app)
    assert sum(len(n) for n in by_venue.values()) == expected
    for numbers in by_venue.values():
        assert sorted(int(n[-4:]) for n in numbers) == list(range(1, len(numbers) + 1))
        assert len(set(numbers)) == len(numbers)


def test_racing_issue_runs_issue_every_invoice_exactly_once(
    app: Flask, staff: Staff, due: int
) -> None:
    finance = staff.user(Role.FINANCE)
    barrier = threading.Barrier(8)
    counts: list[int] = []

    def run() -> None:
        client = client_for(app)
        barrier.wait()
        response = client.post(
            "/api/v1/invoices/issue", json={"through": "2027-01-31"}, headers=finance["headers"]
        )
        assert response.status_code == 200, response.json
        counts.append(len(response.json["issued"]))

    threads = [threading.Thread(target=run) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(counts) == [0] * 7 + [due]
    _assert_gapless(app, due)


class FailingRenderer(InvoiceRenderer):
    def __init__(self, real: Any, fail_on: int) -> None:
        self.real, self.fail_on, self.calls = real, fail_on, 0

    def render(self, invoice: Invoice) -> Document:
        self.calls += 1
        if self.calls == self.fail_on:
            raise Conflict("renderer failed (injected)")
        document: Document = self.real.render(invoice)
        return document


@pytest.mark.parametrize("fail_on", [1, 3, 8])
def test_a_failure_half_way_issues_nothing_and_leaves_no_gap(
    app: Flask, due: int, fail_on: int
) -> None:
    ctx = app.extensions["roomhire"]
    failing = dataclasses.replace(ctx, renderer=FailingRenderer(ctx.renderer, fail_on))
    with pytest.raises(Conflict, match="injected"):
        issue_invoices(failing, failing.new_uow(), FINANCE, THROUGH)
    assert _numbers(app) == {}
    with app.extensions["roomhire.engine"].connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM invoice_counters")).scalar_one() == 0
    report = issue_invoices(ctx, ctx.new_uow(), FINANCE, THROUGH)
    assert len(report.issued) == due
    _assert_gapless(app, due)


def test_a_run_rendered_by_helper_processes_is_numbered_and_stored_in_order(
    app: Flask, due: int
) -> None:
    ctx = app.extensions["roomhire"]
    shared = dataclasses.replace(ctx, renderer=WeasyPrintRenderer(TEMPLATES, processes=2))
    report = issue_invoices(shared, shared.new_uow(), FINANCE, THROUGH)
    assert len(report.issued) == due
    _assert_gapless(app, due)
    with ctx.new_uow() as uow:
        for invoice in report.issued:
            [pdf] = uow.invoices.documents(invoice.id or 0)
            assert f"Invoice number {invoice.number}" in " ".join(pdf_text(pdf.content).split())


def test_a_helper_processes_failure_half_way_issues_nothing(
    app: Flask, due: int, tmp_path: Path
) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    page = templates / "invoice.html"
    fails = "{% if invoice.number.endswith('0002') %}{{ no_such_value }}{% endif %}"
    page.write_text(page.read_text().replace("<body>", "<body>" + fails))
    ctx = app.extensions["roomhire"]
    failing = dataclasses.replace(ctx, renderer=WeasyPrintRenderer(templates, processes=2))
    with pytest.raises(UndefinedError, match="no_such_value"):
        issue_invoices(failing, failing.new_uow(), FINANCE, THROUGH)
    assert _numbers(app) == {}
    assert len(issue_invoices(ctx, ctx.new_uow(), FINANCE, THROUGH).issued) == due

"""Invoices to a trust on PEPPOL travel as e-invoices through an access point, through the
same outbox as email: sent once with proof (the transmission id), retried on 5xx, dead-
lettered on a refusal for finance to see and send again; the venue's copy still goes by email.
The access point is a fake REST API on 127.0.0.1 (tests/e2e/fake_access_point.py)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from adapters.einvoice.access_point_http import HttpAccessPoint
from service.config import Config, ConfigError
from service.domain.users import Role
from service.ports.delivery import PermanentDeliveryError, TemporaryDeliveryError
from service.usecases.context import Context
from service.usecases.outbox_worker import deliver_due
from tests.builders import TRUST
from tests.client import Client
from tests.conftest import Staff, book_tuesdays, issue
from tests.e2e.conftest import send
from tests.e2e.fake_access_point import API_KEY, FakeAccessPoint, fake_access_point
from tests.e2e.live import free_port
from tests.e2e.staff import browser_as, text
from tests.fakes import FrozenClock

BANK = {"bank_sort_code": "65-43-21", "bank_account_number": "87654321"}
TRUST_ID = "0088:5012345678900"
VENUE_ID = "9932:GB987654321"
Who = dict[str, Any]


@pytest.fixture
def on_peppol(app: Flask, client: Client, staff: Staff, clock: FrozenClock) -> tuple[Who, Who]:
    """Finance of a trust whose invoices travel by PEPPOL, and its invoice for December (the
    venue's booking invitation already sent)."""
    trust = staff.trust(peppol_id=TRUST_ID, invoice_delivery="peppol")
    assert trust["invoice_delivery"] == "peppol"
    finance = staff.user(Role.FINANCE, trust["id"])
    venue = staff.venue(name="St Mark's Community Hall CIC", vat_number="GB987654321", **BANK)
    room = staff.room(venue["id"], name="Hall", vat_treatment="exempt")
    facilitator = staff.user(Role.FACILITATOR, trust["id"])
    po = staff.purchase_order(trust["id"], venue["id"], finance)
    book_tuesdays(staff, facilitator, room, po, sessions=2, first_date="2026-12-01")
    clock.current = datetime(2027, 1, 4, 9, tzinfo=UTC)
    (invoice,) = issue(client, finance, "2026-12-31")["issued"]
    deliver_due(app.extensions["roomhire"])
    return finance, invoice


@pytest.fixture
def access_point(app: Flask) -> Iterator[tuple[FakeAccessPoint, Context]]:
    with fake_access_point() as (fake, base_url):
        ctx: Context = app.extensions["roomhire"]
        yield fake, dataclasses.replace(ctx, access_point=HttpAccessPoint(base_url, API_KEY))


def _outbox(client: Client, finance: Who, query: str = "") -> list[Who]:
    return list(client.get(f"/api/v1/outbox{query}", headers=finance["headers"]).json)


def test_an_invoice_travels_once_through_the_access_point_with_proof(
    client: Client, on_peppol: tuple[Who, Who], access_point: tuple[FakeAccessPoint, Context]
) -> None:
    finance, invoice = on_peppol
    fake, ctx = access_point
    queued = send(client, finance, invoice)
    routes = {m["recipient"]: m["to"] for m in queued}
    assert routes == {"access_point": TRUST_ID, "venue_copy": "hall@example.org"}
    assert deliver_due(ctx).sent == 2
    (transmission,) = fake.transmitted.values()
    assert transmission.sender == f"iso6523-actorid-upis::{VENUE_ID}"
    assert transmission.receiver == f"iso6523-actorid-upis::{TRUST_ID}"
    xml = client.get(f"/api/v1/invoices/{invoice['id']}.xml", headers=finance["headers"])
    assert transmission.document == xml.data
    (sent,) = [m for m in _outbox(client, finance) if m["recipient"] == "access_point"]
    assert sent["state"] == "sent" and transmission.id in sent["server_reply"]
    # asking again sends nothing more
    assert [m["id"] for m in send(client, finance, invoice)] == [m["id"] for m in queued]
    assert deliver_due(ctx).handled == 0 and fake.requests == 1


def test_the_same_message_id_is_never_transmitted_twice(
    client: Client, on_peppol: tuple[Who, Who], access_point: tuple[FakeAccessPoint, Context]
) -> None:
    """A worker that died after the access point accepted sends again with the same key."""
    finance, invoice = on_peppol
    fake, ctx = access_point
    document = client.get(f"/api/v1/invoices/{invoice['id']}.xml", headers=finance["headers"]).data
    first = ctx.access_point.send(
        document=document, sender=VENUE_ID, receiver=TRUST_ID, message_id="<INV-1@x>"
    )
    again = ctx.access_point.send(
        document=document, sender=VENUE_ID, receiver=TRUST_ID, message_id="<INV-1@x>"
    )
    assert first.split()[-1] == again.split()[-1] and len(fake.transmitted) == 1


def test_the_access_point_refuses_an_invalid_document_with_its_findings(
    access_point: tuple[FakeAccessPoint, Context],
) -> None:
    """The fake validates what it is given, so every e-invoice transmitted above was valid."""
    fake, ctx = access_point
    with pytest.raises(PermanentDeliveryError, match=r"invalid document.*XSD"):
        ctx.access_point.send(
            document=b"<?xml version='1.0'?><Invoice/>",
            sender=VENUE_ID,
            receiver=TRUST_ID,
            message_id="<INV-2@x>",
        )
    assert fake.transmitted == {}


def test_an_access_point_that_is_not_there_is_a_temporary_failure() -> None:
    nowhere = HttpAccessPoint(f"http://127.0.0.1:{free_port()}/api", API_KEY, timeout=2)
    with pytest.raises(TemporaryDeliveryError, match="unreachable"):
        nowhere.send(document=b"<x/>", sender=VENUE_ID, receiver=TRUST_ID, message_id="<m>")


def test_a_503_is_retried_until_the_access_point_accepts(
    client: Client,
    on_peppol: tuple[Who, Who],
    access_point: tuple[FakeAccessPoint, Context],
    clock: FrozenClock,
) -> None:
    finance, invoice = on_peppol
    fake, ctx = access_point
    fake.script = [503]
    send(client, finance, invoice)
    run = deliver_due(ctx)
    assert (run.sent, run.retrying) == (1, 1)
    (waiting,) = [m for m in _outbox(client, finance) if m["recipient"] == "access_point"]
    assert waiting["state"] == "pending" and waiting["last_error"].startswith("503")
    assert deliver_due(ctx).handled == 0  # not due yet: backoff
    clock.advance(timedelta(minutes=2))
    assert deliver_due(ctx).sent == 1 and len(fake.transmitted) == 1


def test_a_refusal_is_dead_lettered_for_finance_who_can_send_it_again(
    app: Flask,
    client: Client,
    on_peppol: tuple[Who, Who],
    access_point: tuple[FakeAccessPoint, Context],
) -> None:
    finance, invoice = on_peppol
    fake, ctx = access_point
    fake.script = [400]
    send(client, finance, invoice)
    assert deliver_due(ctx).failed == 1
    (failed,) = _outbox(client, finance, "?state=failed")
    assert failed["to"] == TRUST_ID and failed["last_error"].startswith("400")
    assert "receiver unknown (400)" in failed["last_error"]
    page = text(browser_as(app, Role.FINANCE).get("/finance/outbox").text)
    assert "Invoices and emails that failed to send" in page
    assert "Trust's e-invoice, through PEPPOL: 0088:5012345678900" in page
    assert "receiver unknown (400)" in page and "mail server or the PEPPOL access point" in page
    retried = client.post(f"/api/v1/outbox/{failed['id']}/retry", headers=finance["headers"])
    assert retried.status_code == 200 and retried.json["state"] == "pending"
    assert deliver_due(ctx).sent == 1 and len(fake.transmitted) == 1


def test_the_embedded_default_writes_the_e_invoice_into_a_folder(
    app: Flask, client: Client, on_peppol: tuple[Who, Who], tmp_path: Path
) -> None:
    finance, invoice = on_peppol
    send(client, finance, invoice)
    assert deliver_due(app.extensions["roomhire"]).sent == 2
    (written,) = (tmp_path / "peppol-outbox").glob("*.xml")
    xml = client.get(f"/api/v1/invoices/{invoice['id']}.xml", headers=finance["headers"])
    assert written.read_bytes() == xml.data and invoice["number"] in written.name


def test_peppol_delivery_needs_the_trust_s_peppol_id(client: Client, staff: Staff) -> None:
    refused = client.post(
        "/api/v1/trusts",
        json={**TRUST, "invoice_delivery": "peppol"},
        headers=staff.admin["headers"],
    )
    assert refused.status_code == 422, refused.json
    assert "PEPPOL participant id" in str(refused.json)
    trust = staff.trust(peppol_id=TRUST_ID, invoice_delivery="peppol")
    path = f"/api/v1/trusts/{trust['id']}"
    dropped = client.patch(path, json={"peppol_id": None}, headers=staff.admin["headers"])
    assert dropped.status_code == 422, dropped.json
    back = client.patch(
        path, json={"peppol_id": None, "invoice_delivery": "email"}, headers=staff.admin["headers"]
    )
    assert back.status_code == 200 and back.json["invoice_delivery"] == "email"


def test_a_wrong_access_point_setting_is_a_clear_startup_error(tmp_path: Path) -> None:
    env = {"ROOMHIRE_DATA_DIR": str(tmp_path), "ROOMHIRE_SECRET_KEY": "x"}
    assert Config.from_env(env).access_point is None
    with pytest.raises(ConfigError, match="ROOMHIRE_ACCESS_POINT_URL must be an http"):
        Config.from_env({**env, "ROOMHIRE_ACCESS_POINT_URL": "ap.example.com"})
    with pytest.raises(ConfigError, match="ROOMHIRE_ACCESS_POINT_API_KEY"):
        Config.from_env({**env, "ROOMHIRE_ACCESS_POINT_URL": "https://ap.example.com/api"})
    config = Config.from_env(
        {
            **env,
            "ROOMHIRE_ACCESS_POINT_URL": "https://ap.example.com/api/",
            "ROOMHIRE_ACCESS_POINT_API_KEY": "k",
        }
    )
    assert config.access_point is not None
    assert config.access_point.base_url == "https://ap.example.com/api"

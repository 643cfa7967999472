"""Fixtures: the app on SQLite and, when ROOMHIRE_TEST_DATABASE_URL is set, on PostgreSQL."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import chdir
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import JSON, Engine, String, create_engine, text

from adapters.db.migrate import upgrade
from service.app import create_app
from service.cli import main
from service.config import Config
from service.domain.users import OPERATOR, Role
from service.usecases.accounts import create_user
from service.usecases.context import Context
from tests import builders
from tests.client import Client, client_for
from tests.fakes import FrozenClock

SERVER_URL = os.environ.get("ROOMHIRE_TEST_DATABASE_URL")
# Each run gets a schema of its own, so two runs against one database cannot clobber each other.
PG_SCHEMA = f"roomhire_test_{os.getpid()}"
PG_URL = SERVER_URL and f"{SERVER_URL}?options=-csearch_path%3D{PG_SCHEMA},public"
TEMPLATES = Path(__file__).parents[1] / "invoice_templates"
ENGINES = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrate once; each test gets a copy of the file."""
    path = tmp_path_factory.mktemp("template") / "roomhire.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def migrated_postgresql() -> Iterator[Engine]:
    if not PG_URL:
        pytest.skip("PostgreSQL not configured: set ROOMHIRE_TEST_DATABASE_URL to run this on it")
    assert SERVER_URL
    server = create_engine(SERVER_URL)
    with server.begin() as conn:
        conn.execute(text("CREATE EXTENSION IF NOT EXISTS btree_gist SCHEMA public"))
        conn.execute(text(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE; CREATE SCHEMA {PG_SCHEMA}"))
    upgrade(PG_URL)
    engine = create_engine(PG_URL)
    yield engine
    engine.dispose()
    with server.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {PG_SCHEMA} CASCADE"))
    server.dispose()


def _truncate(engine: Engine) -> None:
    with engine.begin() as conn:
        tables = conn.execute(
            text(
                "SELECT tablename FROM pg_tables WHERE schemaname = :schema "
                "AND tablename <> 'alembic_version'"
            ),
            {"schema": PG_SCHEMA},
        ).scalars()
        conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=ENGINES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database on each engine."""
    if request.param == "sqlite":
        path = tmp_path / "roomhire.db"
        shutil.copy(request.getfixturevalue("migrated_sqlite"), path)
        return f"sqlite:///{path}"
    engine = request.getfixturevalue("migrated_postgresql")
    _truncate(engine)
    assert PG_URL
    return PG_URL


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def app(database_url: str, clock: FrozenClock, tmp_path: Path) -> Iterator[Flask]:
    app = create_app(Config(database_url, "test-secret", tmp_path, TEMPLATES), clock=clock)
    app.config["TESTING"] = True
    yield app
    app.extensions["roomhire.engine"].dispose()


@pytest.fixture
def client(app: Flask) -> Client:
    return client_for(app)


@pytest.fixture
def ctx(app: Flask) -> Context:
    """What every use case takes first: the app's adapters and settings."""
    context: Context = app.extensions["roomhire"]
    return context


class Staff:
    """Creates users and directory entries the way a person would: through the API."""

    def __init__(self, app: Flask, client: Client) -> None:
        self.app, self.client = app, client
        self.admin = self.user(Role.ADMIN)

    def user(self, role: Role, trust_id: int | None = None) -> dict[str, Any]:
        ctx = self.app.extensions["roomhire"]
        email = f"{role.value}-{os.urandom(4).hex()}@example.org"
        user, key = create_user(
            ctx, ctx.new_uow(), OPERATOR, email=email, role=role, trust_id=trust_id
        )
        return {"id": user.id, "headers": {"Authorization": f"Bearer {key}"}}

    def post(self, path: str, body: dict[str, Any], who: dict[str, Any] | None = None) -> Any:
        response = self.client.post(path, json=body, headers=(who or self.admin)["headers"])
        assert response.status_code == 201, response.json
        return response.json

    def venue(self, **overrides: Any) -> dict[str, Any]:
        return dict(self.post("/api/v1/venues", {**builders.VENUE, **overrides}))

    def trust(self, **overrides: Any) -> dict[str, Any]:
        return dict(self.post("/api/v1/trusts", {**builders.TRUST, **overrides}))

    def purchase_order(
        self, trust_id: int, venue_id: int, who: dict[str, Any], **overrides: Any
    ) -> dict[str, Any]:
        body = {
            "number": "RZZPO0000123",
            "trust_id": trust_id,
            "venue_id": venue_id,
            "cost_centre": "CC4410",
            "approved_value_pence": 100_000,
            "valid_from": "2026-11-01",
            "valid_to": "2027-03-31",
            **overrides,
        }
        return dict(self.post("/api/v1/purchase-orders", body, who))

    def room(self, venue_id: int, **overrides: Any) -> dict[str, Any]:
        body = {
            "name": "Main hall",
            "capacity": 20,
            "step_free": True,
            "price_per_hour_pence": 2500,
            "vat_treatment": "exempt",
            **overrides,
        }
        return dict(self.post(f"/api/v1/venues/{venue_id}/rooms", body))


@pytest.fixture
def staff(app: Flask, client: Client) -> Staff:
    return Staff(app, client)


@pytest.fixture
def trust(staff: Staff) -> dict[str, Any]:
    return staff.trust()


@pytest.fixture
def facilitator(staff: Staff, trust: dict[str, Any]) -> dict[str, Any]:
    """Of the trust: only its POs can cover their bookings."""
    return staff.user(Role.FACILITATOR, trust_id=trust["id"])


@pytest.fixture
def room(staff: Staff) -> dict[str, Any]:
    return staff.room(staff.venue()["id"], setup_minutes=15, clearaway_minutes=15)


def booking_body(room_id: int, **overrides: Any) -> dict[str, Any]:
    return {
        "room_id": room_id,
        "group_label": "Tuesday afternoon group",
        "first_date": "2026-12-01",
        "start_time": "13:00",
        "end_time": "16:00",
        **overrides,
    }


@pytest.fixture
def finance(staff: Staff) -> dict[str, Any]:
    return staff.user(Role.FINANCE)


@pytest.fixture
def po(
    staff: Staff, finance: dict[str, Any], room: dict[str, Any], trust: dict[str, Any]
) -> dict[str, Any]:
    """A £1,000 purchase order of the trust for the `room`'s venue."""
    return staff.purchase_order(trust["id"], room["venue_id"], finance)


def book_tuesdays(
    staff: Staff, who: dict[str, Any], room: dict[str, Any], po: dict[str, Any], **overrides: Any
) -> Any:
    """Weekly from Tuesday 24 November 2026, 13:00-16:00, six sessions, on the PO."""
    fields = {
        "first_date": "2026-11-24",
        "frequency": "weekly",
        "sessions": 6,
        "purchase_order_id": po["id"],
        **overrides,
    }
    return staff.post("/api/v1/bookings", booking_body(room["id"], **fields), who)


def issue(client: Client, finance: dict[str, Any], through: str, **extra: Any) -> Any:
    response = client.post(
        "/api/v1/invoices/issue", json={"through": through, **extra}, headers=finance["headers"]
    )
    assert response.status_code == 200, response.json
    return response.json


@dataclass(frozen=True)
class Ran:
    returncode: int
    stdout: str
    stderr: str


def roomhire(data_dir: Path, *args: str, **env: str) -> Ran:
    """The `roomhire` command run in-process (a subprocess spends over a second on imports),
    from the data folder with the embedded default unless `env` overrides it. An unexpected
    exception fails the test, as a traceback would."""
    environment: dict[str, str | None] = {
        "ROOMHIRE_DATABASE_URL": None,
        "ROOMHIRE_DATA_DIR": str(data_dir),
        **env,
    }
    with chdir(data_dir):
        result = CliRunner().invoke(main, args, env=environment, catch_exceptions=False)
    return Ran(result.exit_code, result.stdout, result.stderr)


def sent_emails(outbox: Path) -> list[EmailMessage]:
    """The emails the file mailer (the embedded default) wrote to `outbox`, oldest first."""
    return [
        message_from_bytes(path.read_bytes(), _class=EmailMessage, policy=policy.default)
        for path in sorted(outbox.glob("*.eml"), key=lambda path: path.stat().st_mtime)
    ]


def plain_text(message: EmailMessage) -> str:
    """The words of an email as a mail program without HTML shows them."""
    return _body(message, "plain")


def html_body(message: EmailMessage) -> str:
    """The HTML of an email, as most mail programs show it."""
    return _body(message, "html")


def _body(message: EmailMessage, subtype: str) -> str:
    body = message.get_body((subtype,))
    assert body is not None, message
    return str(body.get_content())


def pdf_text(pdf: bytes) -> str:
    """The words of a PDF laid out as on the page (poppler's pdftotext)."""
    run = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return run.stdout.decode()


def audit_trail(app: Flask, entity: str, entity_id: int) -> list[tuple[str, Any]]:
    """(action, detail) of each audit event about one entity, oldest first."""
    query = text(
        "SELECT action, detail FROM audit_events WHERE entity = :entity AND entity_id = :id "
        "ORDER BY id"
    ).columns(action=String, detail=JSON)
    with app.extensions["roomhire.engine"].connect() as db:
        return [
            (action, detail)
            for action, detail in db.execute(query, {"entity": entity, "id": entity_id})
        ]

"""schemathesis with every check against the app's own OpenAPI, as an admin, on SQLite.

In-process (WSGI, no server, no network), a bounded number of examples per operation and a
derandomized seed, so a run is the same every time and stays under a minute. Each operation is
one test; every failure is either fixed or excluded below with the reason."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, settings
from schemathesis import Case

from service.app import create_app
from service.config import Config
from service.usecases.demo import load_directory
from tests.conftest import TEMPLATES
from tests.fakes import FrozenClock

pytestmark = pytest.mark.slow  # the schemathesis fuzz of every operation

EXAMPLES_PER_OPERATION = 25
# Disabling or re-keying accounts could lock the fuzzer's own admin key out halfway (every
# later call a 401); test_accounts covers those two.
LOCKOUTS = r"^/api/v1/users/\{user_id\}/(disable|new-key)$"
# Every check runs but one. positive_data_acceptance expects any request the schema allows
# to succeed; Roomhire refuses many such requests on purpose, with 422 and a reason the schema
# can't express: business rules (a PO number in its trust's format, a UK postcode, the end
# after the start, an Idempotency-Key reused with another body) and value rules beyond JSON
# Schema (dates within 2000-2100, no control characters or half surrogate pairs in text).
# Its other finding, an empty If-Match answering 412, is fixed and tested in
# test_directory_edits.
NOT_CHECKED = [schemathesis.checks.positive_data_acceptance]
# And on reads, negative_data_rejection: a GET's only input is its query string, and unknown
# query parameters are ignored, not refused (docs/api.md says so); the check counts
# `?anything=1` answered 200 as a failure. Bad values of known parameters still answer 422,
# and every other check still runs on reads.
NOT_CHECKED_ON_READS = [*NOT_CHECKED, schemathesis.checks.negative_data_rejection]


@pytest.fixture(scope="module")
def fuzzed_app(
    migrated_sqlite: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Flask, str]]:
    """One app and database for the whole run, loaded with the demo directory so ids exist."""
    data_dir = tmp_path_factory.mktemp("fuzz")
    shutil.copy(migrated_sqlite, data_dir / "roomhire.db")
    config = Config(f"sqlite:///{data_dir / 'roomhire.db'}", "test-secret", data_dir, TEMPLATES)
    app = create_app(config, clock=FrozenClock())
    ctx = app.extensions["roomhire"]
    keys = load_directory(ctx, ctx.new_uow())
    assert keys is not None
    yield app, keys["admin@demo.roomhire.invalid"]
    app.extensions["roomhire.engine"].dispose()


@pytest.fixture(scope="module")
def api_schema(fuzzed_app: tuple[Flask, str]) -> schemathesis.BaseSchema:
    app, _ = fuzzed_app
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


@pytest.fixture
def schemathesis_node_id(request: pytest.FixtureRequest) -> None:
    """schemathesis 4 names each operation's subtest by rewriting `node._nodeid`, which pytest 9
    no longer has: give it one to start from."""
    request.node._nodeid = request.node.nodeid


schema = schemathesis.pytest.from_fixture("api_schema").exclude(path_regex=LOCKOUTS)


@pytest.mark.usefixtures("schemathesis_node_id")
@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_check_passes(
    case: Case[Any],  # an operation of any shape (APIOperation has four type parameters)
    fuzzed_app: tuple[Flask, str],
) -> None:
    _, admin_key = fuzzed_app
    case.call_and_validate(
        headers={"Authorization": f"Bearer {admin_key}"},
        excluded_checks=NOT_CHECKED_ON_READS if case.method == "GET" else NOT_CHECKED,
    )

"""Secret links and API keys never reach the access log of the real server (gunicorn as
`roomhire serve` runs it); only their hashes are stored, so the log must not hold them."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from flask import Flask

from service.domain.users import Role
from service.usecases.sign_in import sign_in_link
from tests.client import Client
from tests.conftest import Staff
from tests.e2e.conftest import create_link
from tests.e2e.live import gunicorn

pytestmark = pytest.mark.slow  # gunicorn


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_access_log_keeps_requests_but_not_their_secrets(
    app: Flask,
    client: Client,
    staff: Staff,
    room: dict[str, Any],
    database_url: str,
    tmp_path: Path,
) -> None:
    finance, facilitator = staff.user(Role.FINANCE), staff.user(Role.FACILITATOR)
    status = urlsplit(create_link(client, finance, room["venue_id"])["url"]).path
    made = client.post("/api/v1/me/calendar-address", headers=facilitator["headers"])
    calendar = urlsplit(made.json["url"]).path
    ctx = app.extensions["roomhire"]
    with ctx.new_reader() as reader:
        email = reader.users.get(facilitator["id"]).email
    sign_in = urlsplit(sign_in_link(ctx, email)).path
    secrets = [p.rsplit("/", 1)[1].removesuffix(".ics") for p in (status, calendar, sign_in)] + [
        facilitator["headers"]["Authorization"].split()[1]
    ]

    with gunicorn(database_url, tmp_path) as base:
        for path in (status, f"{status}.json", calendar, sign_in, "/status/wrong-guess"):
            requests.get(base + path, timeout=10)
        requests.get(f"{base}/api/v1/me", headers=facilitator["headers"], timeout=10)
    log = (tmp_path / "gunicorn.log").read_text()

    assert re.search(r'"GET /status/… HTTP/1.1" 200', log)  # the request is still there
    assert '"GET /calendar/… HTTP/1.1" 200' in log
    assert '"GET /sign-in/… HTTP/1.1"' in log  # expired by the real clock: the test's is frozen
    assert '"GET /api/v1/me HTTP/1.1" 200' in log
    for secret in secrets:
        assert secret not in log

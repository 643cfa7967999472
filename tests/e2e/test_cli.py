"""The `roomhire` command as an operator runs it: the installed command in a subprocess with its
own environment (that it starts, serves and finds its files), and the commands' logic
in-process."""

from __future__ import annotations

import re
import socket
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests

from service.domain.users import Role
from tests.conftest import Staff, booking_body, roomhire
from tests.e2e.live import ROOMHIRE, environment, free_port, run
from tests.fakes import FrozenClock


@pytest.mark.slow
def test_upgrade_demo_and_users_on_the_embedded_database(tmp_path: Path) -> None:
    assert run(tmp_path, "db", "upgrade").returncode == 0
    assert (tmp_path / "roomhire.db").exists()
    demo = run(tmp_path, "demo")
    assert demo.returncode == 0, demo.stderr
    keys = re.findall(r"rh_[A-Za-z0-9_-]{40,}", demo.stdout)
    assert len(keys) == 3
    again = run(tmp_path, "demo")
    assert "already loaded" in again.stdout and not re.search(r"rh_\w{40}", again.stdout)

    created = run(tmp_path, "users", "create", "--email", "Sam@Example.org", "--role", "finance")
    assert created.returncode == 0 and "finance sam@example.org" in created.stdout
    duplicate = run(tmp_path, "users", "create", "--email", "sam@example.org", "--role", "admin")
    assert duplicate.returncode == 1
    assert "already exists" in duplicate.stderr and "Traceback" not in duplicate.stderr
    bad_role = run(tmp_path, "users", "create", "--email", "x@example.org", "--role", "boss")
    assert bad_role.returncode == 2 and "Invalid value for '--role'" in bad_role.stderr


@pytest.mark.slow
def test_a_wrong_database_url_is_a_clear_message(tmp_path: Path) -> None:
    result = run(tmp_path, "db", "upgrade", ROOMHIRE_DATABASE_URL="mysql://nope")
    assert result.returncode == 1
    assert "ROOMHIRE_DATABASE_URL must be" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.slow
def test_serve_runs_gunicorn_with_the_demo_keys_working(tmp_path: Path) -> None:
    run(tmp_path, "db", "upgrade")
    key = re.findall(r"rh_[A-Za-z0-9_-]{40,}", run(tmp_path, "demo").stdout)[1]
    port = free_port()
    server = subprocess.Popen(
        [ROOMHIRE, "serve", "--port", str(port), "--workers", "1"],
        env=environment(tmp_path),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        started = time.monotonic()  # gunicorn's start is slow on a busy machine: wait a minute
        while True:
            try:
                me = requests.get(
                    f"{base}/api/v1/me", headers={"Authorization": f"Bearer {key}"}, timeout=5
                )
                break
            except requests.RequestException:
                assert server.poll() is None and time.monotonic() - started < 60
                time.sleep(0.1)
        assert me.json()["role"] == "facilitator"
        # Four clients sending their headers a byte at a time don't hold up anyone else,
        # even with one worker (gthread: each holds a thread, not the worker). A blocked
        # worker would time every request out, so the bound is loose.
        slow = [socket.create_connection(("127.0.0.1", port)) for _ in range(4)]
        for client in slow:
            client.sendall(b"GET /healthz HTTP/1.1\r\nHo")
        started = time.monotonic()
        for _ in range(5):
            assert requests.get(f"{base}/healthz", timeout=5).status_code == 200
            for client in slow:
                client.sendall(b"s")
        assert time.monotonic() - started < 10
        for client in slow:
            client.close()
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_invoices_issue_from_the_command_line(
    database_url: str, staff: Staff, clock: FrozenClock, tmp_path: Path
) -> None:
    clock.current = datetime(2025, 1, 1, 9, tzinfo=UTC)  # so the sessions are held by now
    finance = staff.user(Role.FINANCE)
    room = staff.room(staff.venue()["id"])
    trust = staff.trust()
    po = staff.purchase_order(
        trust["id"],
        room["venue_id"],
        finance,
        number="RZZPO0000001",
        valid_from="2025-01-01",
        valid_to="2025-12-31",
    )
    staff.post(
        "/api/v1/bookings",
        booking_body(
            room["id"],
            first_date="2025-01-07",
            frequency="weekly",
            sessions=2,
            purchase_order_id=po["id"],
            facilitator_id=staff.user(Role.FACILITATOR, trust_id=trust["id"])["id"],
        ),
    )

    env = {"ROOMHIRE_DATABASE_URL": database_url}
    first = roomhire(tmp_path, "invoices", "issue", "--through", "2025-01-31", **env)
    assert first.returncode == 0, first.stderr
    assert "issued CHAP0001  PO RZZPO0000001  £150.00  (2 sessions)" in first.stdout
    assert "1 issued, 0 refused." in first.stdout
    again = roomhire(tmp_path, "invoices", "issue", "--through", "2025-01-31", **env)
    assert "0 issued, 0 refused." in again.stdout
    wrong = roomhire(tmp_path, "invoices", "issue", "--through", "31/01/2025", **env)
    assert wrong.returncode == 2 and "Invalid value for '--through'" in wrong.stderr


def test_users_belong_to_an_existing_trust(tmp_path: Path) -> None:
    roomhire(tmp_path, "db", "upgrade")
    missing = roomhire(
        tmp_path,
        "users",
        "create",
        "--email",
        "f@example.org",
        "--role",
        "facilitator",
        "--trust",
        "999",
    )
    assert missing.returncode == 1 and "There is no trust 999" in missing.stderr


def test_outbox_run_once_delivers_what_is_due_and_exits(
    database_url: str, staff: Staff, clock: FrozenClock, tmp_path: Path
) -> None:
    clock.current = datetime(2025, 1, 1, 9, tzinfo=UTC)
    finance = staff.user(Role.FINANCE)
    room = staff.room(staff.venue()["id"])
    trust = staff.trust(send_on_issue=True)
    po = staff.purchase_order(
        trust["id"], room["venue_id"], finance, valid_from="2025-01-01", valid_to="2025-12-31"
    )
    staff.post(
        "/api/v1/bookings",
        booking_body(
            room["id"],
            first_date="2025-01-07",
            purchase_order_id=po["id"],
            facilitator_id=staff.user(Role.FACILITATOR, trust_id=trust["id"])["id"],
        ),
    )
    env = {"ROOMHIRE_DATABASE_URL": database_url}
    assert (
        "1 issued"
        in roomhire(tmp_path, "invoices", "issue", "--through", "2025-01-31", **env).stdout
    )
    delivered = roomhire(tmp_path, "outbox", "run", "--once", **env)
    assert delivered.returncode == 0, delivered.stderr
    # the venue's invitation to the booking, the invoice to accounts payable and its copy
    assert "3 sent, 0 to retry, 0 failed." in delivered.stdout
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 3
    assert "0 sent" in roomhire(tmp_path, "outbox", "run", "--once", **env).stdout

"""Admin manages staff accounts: add someone, stop a leaver's key, replace a lost one."""

from __future__ import annotations

import contextlib
import re
import threading
from pathlib import Path
from typing import Any

from flask import Flask

from service.domain.errors import Conflict
from service.domain.users import OPERATOR, Role, User
from service.usecases.accounts import create_user, set_active
from tests.client import Client
from tests.conftest import Staff, roomhire

Who = dict[str, Any]


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def me(client: Client, headers: dict[str, str]) -> int:
    return client.get("/api/v1/me", headers=headers).status_code


def test_admin_adds_disables_enables_and_rekeys_a_person(client: Client, staff: Staff) -> None:
    admin = staff.admin["headers"]
    trust = staff.trust()
    body = {"email": "Sam@Trust.NHS.uk", "role": "facilitator", "trust_id": trust["id"]}
    made = client.post("/api/v1/users", json=body, headers=admin)
    assert made.status_code == 201, made.json
    sam, key = made.json, made.json["api_key"]
    assert (sam["email"], sam["role"], sam["active"]) == ("sam@trust.nhs.uk", "facilitator", True)
    assert me(client, bearer(key)) == 200
    listed = client.get("/api/v1/users", headers=admin).json
    assert [u["email"] for u in listed if u["id"] == sam["id"]] == ["sam@trust.nhs.uk"]
    assert all("api_key" not in u and "key_hash" not in u for u in listed)
    calendar = client.post("/api/v1/me/calendar-address", headers=bearer(key))
    calendar_path = calendar.json["url"].removeprefix("http://127.0.0.1:8000")

    disabled = client.post(f"/api/v1/users/{sam['id']}/disable", headers=admin)
    assert disabled.status_code == 200 and disabled.json["active"] is False
    assert me(client, bearer(key)) == 401
    assert client.get(calendar_path).status_code == 404
    enabled = client.post(f"/api/v1/users/{sam['id']}/enable", headers=admin)
    assert enabled.json["active"] is True and me(client, bearer(key)) == 200

    rekeyed = client.post(f"/api/v1/users/{sam['id']}/new-key", headers=admin)
    assert rekeyed.status_code == 200
    new_key = rekeyed.json["api_key"]
    assert new_key != key and me(client, bearer(key)) == 401 and me(client, bearer(new_key)) == 200


def test_account_requests_are_checked(client: Client, staff: Staff) -> None:
    admin = staff.admin["headers"]
    finance = staff.user(Role.FINANCE)
    finance_email = client.get("/api/v1/me", headers=finance["headers"]).json["email"]
    for path in ("/api/v1/users/1/disable", "/api/v1/users/1/new-key"):
        assert client.post(path, headers=finance["headers"]).status_code == 403
    assert client.get("/api/v1/users", headers=finance["headers"]).status_code == 403
    assert client.post("/api/v1/users/999/disable", headers=admin).status_code == 404
    for body, code in [
        ({"email": finance_email.upper(), "role": "finance"}, 409),
        ({"email": "x@example.org", "role": "boss"}, 422),
        ({"email": "not-an-email", "role": "admin"}, 422),
        ({"email": "x@example.org", "role": "facilitator", "trust_id": 999}, 404),
        ({"email": "x@example.org", "role": "facilitator", "trust_id": "1"}, 422),
    ]:
        response = client.post("/api/v1/users", json=body, headers=admin)
        assert response.status_code == code, (body, response.json)
    assert "x@example.org" not in str(client.get("/api/v1/users", headers=admin).json)


def test_the_last_active_admin_cannot_be_disabled(client: Client, staff: Staff) -> None:
    admin = staff.admin
    refused = client.post(f"/api/v1/users/{admin['id']}/disable", headers=admin["headers"])
    assert refused.status_code == 409 and "last active admin" in refused.json["detail"]
    other = staff.user(Role.ADMIN)
    allowed = client.post(f"/api/v1/users/{admin['id']}/disable", headers=other["headers"])
    assert allowed.status_code == 200
    assert me(client, admin["headers"]) == 401


def test_operators_manage_accounts_from_the_command_line(tmp_path: Path) -> None:
    assert roomhire(tmp_path, "db", "upgrade").returncode == 0
    made = roomhire(tmp_path, "users", "create", "--email", "sam@example.org", "--role", "finance")
    assert made.returncode == 0, made.stderr
    listed = roomhire(tmp_path, "users", "list")
    assert re.search(r"finance\s+sam@example.org\s+-\s+active", listed.stdout), listed.stdout
    assert "disabled" in roomhire(tmp_path, "users", "disable", "SAM@example.org").stdout
    assert re.search(r"sam@example.org\s+-\s+disabled", roomhire(tmp_path, "users", "list").stdout)
    assert "active" in roomhire(tmp_path, "users", "enable", "sam@example.org").stdout
    rekeyed = roomhire(tmp_path, "users", "new-key", "sam@example.org")
    assert rekeyed.returncode == 0 and re.search(r"^rh_[\w-]{43}$", rekeyed.stdout, re.M)
    missing = roomhire(tmp_path, "users", "disable", "nobody@example.org")
    assert missing.returncode == 1 and "no user nobody@example.org" in missing.stderr.lower()
    last = roomhire(tmp_path, "users", "create", "--email", "boss@example.org", "--role", "admin")
    assert last.returncode == 0
    refused = roomhire(tmp_path, "users", "disable", "boss@example.org")
    assert refused.returncode == 1 and "last active admin" in refused.stderr
    assert "Traceback" not in missing.stderr + refused.stderr


def test_two_admins_disabling_each_other_at_once_leave_one_active(app: Flask) -> None:
    """The rule holds under concurrency: each round, two threads disable the other admin."""
    ctx = app.extensions["roomhire"]
    one, _ = create_user(ctx, ctx.new_uow(), OPERATOR, email="a1@x.org", role=Role.ADMIN)
    two, _ = create_user(ctx, ctx.new_uow(), OPERATOR, email="a2@x.org", role=Role.ADMIN)
    with ctx.new_reader() as reader:
        others = reader.users.find(role=Role.ADMIN, trust_id=None)
    for other in others:
        if other.id not in (one.id, two.id):  # the fixtures' admin: only the two are left
            set_active(ctx, ctx.new_uow(), OPERATOR, other.id or 0, active=False)
    for _ in range(10):
        start = threading.Barrier(2)

        def disable(target: int, actor: User, start: threading.Barrier = start) -> None:
            start.wait()
            with contextlib.suppress(Conflict):
                set_active(ctx, ctx.new_uow(), actor, target, active=False)

        threads = [
            threading.Thread(target=disable, args=(two.id, one)),
            threading.Thread(target=disable, args=(one.id, two)),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        with ctx.new_reader() as reader:
            assert len(reader.users.find(role=Role.ADMIN, trust_id=None)) == 1
        for admin in (one, two):
            set_active(ctx, ctx.new_uow(), OPERATOR, admin.id or 0, active=True)


def test_answers_with_a_secret_in_them_are_never_stored(client: Client, staff: Staff) -> None:
    made = client.post(
        "/api/v1/users",
        json={"email": "new@x.org", "role": "finance"},
        headers=staff.admin["headers"],
    )
    assert made.status_code == 201 and made.json["api_key"]
    assert made.headers["Cache-Control"] == "no-store"
    link = client.post("/api/v1/me/calendar-address", headers=staff.admin["headers"])
    assert link.headers["Cache-Control"] == "no-store"
    assert "no-store" not in client.get("/api/v1/openapi.json").headers.get("Cache-Control", "")

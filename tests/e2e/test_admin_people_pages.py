"""The admin's people pages and the audit log through the Flask client: adding a person (the
API key shown once), changing a role (and the API's PATCH), disabling (their sessions end at
once), enabling, a new key; the rules that keep an admin; roles, CSRF and bad input; the audit
log's filters and pages, and the query under it on each engine."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event

from service.domain.audit import AuditEvent, AuditQuery
from service.domain.users import Role
from service.usecases.context import Context
from tests.client import Client, client_for
from tests.conftest import Staff
from tests.e2e.staff import Who, csrf_token, is_signed_in, person, sign_in_as, submit, text

KEY = re.compile(r'name="api_key"[^>]*>(rh_[\w-]{43})</textarea>')


@pytest.fixture
def admin(ctx: Context, client: Client) -> Who:
    who = person(ctx, Role.ADMIN)
    sign_in_as(client, ctx, who)
    return who


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def me(client: Client, headers: dict[str, str]) -> Any:
    return client.get("/api/v1/me", headers=headers)


def signed_in_elsewhere(app: Flask, ctx: Context, role: Role) -> tuple[Who, Client]:
    """Someone else with an account, signed in in a browser of their own."""
    who, theirs = person(ctx, role), client_for(app)
    sign_in_as(theirs, ctx, who)
    return who, theirs


def audit_actions(ctx: Context, user_id: int) -> list[str]:
    with ctx.new_reader() as reader:
        found = reader.audit.find(AuditQuery(entity="user", entity_id=user_id), limit=50, offset=0)
    return [e.action for e in reversed(found)]


def test_admin_adds_a_person_whose_key_is_shown_once(
    ctx: Context, client: Client, admin: Who, staff: Staff
) -> None:
    trust = staff.trust()
    listed = client.get("/admin/people")
    assert listed.status_code == 200 and admin["email"] in listed.text
    form = {"email": " Sam@Trust.NHS.uk ", "role": "facilitator", "trust": str(trust["id"])}
    added = submit(client, "/admin/people/new", form)
    assert added.status_code == 201, text(added.text)
    assert "This API key is shown only once" in added.text
    assert admin["email"] in added.text  # the header still names who is signed in
    key = KEY.search(added.text)
    assert key, text(added.text)
    answer = me(client, bearer(key.group(1)))
    assert answer.status_code == 200
    assert (answer.json["email"], answer.json["role"]) == ("sam@trust.nhs.uk", "facilitator")
    sam = answer.json["id"]
    page = client.get(f"/admin/people/{sam}")
    assert page.status_code == 200 and key.group(1) not in page.text
    words = text(page.text)
    assert "Role Facilitator" in words and trust["name"] in words and "Account Active" in words
    assert "Last signed in Not known" in words
    assert key.group(1) not in client.get("/admin/people").text
    assert audit_actions(ctx, sam) == ["created"]


def test_bad_new_person_forms_say_why_and_add_nobody(
    ctx: Context, client: Client, admin: Who
) -> None:
    for form, status, words in (
        ({"email": "", "role": "finance"}, 400, "Enter their work email address"),
        ({"email": "nobody", "role": "finance"}, 400, "Enter an email address like"),
        ({"email": "x" * 250 + "@x.org", "role": "finance"}, 400, "Enter an email address like"),
        ({"email": "x@example.org"}, 400, "Select a role"),
        ({"email": "x@example.org", "role": "boss"}, 400, "Select a role"),
        ({"email": "x@example.org", "role": "finance", "trust": "999"}, 400, "Select a trust"),
        ({"email": "x@example.org", "role": "finance", "trust": "abc"}, 400, "Select a trust"),
        ({"email": admin["email"].upper(), "role": "finance"}, 409, "already exists"),
    ):
        response = submit(client, "/admin/people/new", form)
        assert response.status_code == status, (form, text(response.text))
        assert "There is a problem" in response.text and words in response.text, form
        assert "rh_" not in response.text
    with ctx.new_reader() as reader:
        assert [u.email for u in reader.users.all()] == [admin["email"]]


def test_admin_changes_a_role_but_never_their_own_admin_role(
    ctx: Context, client: Client, admin: Who
) -> None:
    finance = person(ctx, Role.FINANCE)
    path = f"/admin/people/{finance['id']}"
    changed = submit(client, f"{path}/role", {"role": "admin"}, page=path)
    assert changed.status_code == 302 and changed.location.endswith(path)
    assert f"{finance['email']} is now admin." in client.get(path).text
    assert me(client, finance["headers"]).json["role"] == "admin"
    again = submit(client, f"{path}/role", {"role": "admin"}, page=path)  # no change: no event
    assert again.status_code == 302
    assert audit_actions(ctx, finance["id"]) == ["created", "role_changed"]

    own = f"/admin/people/{admin['id']}"
    refused = submit(client, f"{own}/role", {"role": "finance"}, page=own)
    assert refused.status_code == 409
    assert "You cannot remove your own admin role" in text(refused.text)
    assert "There is a problem" in refused.text
    assert me(client, admin["headers"]).json["role"] == "admin"
    bad = submit(client, f"{own}/role", {"role": "boss"}, page=own)
    assert bad.status_code == 400 and "Select a role" in bad.text
    assert client.get("/admin/people/99999").status_code == 404
    assert (
        submit(client, "/admin/people/99999/role", {"role": "admin"}, page=own).status_code == 404
    )


def test_the_api_changes_roles_with_the_same_rules(client: Client, staff: Staff) -> None:
    admin = staff.admin
    finance = staff.user(Role.FINANCE)

    def patch(user_id: int, body: Any, who: Who = admin) -> Any:
        return client.patch(f"/api/v1/users/{user_id}", json=body, headers=who["headers"])

    made = patch(finance["id"], {"role": "facilitator"})
    assert made.status_code == 200 and made.json["role"] == "facilitator"
    assert me(client, finance["headers"]).json["role"] == "facilitator"
    own = patch(admin["id"], {"role": "finance"})
    assert own.status_code == 409 and "last active admin" in own.json["detail"]
    other = staff.user(Role.ADMIN)
    own = patch(admin["id"], {"role": "finance"})
    assert own.status_code == 409 and "your own admin role" in own.json["detail"]
    assert patch(admin["id"], {"role": "finance"}, other).status_code == 200  # another admin may
    assert patch(99999, {"role": "finance"}, other).status_code == 404
    assert patch(finance["id"], {"role": "boss"}, other).status_code == 422
    assert patch(finance["id"], {}, other).status_code == 422
    assert patch(other["id"], {"role": "admin"}, finance).status_code == 403
    described = client.get("/api/v1/openapi.json").json["paths"]["/api/v1/users/{user_id}"]
    assert set(described["patch"]["responses"]) >= {"200", "401", "403", "404", "409", "422"}


def test_disabling_signs_them_out_at_once_and_enabling_lets_them_back(
    app: Flask, ctx: Context, client: Client, admin: Who
) -> None:
    sam, theirs = signed_in_elsewhere(app, ctx, Role.FINANCE)
    path = f"/admin/people/{sam['id']}"
    confirm = client.get(f"{path}/disable")
    assert confirm.status_code == 200 and "they are signed out now" in text(confirm.text)
    assert is_signed_in(theirs)  # asking is not doing
    done = submit(client, f"{path}/disable", page=f"{path}/disable")
    assert done.status_code == 302 and done.location.endswith(path)
    assert not is_signed_in(theirs)
    assert me(client, sam["headers"]).status_code == 401
    words = text(client.get(path).text)
    assert f"{sam['email']}'s account is disabled." in words and "Account Disabled" in words

    assert submit(client, f"{path}/enable", page=f"{path}/enable").status_code == 302
    assert me(client, sam["headers"]).status_code == 200
    assert not is_signed_in(theirs)  # the ended session stays ended; they sign in afresh
    sign_in_as(theirs, ctx, sam)
    assert "Last signed in 23 November 2026 at 09:00" in text(client.get(path).text)
    assert audit_actions(ctx, sam["id"]) == [
        "created",
        "link_made",
        "disabled",
        "enabled",
        "link_made",
    ]


def test_an_admin_cannot_disable_themselves(ctx: Context, client: Client, admin: Who) -> None:
    person(ctx, Role.ADMIN)  # so the rule, not "the last active admin", is what refuses
    own = f"/admin/people/{admin['id']}"
    assert "you cannot disable it" in client.get(own).text
    refused = submit(client, f"{own}/disable", page=f"{own}/disable")
    assert refused.status_code == 409
    assert "You cannot disable your own account" in text(refused.text)
    assert is_signed_in(client)


def test_a_new_key_is_shown_once_and_the_old_one_stops(
    app: Flask, ctx: Context, client: Client, admin: Who
) -> None:
    sam, theirs = signed_in_elsewhere(app, ctx, Role.FACILITATOR)
    path = f"/admin/people/{sam['id']}/new-key"
    assert "Their old key stops working now" in text(client.get(path).text)
    made = submit(client, path)
    assert made.status_code == 200 and "This API key is shown only once" in made.text
    key = KEY.search(made.text)
    assert key
    assert me(client, sam["headers"]).status_code == 401
    assert me(client, bearer(key.group(1))).status_code == 200
    assert not is_signed_in(theirs)
    assert client.post(path.replace("new-key", "rekey")).status_code == 404


ADMIN_PAGES = [
    "/admin/people",
    "/admin/people/new",
    "/admin/people/{id}",
    "/admin/people/{id}/disable",
    "/admin/people/{id}/enable",
    "/admin/people/{id}/new-key",
    "/admin/audit",
    "/admin/audit?person={id}&page=2",
]
ADMIN_FORMS = [
    "/admin/people/new",
    "/admin/people/{id}/role",
    "/admin/people/{id}/disable",
    "/admin/people/{id}/enable",
    "/admin/people/{id}/new-key",
]


@pytest.mark.parametrize("role", [Role.FACILITATOR, Role.FINANCE])
def test_facilitators_and_finance_cannot_use_the_admin_pages(
    ctx: Context, client: Client, role: Role
) -> None:
    target = person(ctx, Role.FINANCE)
    who = person(ctx, role)
    sign_in_as(client, ctx, who)
    for page in ADMIN_PAGES:
        response = client.get(page.format(id=target["id"]))
        assert response.status_code == 403, page
        assert "You cannot use this page" in response.text, page
    token = csrf_token(client, "/account")
    for form in ADMIN_FORMS:
        fields = {"csrf_token": token, "role": "admin", "email": "x@example.org"}
        response = client.post(form.format(id=target["id"]), data=fields)
        assert response.status_code == 403, form
    assert me(client, target["headers"]).json["role"] == "finance"
    assert audit_actions(ctx, target["id"]) == ["created"]


def test_forms_without_their_token_are_refused(ctx: Context, client: Client, admin: Who) -> None:
    target = person(ctx, Role.FINANCE)
    for form in ADMIN_FORMS:
        response = client.post(
            form.format(id=target["id"]), data={"role": "admin", "email": "x@example.org"}
        )
        assert response.status_code == 400, form
        assert "The form could not be sent" in response.text, form
    assert me(client, target["headers"]).status_code == 200
    assert audit_actions(ctx, target["id"]) == ["created"]
    assert client.get("/admin/people/new").status_code == 200  # still signed in


def test_signed_out_people_are_sent_to_sign_in(ctx: Context, client: Client) -> None:
    response = client.get("/admin/audit")
    assert response.status_code == 302 and "/sign-in" in response.location


# The audit log

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def record(ctx: Context, events: list[AuditEvent]) -> None:
    with ctx.new_uow() as uow:
        for e in events:
            uow.audit.record(e)
        uow.commit()


def rows(html: str) -> list[str]:
    body = html.split('<tbody class="nhsuk-table__body">')[1].split("</tbody>")[0]
    return [text(row) for row in body.split("</tr>")[:-1]]


def test_the_audit_log_pages_and_filters(ctx: Context, client: Client, admin: Who) -> None:
    """120 events: 70 by one person about invoices 1-70, 50 by the outbox worker about emails;
    newest first, 50 a page; by person, by kind of entry, by one entry."""
    sam = person(ctx, Role.FINANCE)
    label = f"user {sam['id']} <{sam['email']}>"
    record(
        ctx,
        [
            AuditEvent(
                T0 + timedelta(minutes=2 * n),
                label,
                "issued",
                "invoice",
                n,
                {"number": f"SMCH{n:04d}"},
            )
            for n in range(1, 71)
        ]
        + [
            AuditEvent(
                T0 + timedelta(minutes=2 * n + 1), "outbox worker", "email_sent", "outbox", n
            )
            for n in range(1, 51)
        ],
    )
    first = client.get("/admin/audit?person=&entry=&entry_id=")
    assert first.status_code == 200
    newest = rows(first.text)
    assert len(newest) == 50
    assert newest[0] == (
        "When 23 November 2026 at 09:00 Who An operator on the server (roomhire command) "
        f"What Added role: finance Entry Person {sam['id']}"
    )
    assert "Next page : Page 2" in text(first.text) and "Previous" not in text(first.text)

    by_sam = client.get(f"/admin/audit?person={sam['id']}")
    listed = rows(by_sam.text)
    assert len(listed) == 50
    assert listed[0] == (
        f"When 1 November 2026 at 11:20 Who {sam['email']} What Issued number: SMCH0070 "
        "Entry Invoice 70"
    )
    assert 'href="/finance/invoices/70"' in by_sam.text
    assert f'href="/admin/people/{sam["id"]}"' in by_sam.text
    second = client.get(f"/admin/audit?person={sam['id']}&page=2")
    assert [r.split(" Entry ")[1] for r in rows(second.text)] == [
        f"Invoice {n}" for n in range(20, 0, -1)
    ]
    words = text(second.text)
    assert "Previous page : Page 1" in words and "Next page" not in words
    nav = second.text.split('aria-label="Pagination"')[1].split("</nav>")[0]
    assert f'href="/admin/audit?person={sam["id"]}"' in nav  # the filter kept, page 1

    one = rows(client.get("/admin/audit?entry=invoice&entry_id=12").text)
    assert len(one) == 1 and "SMCH0012" in one[0]
    emails = client.get("/admin/audit?entry=outbox&person=outbox+worker")
    assert len(rows(emails.text)) == 50 and "Roomhire's email sender" in rows(emails.text)[0]
    assert "Message sent" in rows(emails.text)[0] and "Next page" not in text(emails.text)
    beyond = client.get("/admin/audit?page=99")
    assert beyond.status_code == 200 and "this page is past the last one" in beyond.text
    nothing = client.get("/admin/audit?entry=credit_note")
    assert nothing.status_code == 200 and "No changes match." in nothing.text


def test_the_audit_log_says_codes_it_knows_in_words_and_others_as_they_are(
    ctx: Context, client: Client, admin: Who
) -> None:
    record(
        ctx,
        [
            AuditEvent(T0, f"user {admin['id']}", "signed_out", "staff_session", 9),
            AuditEvent(T0, "a venue's status link", "teleported", "spaceship", 4, {"to": "Mars"}),
            AuditEvent(
                T0, "roomhire-cli", "updated", "venue", 2, {"name": {"from": "A", "to": "B"}}
            ),
        ],
    )
    listed = client.get("/admin/audit?page=1")
    found = rows(listed.text)[-3:]
    assert found == [
        "When 1 November 2026 at 09:00 Who An operator on the server (roomhire command) "
        "What Changed name: from A to B Entry Venue 2",
        "When 1 November 2026 at 09:00 Who a venue's status link What teleported to: Mars "
        "Entry spaceship 4",
        f"When 1 November 2026 at 09:00 Who {admin['email']} What Signed out "
        "Entry Signed-in session 9",
    ]
    assert f'<a href="/admin/people/{admin["id"]}">{admin["email"]}</a>' in listed.text
    summer = T0.replace(month=7)  # British Summer Time: an hour ahead of UTC
    record(ctx, [AuditEvent(summer, "roomhire-cli", "created", "trust", 1)])
    assert "When 1 July 2026 at 10:00" in rows(client.get("/admin/audit?entry=trust").text)[0]


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("entry=spaceship", "Select a kind of entry from the list"),
        ("entry=invoice&entry_id=abc", "The entry number must be a whole number"),
        ("entry=invoice&entry_id=-3", "The entry number must be a whole number"),
        ("entry=invoice&entry_id=99999999999", "The entry number must be a whole number"),
        ("entry_id=12", "Select the kind of entry the number belongs to"),
        ("person=99999", "Select a person from the list"),
        ("person=roomhire", "Select a person from the list"),
        ("page=0", "The page must be a whole number"),
        ("page=x", "The page must be a whole number"),
        ("page=10000000", "The page must be a whole number"),
    ],
)
def test_bad_audit_filters_get_words_not_500s(
    client: Client, admin: Who, query: str, words: str
) -> None:
    response = client.get(f"/admin/audit?{query}")
    assert response.status_code == 400, query
    assert "There is a problem" in response.text and words in response.text
    assert '<tbody class="nhsuk-table__body">' not in response.text


def test_the_audit_query_filters_orders_and_limits_in_sql(app: Flask, ctx: Context) -> None:
    """On each engine: newest first (ties by the order recorded), a person under either label
    but not another whose id starts the same, one entry, and LIMIT/OFFSET in the SQL."""
    at = T0
    events = [
        AuditEvent(at, "user 1 <a@x.org>", "created", "user", 5),
        AuditEvent(at, "user 1", "signed_out", "staff_session", 7),
        AuditEvent(at + timedelta(hours=1), "user 12 <b@x.org>", "issued", "invoice", 12),
        AuditEvent(at - timedelta(hours=1), "user 1 <a@x.org>", "issued", "invoice", 12),
        AuditEvent(at, "user 1%", "odd", "user", 1),
        AuditEvent(at, "outbox worker", "email_sent", "outbox", 3),
    ]
    record(ctx, events)
    statements: list[str] = []
    engine = app.extensions["roomhire.engine"]

    def seen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        with ctx.new_reader() as reader:

            def found(query: AuditQuery, limit: int = 10, offset: int = 0) -> list[tuple[str, int]]:
                return [
                    (e.action, e.entity_id)
                    for e in reader.audit.find(query, limit=limit, offset=offset)
                ]

            assert found(AuditQuery()) == [
                ("issued", 12),
                ("email_sent", 3),
                ("odd", 1),
                ("signed_out", 7),
                ("created", 5),
                ("issued", 12),
            ]
            assert found(AuditQuery(), limit=2, offset=1) == [("email_sent", 3), ("odd", 1)]
            assert found(AuditQuery(person_id=1)) == [
                ("signed_out", 7),
                ("created", 5),
                ("issued", 12),
            ]
            assert found(AuditQuery(person_id=12)) == [("issued", 12)]
            assert found(AuditQuery(entity="invoice", entity_id=12, person_id=1)) == [
                ("issued", 12)
            ]
            assert found(AuditQuery(entity="user")) == [("odd", 1), ("created", 5)]
            assert found(AuditQuery(actor="outbox worker")) == [("email_sent", 3)]
            [stored] = reader.audit.find(AuditQuery(entity="user", entity_id=5), limit=1, offset=0)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert stored == events[0] and stored.at.tzinfo is not None
    reads = [s for s in statements if "audit_events" in s]
    assert reads and all("LIMIT" in s and "OFFSET" in s and "ORDER BY" in s for s in reads)

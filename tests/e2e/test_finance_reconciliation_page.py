"""Finance's reconciliation page (Flask client): discrepancies grouped by kind with what to do,
"Confirm this match", "Mark as resolved" with a required note (audited), resolved ones gone
from the page and the API alike until an export says something different; the API's resolve
call; roles and CSRF."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from flask import Flask

from service.domain.users import Role
from tests.client import Client
from tests.conftest import audit_trail
from tests.e2e.exports import ApRow, export, for_invoice, imported, other_supplier
from tests.e2e.staff import browser_as, csrf_token, person, redirected_to, text

Who = dict[str, Any]
PAGE = "/finance/reconciliation"
RESOLVED = "/api/v1/reconciliation/resolved"
STRANGER = ApRow("SMCH0099", "12.34", "RZZPO0000123")


def rows(invoices: list[Who], *, amount: str = "57.00") -> list[ApRow]:
    """SMCH0001's amount differs, SMCH0002 is keyed SMCHO002 (matched by PO and amount), and
    SMCH0003 is paid twice; the rest are as issued; and a number we never issued."""
    paid = {"approval": "Approved", "paid": "75.00", "payment_date": "15-JAN-2027"}
    return [
        for_invoice(invoices[0], amount=amount),
        for_invoice(invoices[1], number="smch o002", approval="Approved"),
        for_invoice(invoices[2], payment_number="7700001", **paid),
        for_invoice(invoices[2], payment_number="7700002", **paid),
        *(for_invoice(i) for i in invoices[3:]),
        STRANGER,
    ]


@pytest.fixture
def found(client: Client, trust_finance: Who, invoices: list[Who]) -> list[Who]:
    imported(client, trust_finance, export(*rows(invoices)))
    return invoices


def open_ones(client: Client, who: Who) -> list[Who]:
    response = client.get("/api/v1/reconciliation", headers=who["headers"])
    assert response.status_code == 200
    return list(response.json)


def key_of(client: Client, who: Who, problem: str) -> str:
    [key] = [d["key"] for d in open_ones(client, who) if d["problem"] == problem]
    return str(key)


def test_discrepancies_are_grouped_by_kind_each_explained(
    app: Flask, client: Client, trust_finance: Who, found: list[Who]
) -> None:
    page = browser_as(app)
    response = page.get(PAGE)
    assert response.status_code == 200
    said = text(response.text)
    assert (
        "nhsuk-grid-column-full" in response.text and "/assets/finance-reports.css" in response.text
    )
    assert "4 discrepancies to look at" in said
    headings = re.findall(r"<h2 id=\"(\w+)\">([^<]+)</h2>", response.text)
    assert [(kind, unescape(words)) for kind, words in headings] == [
        ("unconfirmed_match", "Matches waiting for you to confirm (1)"),
        ("amount_differs", "Amount differs (1)"),
        ("unknown_invoice", "Not an invoice Roomhire issued (1)"),
        ("paid_twice", "Paid twice (1)"),
        ("resolved", "Resolved recently"),
    ]
    assert "Usually it was keyed wrongly: ask NHS accounts payable to correct it" in said
    assert f'href="/finance/invoices/{found[0]["id"]}">SMCH0001</a>' in response.text
    assert (
        "Invoice SMCH0001 Venue St Mark's Community Hall CIC Amount £75.00 "
        "What the export said the export says £57.00, we invoiced £75.00"
    ) in said
    assert "2 payments, £150.00 in all" in said
    assert "None of ours: line 9 of the import" in said and "SMCH0099 is not one we issued" in said
    assert said.count("Confirm this match") == 1
    assert "Confirm this match of SMCH0002" in said
    assert said.count("Mark as resolved") == 4
    assert "Nothing has been marked as resolved yet." in said
    # The page and the API list the same discrepancies, and the page links each by its key.
    keys = {d["key"] for d in open_ones(client, trust_finance)}
    assert set(re.findall(r"/finance/reconciliation/([0-9a-f]{64})/resolve", response.text)) == keys


def test_confirm_this_match(
    app: Flask, client: Client, trust_finance: Who, found: list[Who]
) -> None:
    page = browser_as(app)
    path = f"{PAGE}/{found[1]['id']}/confirm"
    token = csrf_token(page, PAGE)
    assert redirected_to(page.post(path, data={"csrf_token": token})) == PAGE
    after = text(page.get(PAGE).text)
    assert "Confirmed that the export's row is invoice SMCH0002." in after
    assert "Matches waiting for you to confirm" not in after and "3 discrepancies" in after
    assert "unconfirmed_match" not in {d["problem"] for d in open_ones(client, trust_finance)}
    assert audit_trail(app, "invoice", found[1]["id"])[-1][0] == "match_confirmed"

    assert redirected_to(page.post(path, data={"csrf_token": token})) == PAGE  # pressed twice
    assert "already been confirmed or is no longer waiting, so nothing changed" in text(
        page.get(PAGE).text
    )
    assert page.post(f"{PAGE}/999999/confirm", data={"csrf_token": token}).status_code == 404


def test_a_match_marked_as_resolved_still_waits_to_be_confirmed(
    app: Flask, client: Client, trust_finance: Who, found: list[Who]
) -> None:
    """Marking a match by PO and amount as resolved (with a note) does not confirm it: it
    leaves the reconciliation page, but "Work to do" still counts it and the list still shows
    it as a match to confirm, until a person confirms it from the invoice's page."""
    page = browser_as(app)

    def to_confirm() -> tuple[str, list[str]]:
        work = text(page.get("/finance").text)
        counted = re.search(r"Matches waiting for you to confirm (\d+ invoices?)", work)
        assert counted
        listed = page.get("/finance/invoices?status=to_confirm").text
        return counted.group(1), re.findall(r">(SMCH\d{4})</a>", listed)

    assert to_confirm() == ("1 invoice", ["SMCH0002"])
    form = f"{PAGE}/{key_of(client, trust_finance, 'unconfirmed_match')}/resolve"
    note = {"csrf_token": csrf_token(page, form), "note": "Asked AP which row this is."}
    assert redirected_to(page.post(form, data=note)) == PAGE
    assert "unconfirmed_match" not in {d["problem"] for d in open_ones(client, trust_finance)}
    assert to_confirm() == ("1 invoice", ["SMCH0002"])

    invoice = f"/finance/invoices/{found[1]['id']}"
    shown = page.get(invoice).text
    action = f'action="{PAGE}/{found[1]["id"]}/confirm"'
    assert action in shown and "Confirm this match" in shown
    confirm = {"csrf_token": csrf_token(page, invoice), "back": "invoice"}
    assert redirected_to(page.post(f"{PAGE}/{found[1]['id']}/confirm", data=confirm)) == invoice
    assert to_confirm() == ("0 invoices", [])
    assert action not in page.get(invoice).text


def test_mark_as_resolved_needs_a_note_and_is_audited(
    app: Flask, client: Client, trust_finance: Who, found: list[Who]
) -> None:
    page = browser_as(app)
    key = key_of(client, trust_finance, "amount_differs")
    form = f"{PAGE}/{key}/resolve"
    shown = page.get(form)
    assert shown.status_code == 200
    assert "Kind Amount differs Invoice SMCH0001" in text(shown.text)
    token = csrf_token(page, form)

    blank = page.post(form, data={"csrf_token": token, "note": "   "})
    assert blank.status_code == 400
    assert "There is a problem" in blank.text and 'href="#note"' in blank.text
    assert "Enter a note of what you found or did" in text(blank.text)
    too_long = page.post(form, data={"csrf_token": token, "note": "x" * 1001})
    assert too_long.status_code == 400
    assert "The note must be 1,000 characters or fewer" in text(too_long.text)
    nhs_number = page.post(form, data={"csrf_token": token, "note": "Patient 943 476 5919"})
    assert nhs_number.status_code == 422 and "looks like an NHS number" in nhs_number.text
    assert "Patient 943 476 5919" in nhs_number.text  # what was typed is kept
    assert key in {d["key"] for d in open_ones(client, trust_finance)}  # nothing changed yet

    note = "AP corrected the amount to £75.00 on 12 January.\nTicket 4471."
    assert redirected_to(page.post(form, data={"csrf_token": token, "note": note})) == PAGE
    after = page.get(PAGE)
    said = text(after.text)
    assert "Marked as resolved: SMCH0001: the export says £57.00, we invoiced £75.00" in said
    assert "Amount differs (1)" not in said and "3 discrepancies to look at" in said
    assert key not in {d["key"] for d in open_ones(client, trust_finance)}
    resolved = said[said.index("Resolved recently") :]
    assert "Amount differs: SMCH0001: the export says £57.00" in resolved
    assert "Monday 4 January 2027, 9am by " in resolved and "Ticket 4471." in resolved

    [listed] = client.get(RESOLVED, headers=trust_finance["headers"]).json
    assert (listed["key"], listed["problem"], listed["note"]) == (key, "amount_differs", note)
    assert listed["invoice_id"] == found[0]["id"]
    [(action, detail)] = audit_trail(app, "discrepancy_resolution", listed["id"])
    assert action == "discrepancy_resolved"
    assert detail["note"] == note and detail["invoice_id"] == found[0]["id"]
    assert detail["problem"] == "amount_differs" and detail["key"] == key

    again = page.post(form, data={"csrf_token": token, "note": "twice"})
    assert redirected_to(again) == PAGE
    assert "no longer open, so nothing changed" in text(page.get(PAGE).text)
    assert redirected_to(page.get(form)) == PAGE  # the form of a resolved one: not open
    assert page.get(f"{PAGE}/{'0' * 63}/resolve").status_code == 404  # not a key at all


def test_resolved_stays_resolved_until_an_export_says_something_different(
    app: Flask, client: Client, trust_finance: Who, found: list[Who]
) -> None:
    key = key_of(client, trust_finance, "amount_differs")
    unknown = key_of(client, trust_finance, "unknown_invoice")
    for resolving in (key, unknown):
        body = {"key": resolving, "note": "Checked with AP."}
        assert client.post(RESOLVED, json=body, headers=trust_finance["headers"]).status_code == 201
    # A newer export saying the same (with another supplier's row, so another file).
    imported(client, trust_finance, export(*rows(found), other_supplier(1)))
    problems = {d["problem"] for d in open_ones(client, trust_finance)}
    assert "amount_differs" not in problems and "unknown_invoice" not in problems
    # Different figures: a new discrepancy, open again (the old one stays resolved).
    imported(client, trust_finance, export(*rows(found, amount="58.00")))
    [again] = [d for d in open_ones(client, trust_finance) if d["problem"] == "amount_differs"]
    assert "£58.00" in again["detail"] and again["key"] != key
    page = text(browser_as(app).get(PAGE).text)
    assert "Amount differs (1)" in page and "the export says £58.00" in page


def test_resolving_through_the_api(
    app: Flask, client: Client, trust_finance: Who, found: list[Who]
) -> None:
    key = key_of(client, trust_finance, "paid_twice")
    headers = trust_finance["headers"]

    def resolve(body: Who, who: Who = trust_finance) -> Any:
        return client.post(RESOLVED, json=body, headers=who["headers"])

    assert resolve({"key": "not-a-key", "note": "x"}).status_code == 422
    assert resolve({"key": key}).status_code == 422
    blank = resolve({"key": key, "note": "  "})
    assert blank.status_code == 422, blank.json
    assert resolve({"key": "f" * 64, "note": "x"}).json["code"] == "not_found"
    facilitator = person(app.extensions["roomhire"], Role.FACILITATOR)
    assert resolve({"key": key, "note": "x"}, facilitator).status_code == 403
    assert client.get(RESOLVED, headers=facilitator["headers"]).status_code == 403

    done = resolve({"key": key, "note": "Venue refunded £75.00."})
    assert done.status_code == 201, done.json
    assert done.json["problem"] == "paid_twice" and done.json["resolved_at"]
    twice = resolve({"key": key, "note": "again"})
    assert twice.status_code == 409 and twice.json["code"] == "conflict"
    assert "paid_twice" not in {d["problem"] for d in open_ones(client, trust_finance)}
    assert client.get(f"{RESOLVED}?limit=0", headers=headers).status_code == 422
    assert [r["key"] for r in client.get(RESOLVED, headers=headers).json] == [key]

    spec = client.get("/api/v1/openapi.json").json["paths"]["/api/v1/reconciliation/resolved"]
    assert {"201", "404", "409", "422", "401", "403"} <= set(spec["post"]["responses"])


def test_a_facilitator_cannot_see_confirm_or_resolve(
    app: Flask, client: Client, trust_finance: Who, found: list[Who]
) -> None:
    key = key_of(client, trust_finance, "amount_differs")
    page = browser_as(app, Role.FACILITATOR)
    token = csrf_token(page, "/account")
    assert page.get(PAGE).status_code == 403
    assert page.get(f"{PAGE}/{key}/resolve").status_code == 403
    confirming = page.post(f"{PAGE}/{found[1]['id']}/confirm", data={"csrf_token": token})
    assert confirming.status_code == 403
    resolving = page.post(f"{PAGE}/{key}/resolve", data={"csrf_token": token, "note": "x"})
    assert resolving.status_code == 403
    assert len(open_ones(client, trust_finance)) == 4


def test_forms_without_their_csrf_token_are_refused(
    app: Flask, client: Client, trust_finance: Who, found: list[Who]
) -> None:
    key = key_of(client, trust_finance, "amount_differs")
    page = browser_as(app)
    refused = page.post(f"{PAGE}/{key}/resolve", data={"note": "Sorted."})
    assert refused.status_code == 400 and "form" in text(refused.text).lower()
    assert page.post(f"{PAGE}/{found[1]['id']}/confirm").status_code == 400
    assert len(open_ones(client, trust_finance)) == 4

"""Finance imports an export through the page (Flask client): what the import found, the same
file again, a refused file and one that takes too long (nothing changed), roles and CSRF."""

from __future__ import annotations

import dataclasses
import io
import re
from typing import Any

from flask import Flask
from werkzeug.datastructures import FileStorage
from werkzeug.test import stream_encode_multipart

from service.domain.users import Role
from tests.client import Answer, Client, client_for
from tests.e2e.exports import export, for_invoice, other_supplier, status
from tests.e2e.staff import csrf_token, person, redirected_to, sign_in_as, text

Who = dict[str, Any]
IMPORTS = "/finance/imports"


def browser(app: Flask, role: Role = Role.FINANCE, trust_id: int | None = None) -> Client:
    """A person signed in to the pages, in a client of their own."""
    ctx = app.extensions["roomhire"]
    client = client_for(app)
    sign_in_as(client, ctx, person(ctx, role, trust_id))
    return client


def send_file(
    client: Client,
    data: bytes,
    *,
    profile: str = "sbs-oracle-ap",
    filename: str = "ap-report.csv",
    token: str | None = "",
    as_of: tuple[str, str, str] = ("", "", ""),
) -> Answer:
    """The import form as filled in on the page; `token=None` leaves the CSRF token out. The
    body is encoded here, in memory: the test client spools a body over 500 KB to a temporary
    file it never closes."""
    fields: dict[str, Any] = {"profile": profile, "file": FileStorage(io.BytesIO(data), filename)}
    fields |= {
        f"as_of[{part}]": value for part, value in zip(("day", "month", "year"), as_of, strict=True)
    }
    if token is not None:
        fields["csrf_token"] = token or csrf_token(client, IMPORTS)
    body, _, boundary = stream_encode_multipart(fields, use_tempfile=False)
    return client.post(
        IMPORTS, data=body.read(), content_type=f"multipart/form-data; boundary={boundary}"
    )


def user_trust(app: Flask, who: Who) -> int | None:
    with app.extensions["roomhire"].new_reader() as reader:
        found = reader.users.get(who["id"])
    assert found is not None
    trust_id: int | None = found.trust_id
    return trust_id


def imports_so_far(client: Client, who: Who) -> list[Any]:
    response = client.get("/api/v1/procurement-imports", headers=who["headers"])
    assert response.status_code == 200, response.json
    found: list[Any] = response.json
    return found


def test_a_good_export_imported_through_the_form_then_again(
    app: Flask, client: Client, trust_finance: Who, invoices: list[Who]
) -> None:
    trust_id = user_trust(app, trust_finance)
    page = browser(app, Role.FINANCE, trust_id)
    first = page.get(IMPORTS)
    assert first.status_code == 200
    assert 'href="/finance/imports"' in first.text  # in the header's menu
    assert "Nothing has been imported yet." in text(first.text)
    assert 'value="sbs-oracle-ap"' in first.text and 'value="spend-over-25k"' in first.text
    assert 'enctype="multipart/form-data"' in first.text

    data = export(
        for_invoice(invoices[0], approval="Approved"),
        for_invoice(invoices[1], hold="QTY REC"),
        for_invoice(invoices[2], amount="seventy-five"),  # a row error: line 4
    )
    sent = send_file(page, data)
    result_path = redirected_to(sent)
    assert re.fullmatch(r"/finance/imports/\d+", result_path)
    result = page.get(sent.location)
    assert result.status_code == 200
    found = text(result.text)
    assert "Imported ap-report.csv." in found
    assert "This file was already imported" not in found
    assert "Rows read 3" in found
    assert "Rows about our invoices matched 2" in found
    assert "Status changes 4" in found  # received, then approved; received, on hold
    assert "Rows with errors 1" in found
    assert "(the day it was imported)" in found  # neither given nor in the file or its name
    assert "Line 4 Column Invoice Amount What is wrong 'seventy-five': not an amount" in found
    assert status(client, trust_finance, invoices[1])["state"]["status"] == "on_hold"
    assert status(client, trust_finance, invoices[0])["state"]["status"] == "approved"

    again = send_file(page, data, filename="the-same-again.csv")
    assert redirected_to(again) == result_path
    repeat = text(page.get(again.location).text)
    assert "This file was already imported" in repeat and "Nothing changed" in repeat
    assert len(imports_so_far(client, trust_finance)) == 1

    listed = text(page.get(IMPORTS).text)
    assert "Nothing has been imported yet." not in listed
    assert "ap-report.csv (sbs-oracle-ap) As of " in listed
    assert "Rows read 3 Ours matched 2 Status changes 4" in listed


def test_a_refused_file_says_why_and_changes_nothing(
    app: Flask, client: Client, trust_finance: Who, invoices: list[Who]
) -> None:
    page = browser(app, Role.FINANCE, user_trust(app, trust_finance))
    no_amount = b"Supplier Number,Supplier Name,Invoice Number\r\n220871,ST MARKS,SMCH0001\r\n"
    refused = send_file(page, no_amount)
    assert refused.status_code == 422
    said = text(refused.text)
    assert "There is a problem" in said
    assert "Line 1: required column" in said
    assert "Nothing was imported and nothing changed" in said
    assert "Nothing has been imported yet." in said
    assert imports_so_far(client, trust_finance) == []
    assert status(client, trust_finance, invoices[0])["state"]["status"] == "sent"

    empty = send_file(page, b"")
    assert empty.status_code == 422
    assert "The file is empty. Nothing was imported and nothing changed" in text(empty.text)
    none_chosen = send_file(page, b"", filename="")  # what a browser sends with no file chosen
    assert none_chosen.status_code == 400
    assert "Select the export file to import" in text(none_chosen.text)
    unknown = send_file(page, export(for_invoice(invoices[0])), profile="/etc/passwd.toml")
    assert unknown.status_code == 400
    assert "Select the kind of export from the list" in text(unknown.text)
    good = export(for_invoice(invoices[0]))
    future = send_file(page, good, as_of=("1", "1", "2099"))
    assert future.status_code == 422
    assert "The date the report was run can't be in the future." in text(future.text)
    not_a_date = send_file(page, good, as_of=("31", "2", "2027"))
    assert not_a_date.status_code == 400
    assert "The date the report was run must be a real date" in text(not_a_date.text)
    assert imports_so_far(client, trust_finance) == []
    given = send_file(page, good, as_of=("2", "1", "2027"))
    shown = text(page.get(redirected_to(given)).text)
    assert "Data as of Saturday 2 January 2027 (as you gave it)" in shown
    older = export(for_invoice(invoices[0], hold="QTY REC"))
    kept = text(page.get(redirected_to(send_file(page, older, filename="ap-2027-01-01.csv"))).text)
    assert (
        "This export is as of Friday 1 January 2027, older than one imported before (as of "
        "Saturday 2 January 2027). It did not move any invoice back: 1 invoice keeps its later "
        "status" in kept
    )
    assert "Data as of Friday 1 January 2027 (the date in the file's name)" in kept
    assert status(client, trust_finance, invoices[0])["state"]["status"] == "received"


def test_an_import_that_takes_too_long_changes_nothing(
    app: Flask, client: Client, trust_finance: Who, invoices: list[Who]
) -> None:
    page = browser(app, Role.FINANCE, user_trust(app, trust_finance))
    token = csrf_token(page, IMPORTS)
    ctx = app.extensions["roomhire"]
    app.extensions["roomhire"] = dataclasses.replace(ctx, import_time_limit=-1.0)  # over at once
    try:
        slow = send_file(page, export(for_invoice(invoices[0], approval="Approved")), token=token)
    finally:
        app.extensions["roomhire"] = ctx
    assert slow.status_code == 503
    said = text(slow.text)
    assert "The import took too long, so it was stopped" in said
    assert "Nothing was imported and nothing changed" in said
    assert imports_so_far(client, trust_finance) == []
    assert status(client, trust_finance, invoices[0])["state"]["status"] == "sent"


def test_a_facilitator_cannot_import(app: Flask, client: Client, trust_finance: Who) -> None:
    page = browser(app, Role.FACILITATOR)
    assert page.get(IMPORTS).status_code == 403
    token = csrf_token(page, "/account")
    assert send_file(page, b"x", token=token).status_code == 403
    assert page.get(f"{IMPORTS}/1").status_code == 403
    assert imports_so_far(client, trust_finance) == []


def test_an_import_without_its_csrf_token_is_refused(
    app: Flask, client: Client, trust_finance: Who, invoices: list[Who]
) -> None:
    page = browser(app, Role.FINANCE, user_trust(app, trust_finance))
    refused = send_file(page, export(for_invoice(invoices[0], approval="Approved")), token=None)
    assert refused.status_code == 400
    assert imports_so_far(client, trust_finance) == []
    assert status(client, trust_finance, invoices[0])["state"]["status"] == "sent"


def test_an_export_over_the_1_mb_every_other_form_may_be_is_imported(
    app: Flask, trust_finance: Who, invoices: list[Who]
) -> None:
    page = browser(app, Role.FINANCE, user_trust(app, trust_finance))
    data = export(for_invoice(invoices[0]), *(other_supplier(n) for n in range(20_000)))
    assert len(data) > 2 * 1024 * 1024
    result = page.get(redirected_to(send_file(page, data)))
    assert "Rows about other suppliers 20000" in text(result.text)
    too_big = page.post(
        "/finance/invoice-runs", data={"csrf_token": "x", "padding": "x" * 2 * 1024 * 1024}
    )
    assert too_big.status_code == 413  # the allowance is the import form's alone

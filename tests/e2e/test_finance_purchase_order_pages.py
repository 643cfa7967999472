"""Finance's purchase order pages (Flask client): the list with its figures, bar and filters,
recording a PO and changing one with every refusal in words on the form and nothing stored,
a change made meanwhile never silently undone; roles and CSRF."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from html import unescape

import pytest
from flask import Flask

from service.domain.directory import Trust, Venue
from service.domain.purchasing import PurchaseOrder
from service.domain.recurrence import Frequency
from service.domain.users import Role
from service.usecases.context import Context
from service.usecases.purchasing import PurchaseOrderStatement
from service.web.purchase_orders import bar
from tests.builders import (
    create_booking,
    create_purchase_order,
    create_room,
    create_trust,
    create_user,
    create_venue,
)
from tests.client import Answer, Client, client_for
from tests.conftest import audit_trail
from tests.e2e.staff import browser_as, csrf_token, person, redirected_to, sign_in_as
from tests.e2e.staff import shown_text as text

LIST = "/finance/purchase-orders"
NEW = "/finance/purchase-orders/new"


@dataclass
class Directory:
    trust: Trust
    other_trust: Trust
    venue: Venue
    other_venue: Venue
    po: PurchaseOrder  # £1,000, 1 November 2026 to 31 March 2027, at `venue`
    other_po: PurchaseOrder  # the other trust's, at the other venue


@pytest.fixture
def page(app: Flask) -> Client:
    return browser_as(app)


@pytest.fixture
def directory(ctx: Context) -> Directory:
    trust = create_trust(ctx)
    other_trust = create_trust(ctx, name="Avonside Community Trust", po_number_pattern=r"AVO\d{6}")
    venue = create_venue(ctx)
    other_venue = create_venue(ctx, name="Riverside Scout Hut", contact_email="hut@example.org")
    assert trust.id and other_trust.id and venue.id and other_venue.id
    po = create_purchase_order(ctx, trust.id, venue.id)
    other = create_purchase_order(
        ctx, other_trust.id, other_venue.id, number="AVO123456", approved_value_pence=250_075
    )
    return Directory(trust, other_trust, venue, other_venue, po, other)


def booked(ctx: Context, d: Directory, sessions: int = 4) -> None:
    """Weekly Tuesdays from 1 December 2026 at £75 each on `d.po` (£300 committed)."""
    assert d.venue.id and d.trust.id
    room = create_room(ctx, d.venue.id)
    assert room.id
    facilitator = create_user(ctx, Role.FACILITATOR, d.trust.id)
    create_booking(
        ctx,
        facilitator,
        room.id,
        frequency=Frequency.WEEKLY,
        sessions=sessions,
        purchase_order_id=d.po.id,
    )


def stored(ctx: Context, po_id: int | None) -> PurchaseOrder:
    assert po_id is not None
    with ctx.new_reader() as reader:
        found = reader.purchase_orders.get(po_id)
    assert found is not None
    return found


def every_po(ctx: Context) -> list[str]:
    with ctx.new_reader() as reader:
        return sorted(po.number for po in reader.purchase_orders.find())


def new_po(d: Directory, **changes: str) -> dict[str, str]:
    assert d.venue.id and d.trust.id
    return {
        "number": "RZZPO0000456",
        "trust": str(d.trust.id),
        "venue": str(d.venue.id),
        "cost_centre": "CC7720",
        "valid_from[day]": "1",
        "valid_from[month]": "4",
        "valid_from[year]": "2027",
        "valid_to[day]": "31",
        "valid_to[month]": "3",
        "valid_to[year]": "2028",
        "amount": "£1,500.50",
        **changes,
    }


def post(page: Client, path: str, form: dict[str, str], *, on: str = NEW) -> Answer:
    return page.post(path, data={"csrf_token": csrf_token(page, on), **form})


def error_on(response: Answer, field: str) -> str:
    """The field's error message beside it; the error summary links to the field too."""
    found = re.search(
        rf'id="{re.escape(field)}-error"\s*>\s*<span[^>]*>Error: </span>(.*?)</span>',
        response.text,
        re.S,
    )
    assert found, (field, response.status_code, text(response.text)[:800])
    assert f'href="#{field}"' in response.text
    return text(found.group(1))


# The list


def test_every_po_with_its_figures_and_bar(
    page: Client, ctx: Context, directory: Directory
) -> None:
    booked(ctx, directory)
    listed = page.get(LIST)
    assert listed.status_code == 200
    said = text(listed.text)
    assert "2 purchase orders" in said
    assert (
        "RZZPO0000123 Chapel Hall CIC Severnvale MH Trust Sunday 1 November 2026 "
        "Wednesday 31 March 2027 £1,000.00 £300.00 £0.00 £700.00" in said
    )
    assert "AVO123456 Riverside Scout Hut Avonside Community Trust" in said
    assert f'href="/finance/purchase-orders/{directory.po.id}"' in listed.text
    bar = re.search(r'<svg class="app-po-bar[^"]*".*?</svg>', listed.text, re.S)
    assert bar, "no bar"
    assert 'aria-label="£300.00 of £1,000.00 committed, £0.00 invoiced"' in bar.group(0)
    assert 'width="30" height="10" fill="#41b6e6"' in bar.group(0)  # £300 of £1,000
    assert "style=" not in listed.text  # the CSP allows no inline style
    assert 'href="/finance/purchase-orders"' in listed.text  # in the menu


def test_the_list_filtered_by_venue_and_by_trust(page: Client, directory: Directory) -> None:
    by_venue = text(page.get(LIST, query_string={"venue": directory.other_venue.id}).text)
    assert "1 purchase order" in by_venue and "AVO123456" in by_venue
    assert "RZZPO0000123" not in by_venue
    by_trust = text(page.get(LIST, query_string={"trust": directory.trust.id}).text)
    assert "1 purchase order" in by_trust and "RZZPO0000123" in by_trust
    assert "AVO123456" not in by_trust
    both = {"trust": directory.trust.id, "venue": directory.other_venue.id}
    assert "0 purchase orders" in text(page.get(LIST, query_string=both).text)


@pytest.mark.parametrize("value", ["999999", "abc", "-1", "1 OR 1=1"])
@pytest.mark.parametrize(("field", "message"), [("venue", "venue"), ("trust", "trust")])
def test_an_unknown_filter_is_an_error_not_a_failure(
    page: Client, directory: Directory, field: str, message: str, value: str
) -> None:
    listed = page.get(LIST, query_string={field: value})
    assert listed.status_code == 400
    assert error_on(listed, field) == f"Select a {message} from the list"
    assert "RZZPO0000123" not in text(listed.text)


# Recording a PO


def test_a_po_recorded_and_shown(page: Client, ctx: Context, directory: Directory) -> None:
    form = page.get(NEW, query_string={"venue": directory.venue.id})
    assert form.status_code == 200
    assert re.search(rf'<option value="{directory.venue.id}" selected', form.text)
    made = post(page, LIST, new_po(directory, number="rzzpo 0000456"))
    path = redirected_to(made)
    po_id = int(path.rsplit("/", 1)[1])
    po = stored(ctx, po_id)
    assert (po.number, po.approved_value_pence, po.cost_centre) == (
        "RZZPO0000456",
        150_050,
        "CC7720",
    )
    assert (po.valid_from, po.valid_to) == (date(2027, 4, 1), date(2028, 3, 31))
    assert [action for action, _ in audit_trail(page.application, "purchase_order", po_id)] == [
        "created"
    ]
    shown = text(page.get(path).text)
    assert "Recorded purchase order RZZPO0000456." in shown
    assert "Valid from Thursday 1 April 2027 Valid to Friday 31 March 2028" in shown
    assert "Approved £1,500.50 Committed £0.00 Invoiced £0.00 Remaining £1,500.50" in shown
    assert "No booking draws on this purchase order yet." in shown


@pytest.mark.parametrize(
    ("typed", "pence"),
    [("1500", 150_000), ("1500.5", 150_050), ("£ 1,234,567.89", 123_456_789), ("0.01", 1)],
)
def test_amounts_read_exactly(
    page: Client, ctx: Context, directory: Directory, typed: str, pence: int
) -> None:
    po_id = int(redirected_to(post(page, LIST, new_po(directory, amount=typed))).rsplit("/")[-1])
    assert stored(ctx, po_id).approved_value_pence == pence


BAD_NEW_PO = [
    ({"number": ""}, "number", "Enter the PO number"),
    ({"number": "RZZPO\t0000456"}, "number", "Enter the PO number on one line, without tabs"),
    ({"number": "R" * 31}, "number", "The PO number must be 30 characters or less"),
    ({"trust": ""}, "trust", "Select the trust that raised the PO"),
    ({"trust": "999999"}, "trust", "Select the trust that raised the PO"),
    ({"venue": "x"}, "venue", "Select the venue the PO pays"),
    ({"cost_centre": "  "}, "cost_centre", "Enter the cost centre"),
    ({"cost_centre": "C" * 41}, "cost_centre", "The cost centre must be 40 characters or less"),
    (
        {"valid_from[day]": "", "valid_from[month]": "", "valid_from[year]": ""},
        "valid_from",
        "Enter the date the PO is valid from",
    ),
    (
        {"valid_to[day]": "31", "valid_to[month]": "2"},
        "valid_to",
        "The date the PO is valid to must be a real date, like 12 1 2027",
    ),
    (
        {"valid_to[year]": "2027", "valid_to[month]": "3", "valid_to[day]": "30"},
        "valid_to",
        "The date the PO is valid to must be on or after its start date",
    ),
    ({"amount": ""}, "amount", "Enter the approved amount"),
    (
        {"amount": "12.345"},
        "amount",
        "The approved amount must be in pounds and pence, like 1500.50: at most 2 decimals",
    ),
    (
        {"amount": "1500.000"},
        "amount",
        "The approved amount must be in pounds and pence, like 1500.50: at most 2 decimals",
    ),
    ({"amount": "-5"}, "amount", "The approved amount must be more than £0.00"),
    ({"amount": "£-5.00"}, "amount", "The approved amount must be more than £0.00"),
    ({"amount": "0.00"}, "amount", "The approved amount must be more than £0.00"),
    (
        {"amount": "1e5"},
        "amount",
        "The approved amount must be an amount in pounds, like 1500 or 1,500.00",
    ),
    (
        {"amount": "1,50"},
        "amount",
        "The approved amount must be an amount in pounds, like 1500 or 1,500.00",
    ),
    (
        {"amount": "NaN"},
        "amount",
        "The approved amount must be an amount in pounds, like 1500 or 1,500.00",
    ),
    (
        {"amount": "1000000000.01"},
        "amount",
        "The approved amount must be £1,000,000,000.00 or less",
    ),
]


@pytest.mark.parametrize(("changes", "field", "message"), BAD_NEW_PO)
def test_each_bad_answer_in_words_and_nothing_recorded(
    page: Client,
    ctx: Context,
    directory: Directory,
    changes: dict[str, str],
    field: str,
    message: str,
) -> None:
    refused = post(page, LIST, new_po(directory, **changes))
    assert refused.status_code == 400
    assert error_on(refused, field) == message.replace("The approved", "The approved")
    assert "There is a problem" in refused.text
    assert every_po(ctx) == ["AVO123456", "RZZPO0000123"]
    if field != "amount":  # what was typed is kept
        assert 'value="£1,500.50"' in refused.text


def test_the_use_cases_refusals_on_the_form(
    page: Client, ctx: Context, directory: Directory
) -> None:
    wrong_format = post(page, LIST, new_po(directory, number="AVO123457"))
    assert wrong_format.status_code == 422
    assert error_on(wrong_format, "number") == (
        "PO number AVO123457 is not in Severnvale MH Trust's PO number format. "
        "Check it against the purchase order."
    )
    again = post(page, LIST, new_po(directory, number="RZZPO0000123"))
    assert again.status_code == 409
    assert error_on(again, "number") == "PO RZZPO0000123 is already recorded."
    assert every_po(ctx) == ["AVO123456", "RZZPO0000123"]


# Changing a PO


def edit_form(page: Client, po_id: int | None, **changes: str) -> dict[str, str]:
    """The edit form as the page fills it in, with `changes` typed over it."""
    html = page.get(f"{LIST}/{po_id}/edit").text
    fields = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html))
    fields["venue"] = re.findall(r'<option value="(\d+)" selected', html)[0]
    return {k: unescape(v) for k, v in fields.items() if k != "csrf_token"} | changes


def test_a_po_changed(page: Client, ctx: Context, directory: Directory) -> None:
    po_id = directory.po.id
    form = edit_form(page, po_id)
    assert form["amount"] == "1000.00"
    assert (form["valid_to[day]"], form["valid_to[month]"], form["valid_to[year]"]) == (
        "31",
        "3",
        "2027",
    )
    changed = post(
        page,
        f"{LIST}/{po_id}/edit",
        form | {"amount": "1,250", "valid_to[day]": "30"},
        on=f"{LIST}/{po_id}/edit",
    )
    assert redirected_to(changed) == f"{LIST}/{po_id}"
    po = stored(ctx, po_id)
    assert (po.approved_value_pence, po.valid_to) == (125_000, date(2027, 3, 30))
    trail = audit_trail(page.application, "purchase_order", po_id or 0)
    assert trail[-1] == (
        "amended",
        {
            "from": {"valid_to": "2027-03-31", "approved_value_pence": 100_000},
            "to": {"valid_to": "2027-03-30", "approved_value_pence": 125_000},
        },
    )
    shown = text(page.get(f"{LIST}/{po_id}").text)
    assert "Changed purchase order RZZPO0000123." in shown and "Approved £1,250.00" in shown


def test_saving_without_a_change_changes_nothing(
    page: Client, ctx: Context, directory: Directory
) -> None:
    path = f"{LIST}/{directory.po.id}/edit"
    same = post(page, path, edit_form(page, directory.po.id), on=path)
    assert redirected_to(same) == f"{LIST}/{directory.po.id}"
    assert "You changed nothing" in text(page.get(f"{LIST}/{directory.po.id}").text)
    assert [
        a for a, _ in audit_trail(page.application, "purchase_order", directory.po.id or 0)
    ] == ["created"]


def test_the_po_committed_refusals_on_the_form(
    page: Client, ctx: Context, directory: Directory
) -> None:
    booked(ctx, directory)  # £300 on it, 1 to 22 December 2026
    path = f"{LIST}/{directory.po.id}/edit"
    shown = text(page.get(f"{LIST}/{directory.po.id}").text)
    assert "Tuesday afternoon group Tuesday 1 December 2026, 1pm to 4pm Booked £75.00" in shown
    below = post(page, path, edit_form(page, directory.po.id, amount="299.99"), on=path)
    assert below.status_code == 422
    assert error_on(below, "amount") == (
        "PO RZZPO0000123 already has £300.00 committed; its value cannot go below that."
    )
    stranded = post(
        page,
        path,
        edit_form(
            page,
            directory.po.id,
            **{"valid_to[day]": "15", "valid_to[month]": "12", "valid_to[year]": "2026"},
        ),
        on=path,
    )
    assert stranded.status_code == 422
    assert error_on(stranded, "valid_to") == (
        "PO RZZPO0000123 covers sessions booked on Tuesday 22 December 2026: the change to its "
        "end date would leave them without a PO. Move them to another PO first."
    )
    moved = post(
        page, path, edit_form(page, directory.po.id, venue=str(directory.other_venue.id)), on=path
    )
    assert moved.status_code == 422
    assert "the change to its venue would leave them without a PO" in error_on(moved, "venue")
    assert stored(ctx, directory.po.id) == directory.po


def test_bad_answers_when_changing(page: Client, ctx: Context, directory: Directory) -> None:
    path = f"{LIST}/{directory.po.id}/edit"
    for changes, field, message in BAD_NEW_PO:
        if field in ("number", "trust", "cost_centre"):
            continue  # not changed here
        if "on or after its start date" in message:  # it starts 1 November 2026
            changes = {"valid_to[day]": "31", "valid_to[month]": "10", "valid_to[year]": "2026"}
        refused = post(page, path, edit_form(page, directory.po.id, **changes), on=path)
        assert refused.status_code == 400, changes
        assert error_on(refused, field) == message
    assert stored(ctx, directory.po.id) == directory.po


def test_a_change_made_meanwhile_is_not_undone(
    page: Client, ctx: Context, directory: Directory
) -> None:
    path = f"{LIST}/{directory.po.id}/edit"
    mine = edit_form(page, directory.po.id, amount="900")
    theirs = edit_form(page, directory.po.id, amount="2000")
    assert redirected_to(post(page, path, theirs, on=path)) == f"{LIST}/{directory.po.id}"
    late = post(page, path, mine, on=path)
    assert late.status_code == 409
    said = text(late.text)
    assert "There is a problem Someone changed this purchase order while you were" in said
    assert 'href="#current"' in late.text and 'id="current"' in late.text
    assert 'value="2000.00"' in late.text  # the form now shows it as it is
    assert stored(ctx, directory.po.id).approved_value_pence == 200_000
    tampered = post(
        page, path, edit_form(page, directory.po.id, amount="900") | {"version": ""}, on=path
    )
    assert tampered.status_code == 409
    assert stored(ctx, directory.po.id).approved_value_pence == 200_000


def test_an_unknown_po_is_not_found(page: Client, directory: Directory) -> None:
    assert page.get(f"{LIST}/999999").status_code == 404
    assert page.get(f"{LIST}/999999/edit").status_code == 404
    token = csrf_token(page, NEW)
    assert page.post(f"{LIST}/999999/edit", data={"csrf_token": token}).status_code == 404


# Roles and CSRF


def test_a_facilitator_gets_none_of_it(app: Flask, ctx: Context, directory: Directory) -> None:
    facilitator = client_for(app)
    sign_in_as(facilitator, ctx, person(ctx, Role.FACILITATOR, directory.trust.id))
    for path in (LIST, NEW, f"{LIST}/{directory.po.id}", f"{LIST}/{directory.po.id}/edit"):
        assert facilitator.get(path).status_code == 403, path
    token = csrf_token(facilitator, "/account")
    assert (
        facilitator.post(LIST, data={"csrf_token": token, **new_po(directory)}).status_code == 403
    )
    change = {"csrf_token": token, "amount": "5"}
    assert facilitator.post(f"{LIST}/{directory.po.id}/edit", data=change).status_code == 403
    assert every_po(ctx) == ["AVO123456", "RZZPO0000123"]
    assert stored(ctx, directory.po.id) == directory.po


def test_an_admin_may(app: Flask, ctx: Context, directory: Directory) -> None:
    admin = client_for(app)
    sign_in_as(admin, ctx, person(ctx, Role.ADMIN))
    assert redirected_to(post(admin, LIST, new_po(directory))).startswith(f"{LIST}/")


def test_forms_without_their_csrf_token_are_refused(
    page: Client, ctx: Context, directory: Directory
) -> None:
    refused = page.post(LIST, data=new_po(directory))
    assert refused.status_code == 400 and "form" in text(refused.text).lower()
    form = edit_form(page, directory.po.id, amount="5000")
    assert page.post(f"{LIST}/{directory.po.id}/edit", data=form).status_code == 400
    assert every_po(ctx) == ["AVO123456", "RZZPO0000123"]
    assert stored(ctx, directory.po.id) == directory.po


@pytest.mark.parametrize(
    ("approved", "committed", "invoiced", "widths"),
    [
        (100_000, 0, 0, (0, 0)),
        (100_000, 30_000, 7_500, (7, 23)),
        (100_000, 100_000, 100_000, (100, 0)),
        (100_000, 150_000, 50_000, (33, 67)),  # over: the whole bar is what is committed
    ],
)
def test_the_bar_in_hundredths(
    approved: int, committed: int, invoiced: int, widths: tuple[int, int]
) -> None:
    po = PurchaseOrder("RZZPO0000123", 1, 1, "CC1", approved, date(2027, 4, 1), date(2028, 3, 31))
    drawn = bar(PurchaseOrderStatement(po, committed, invoiced))
    assert (drawn.invoiced, drawn.committed) == widths

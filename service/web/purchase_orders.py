"""Finance's purchase orders in the browser: every PO with what is approved, committed,
invoiced and remaining (in numbers and as a bar), recording a new one and changing one. The
checks are the API's, made by the same use cases; a form only adds plain words."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from service.domain.directory import Trust, Venue, version_of
from service.domain.errors import Conflict, DomainError, NotFound, RuleViolation, StaleVersion
from service.domain.money import format_pounds
from service.domain.purchasing import PurchaseOrder
from service.domain.users import Role, User
from service.usecases import purchasing
from service.usecases.directory import list_trusts, list_venues
from service.usecases.purchasing import PurchaseOrderStatement
from service.web.forms import FormErrors, date_items, read_date
from service.web.pages import ctx, signed_in, staff_blueprint

blp = staff_blueprint("purchase_orders", __name__)
finance = signed_in(Role.FINANCE, Role.ADMIN)

MOST_PENCE = 10**11  # the API's limit: £1,000,000,000.00
_AMOUNT = re.compile(r"^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
# The use cases name their fields; the forms call them what people see.
FORM_FIELDS = {
    "number": "number",
    "trust_id": "trust",
    "venue_id": "venue",
    "cost_centre": "cost_centre",
    "approved_value_pence": "amount",
    "valid_from": "valid_from",
    "valid_to": "valid_to",
}
LONGEST = {"number": 30, "cost_centre": 40}  # as the API allows


@dataclass(frozen=True)
class Bar:
    """A PO's bar, in hundredths of its width: invoiced, then committed but not yet
    invoiced; the rest is what remains."""

    invoiced: int
    committed: int


@blp.app_template_global("po_bar_widths")
def bar(s: PurchaseOrderStatement) -> Bar:
    whole = max(s.po.approved_value_pence, s.committed_pence, s.invoiced_pence, 1)
    invoiced = max(s.invoiced_pence, 0) * 100 // whole
    committed = max(s.committed_pence, s.invoiced_pence, 0) * 100 // whole
    return Bar(invoiced, committed - invoiced)


def choices(entries: Sequence[Trust | Venue], chosen: str, first: str) -> list[dict[str, Any]]:
    """A select's items: `first` (value "") then each entry by name, keeping the choice."""
    return [{"value": "", "text": first}] + [
        {"value": str(e.id), "text": e.name, "selected": chosen == str(e.id)} for e in entries
    ]


def read_choice(
    form: Mapping[str, str],
    name: str,
    entries: Sequence[Trust | Venue],
    errors: FormErrors,
    message: str,
    *,
    required: bool = False,
) -> int | None:
    """The id of the entry chosen from a list, or None (an error when `required`)."""
    chosen = form.get(name, "")
    if chosen in {str(e.id) for e in entries}:
        return int(chosen)
    if chosen or required:
        errors.add(name, message)
    return None


def read_line(form: Mapping[str, str], name: str, errors: FormErrors, what: str) -> str:
    text = form.get(name, "").strip()
    if not text:
        errors.add(name, f"Enter {what}")
    elif not text.isprintable():
        errors.add(name, f"Enter {what} on one line, without tabs")
    elif len(text) > LONGEST[name]:
        errors.add(name, f"{what[:1].upper()}{what[1:]} must be {LONGEST[name]} characters or less")
    return text


def read_pounds(form: Mapping[str, str], name: str, errors: FormErrors, what: str) -> int | None:
    """Pounds and pence, exactly: '1500', '£1,500.5' and '1500.50' are understood; a third
    decimal place, a negative or nought is refused rather than rounded."""
    text = form.get(name, "").strip().removeprefix("£").strip()
    said = f"{what[:1].upper()}{what[1:]}"
    if not text:
        errors.add(name, f"Enter {what}")
        return None
    if text.startswith("-"):
        errors.add(name, f"{said} must be more than £0.00")
        return None
    if not _AMOUNT.match(text):
        errors.add(name, f"{said} must be an amount in pounds, like 1500 or 1,500.00")
        return None
    if len(text.partition(".")[2]) > 2:
        errors.add(name, f"{said} must be in pounds and pence, like 1500.50: at most 2 decimals")
        return None
    pence = int(Decimal(text.replace(",", "")) * 100)
    if pence <= 0:
        errors.add(name, f"{said} must be more than £0.00")
    elif pence > MOST_PENCE:
        errors.add(name, f"{said} must be {format_pounds(MOST_PENCE)} or less")
    return pence if 0 < pence <= MOST_PENCE else None


def pounds_typed(pence: int) -> str:
    """How a form shows an amount to change: 150050 -> '1500.50'."""
    return f"{pence // 100}.{pence % 100:02d}"


def date_typed(name: str, day: date) -> dict[str, str]:
    return {f"{name}[day]": str(day.day), f"{name}[month]": str(day.month)} | {
        f"{name}[year]": str(day.year)
    }


def refused(error: DomainError, errors: FormErrors, default: str) -> None:
    """A use case's refusal against the form field it names (or `default`)."""
    named = str(error.details.get("field") or "")
    errors.add(FORM_FIELDS.get(named, default), error.message)


@blp.get("/finance/purchase-orders")
@finance
def index(user: User) -> tuple[str, int]:
    form, errors = request.args, FormErrors()
    venues = list_venues(ctx(), ctx().new_reader(), user)
    trusts = list_trusts(ctx(), ctx().new_reader(), user)
    venue_id = read_choice(form, "venue", venues, errors, "Select a venue from the list")
    trust_id = read_choice(form, "trust", trusts, errors, "Select a trust from the list")
    rows = (
        []
        if errors
        else [
            s
            for s in purchasing.read_statements(ctx(), ctx().new_reader(), user, venue_id)
            if trust_id is None or s.po.trust_id == trust_id
        ]
    )
    page = render_template(
        "staff/purchase_orders/list.html",
        title="Purchase orders",
        errors=errors,
        rows=rows,
        venue_items=choices(venues, form.get("venue", ""), "Every venue"),
        trust_items=choices(trusts, form.get("trust", ""), "Every trust"),
        names=_names(venues, trusts),
        filtered=bool(form.get("venue") or form.get("trust")),
    )
    return page, 400 if errors else 200


def _names(venues: Sequence[Venue], trusts: Sequence[Trust]) -> dict[str, dict[int | None, str]]:
    return {"venue": {v.id: v.name for v in venues}, "trust": {t.id: t.name for t in trusts}}


@blp.get("/finance/purchase-orders/<int(max=2147483647):po_id>")
@finance
def show(user: User, po_id: int) -> str:
    found = purchasing.read_statement(ctx(), ctx().new_reader(), user, po_id)
    venues = list_venues(ctx(), ctx().new_reader(), user)
    return render_template(
        "staff/purchase_orders/show.html",
        title=f"Purchase order {found.po.number}",
        s=found,
        names=_names(venues, list_trusts(ctx(), ctx().new_reader(), user)),
        bookings=purchasing.covered_bookings(ctx(), ctx().new_reader(), user, po_id),
    )


@blp.get("/finance/purchase-orders/new")
@finance
def new(user: User) -> tuple[str, int]:
    chosen = {k: v for k, v in request.args.items() if k in ("venue", "trust")}
    return _form_page(user, chosen, FormErrors(), None, 200)


@blp.post("/finance/purchase-orders")
@finance
def create(user: User) -> BaseResponse | tuple[str, int]:
    form, errors = request.form, FormErrors()
    answers = _answers(user, form, errors, new=True)
    if errors:
        return _form_page(user, form, errors, None, 400)
    try:
        made = purchasing.create_purchase_order(
            ctx(), ctx().new_uow(), user, PurchaseOrder(**answers)
        )
    except (RuleViolation, Conflict, NotFound) as error:
        refused(error, errors, "number")
        return _form_page(user, form, errors, None, 409 if isinstance(error, Conflict) else 422)
    flash(f"Recorded purchase order {made.po.number}.")
    return redirect(url_for("purchase_orders.show", po_id=made.po.id))


@blp.get("/finance/purchase-orders/<int(max=2147483647):po_id>/edit")
@finance
def edit(user: User, po_id: int) -> tuple[str, int]:
    found = purchasing.read_statement(ctx(), ctx().new_reader(), user, po_id)
    return _form_page(user, _as_typed(found.po), FormErrors(), found, 200)


def _as_typed(po: PurchaseOrder) -> dict[str, str]:
    """The PO as its form shows it to be changed, with the version it was read at."""
    return {
        "venue": str(po.venue_id),
        "amount": pounds_typed(po.approved_value_pence),
        "version": version_of(po),
        **date_typed("valid_from", po.valid_from),
        **date_typed("valid_to", po.valid_to),
    }


@blp.post("/finance/purchase-orders/<int(max=2147483647):po_id>/edit")
@finance
def update(user: User, po_id: int) -> BaseResponse | tuple[str, int]:
    found = purchasing.read_statement(ctx(), ctx().new_reader(), user, po_id)
    form, errors = request.form, FormErrors()
    answers = _answers(user, form, errors, new=False)
    if errors:
        return _form_page(user, form, errors, found, 400)
    changes = {k: v for k, v in answers.items() if getattr(found.po, k) != v}
    try:
        if changes:
            purchasing.amend(
                ctx(), ctx().new_uow(), user, po_id, changes, seen=form.get("version", "")
            )
    except StaleVersion:
        return _changed_meanwhile(user, po_id)
    except (RuleViolation, NotFound) as error:
        refused(error, errors, "valid_to")
        return _form_page(user, form, errors, found, 422)
    if changes:
        flash(f"Changed purchase order {found.po.number}.")
    else:
        flash(f"You changed nothing, so purchase order {found.po.number} is as it was.")
    return redirect(url_for("purchase_orders.show", po_id=po_id))


def _changed_meanwhile(user: User, po_id: int) -> tuple[str, int]:
    """Someone else saved a change first: show the PO as it is now, for the change to be
    made again on top of theirs."""
    now = purchasing.read_statement(ctx(), ctx().new_reader(), user, po_id)
    errors = FormErrors()
    errors.add(
        "current",
        "Someone changed this purchase order while you were changing it, so your change was "
        "not saved. The form now shows it as it is: make your change again",
    )
    return _form_page(user, _as_typed(now.po), errors, now, 409)


def _answers(
    user: User, form: Mapping[str, str], errors: FormErrors, *, new: bool
) -> dict[str, Any]:
    """The PO's fields from the form, each problem kept against its field. A new PO has all
    of them; a change only the value, dates and venue (what the API lets change)."""
    answers: dict[str, Any] = {}
    if new:
        answers["number"] = read_line(form, "number", errors, "the PO number")
        trusts = list_trusts(ctx(), ctx().new_reader(), user)
        answers["trust_id"] = read_choice(
            form, "trust", trusts, errors, "Select the trust that raised the PO", required=True
        )
        answers["cost_centre"] = read_line(form, "cost_centre", errors, "the cost centre")
    venues = list_venues(ctx(), ctx().new_reader(), user)
    answers["venue_id"] = read_choice(
        form, "venue", venues, errors, "Select the venue the PO pays", required=True
    )
    start = read_date(form, "valid_from", errors, "the date the PO is valid from")
    end = read_date(form, "valid_to", errors, "the date the PO is valid to")
    if start and end and end < start:
        errors.add("valid_to", "The date the PO is valid to must be on or after its start date")
    answers |= {"valid_from": start, "valid_to": end}
    answers["approved_value_pence"] = read_pounds(form, "amount", errors, "the approved amount")
    return answers


def _form_page(
    user: User,
    form: Mapping[str, str],
    errors: FormErrors,
    found: PurchaseOrderStatement | None,
    status: int,
) -> tuple[str, int]:
    """The new PO form (`found` None) or the form changing `found`, as typed."""
    venues = list_venues(ctx(), ctx().new_reader(), user)
    trusts = list_trusts(ctx(), ctx().new_reader(), user)
    page = render_template(
        "staff/purchase_orders/form.html",
        title=f"Change purchase order {found.po.number}" if found else "Record a purchase order",
        form=form,
        errors=errors,
        s=found,
        names=_names(venues, trusts),
        venue_items=choices(venues, form.get("venue", ""), "Select a venue"),
        trust_items=choices(trusts, form.get("trust", ""), "Select a trust"),
        valid_from=date_items(form, "valid_from", errors),
        valid_to=date_items(form, "valid_to", errors),
    )
    return page, status

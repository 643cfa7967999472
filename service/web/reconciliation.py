"""Finance's reconciliation page: what the exports say that doesn't add up, grouped by kind,
each kind explained with what a person can do about it; confirming a match by PO and amount,
marking a discrepancy as resolved with a note (kept in the audit trail), and what was
resolved recently."""

from __future__ import annotations

from dataclasses import dataclass

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from service.domain.errors import Conflict, NotFound, RuleViolation
from service.domain.reconciliation import DiscrepancyKind
from service.domain.resolutions import NOTE_LONGEST
from service.domain.users import Role, User
from service.usecases import discrepancies, invoicing, reconciliation
from service.usecases.discrepancies import ToReview
from service.web.forms import FormErrors
from service.web.pages import ctx, signed_in, staff_blueprint

blp = staff_blueprint("finance_reconciliation", __name__)
finance = signed_in(Role.FINANCE, Role.ADMIN)
PAGE = "/finance/reconciliation"
KEY = "<string(length=64):key>"


@dataclass(frozen=True)
class KindWords:
    title: str
    explanation: str


KINDS = {
    DiscrepancyKind.UNCONFIRMED_MATCH: KindWords(
        "Matches waiting for you to confirm",
        "The export's invoice number matched nothing Roomhire issued, so Roomhire matched the "
        "row to an invoice by its purchase order and amount instead. Open the invoice and "
        "check the export's row really is it, then confirm the match. If it is not, mark it "
        "as resolved with a note of what the row really is.",
    ),
    DiscrepancyKind.AMOUNT_DIFFERS: KindWords(
        "Amount differs",
        "The finance system has a different amount for the invoice from the one Roomhire "
        "issued. Usually it was keyed wrongly: ask NHS accounts payable to correct it. If "
        "Roomhire's invoice was wrong, raise a credit note. When it is sorted out, mark it as "
        "resolved with a note of what was done.",
    ),
    DiscrepancyKind.PO_DIFFERS: KindWords(
        "Purchase order differs",
        "The finance system has the invoice against a different purchase order from the one "
        "on Roomhire's invoice, so it may be paid from the wrong budget or held. Ask NHS "
        "accounts payable to move it to the right purchase order, then mark it as resolved.",
    ),
    DiscrepancyKind.LOST: KindWords(
        "Never seen by NHS finance",
        "These invoices were sent to the trust's accounts payable, but no export since has "
        "shown them. The email may have been lost: check with accounts payable, and send the "
        "invoice again if they don't have it. Mark it as resolved once they have it.",
    ),
    DiscrepancyKind.UNKNOWN_INVOICE: KindWords(
        "Not an invoice Roomhire issued",
        "A row of the latest export is for one of our venues, but its number matches nothing "
        "Roomhire issued. The venue may have invoiced the trust directly, or the number was "
        "keyed wrongly. Check the row in the import, ask the venue or accounts payable, then "
        "mark it as resolved with a note of what it is.",
    ),
    DiscrepancyKind.PAID_TWICE: KindWords(
        "Paid twice",
        "The finance system shows more than one payment, adding up to more than the invoice. "
        "Ask NHS accounts payable to recover the overpayment from the venue (or the venue to "
        "pay it back), then mark it as resolved.",
    ),
    DiscrepancyKind.OVERPAID: KindWords(
        "Paid too much",
        "The finance system shows more paid than the invoice was for. Ask NHS accounts payable "
        "to recover the difference, then mark it as resolved.",
    ),
    DiscrepancyKind.UNDERPAID: KindWords(
        "Part paid",
        "The finance system shows less paid than the invoice was for. Ask NHS accounts payable "
        "why and when the rest will be paid; mark it as resolved if the rest is not owed.",
    ),
}


@dataclass(frozen=True)
class Group:
    kind: DiscrepancyKind
    words: KindWords
    rows: list[ToReview]


@blp.app_template_global()
def discrepancy_words(kind: DiscrepancyKind) -> KindWords:
    return KINDS[kind]


@blp.app_template_filter()
def export_said(row: ToReview) -> str:
    """The discrepancy's detail, without the invoice number the table shows already."""
    detail = row.discrepancy.detail
    number = row.about.invoice_number
    return detail.removeprefix(f"{number}: ") if number else detail


def grouped(rows: list[ToReview]) -> list[Group]:
    """In the order of KINDS (the ones a person can settle at once first); kinds with nothing
    to look at are left out."""
    return [
        Group(kind, words, found)
        for kind, words in KINDS.items()
        if (found := [r for r in rows if r.discrepancy.problem is kind])
    ]


@blp.get(PAGE)
@finance
def page(user: User) -> str:
    rows = discrepancies.to_review(ctx(), ctx().new_reader(), user)
    return render_template(
        "staff/reconciliation/page.html",
        title="Reconciliation",
        groups=grouped(rows),
        total=len(rows),
        resolved=discrepancies.recently_resolved(ctx(), ctx().new_reader(), user),
    )


@blp.post(f"{PAGE}/<int(max=2147483647):invoice_id>/confirm")
@finance
def confirm(user: User, invoice_id: int) -> BaseResponse:
    try:
        reconciliation.confirm_match(ctx(), ctx().new_uow(), user, invoice_id)
    except RuleViolation:  # pressed twice, or a newer import matched it by number
        flash("That match had already been confirmed or is no longer waiting, so nothing changed.")
    else:
        number = _number(user, invoice_id)
        flash(f"Confirmed that the export's row is invoice {number}.")
    if request.form.get("back") == "invoice":
        return redirect(url_for("finance.invoice", invoice_id=invoice_id))
    return redirect(url_for("finance_reconciliation.page"))


def _number(user: User, invoice_id: int) -> str:
    return invoicing.get_invoice(ctx(), ctx().new_reader(), user, invoice_id).number


@blp.get(f"{PAGE}/{KEY}/resolve")
@finance
def resolve_form(user: User, key: str) -> BaseResponse | tuple[str, int]:
    return _resolve_page(user, key, "", FormErrors(), 200)


@blp.post(f"{PAGE}/{KEY}/resolve")
@finance
def resolve(user: User, key: str) -> BaseResponse | tuple[str, int]:
    note, errors = request.form.get("note", ""), FormErrors()
    if not note.strip():
        errors.add("note", "Enter a note of what you found or did")
    elif len(note.strip()) > NOTE_LONGEST:
        errors.add("note", f"The note must be {NOTE_LONGEST:,} characters or fewer")
    if errors:
        return _resolve_page(user, key, note, errors, 400)
    try:
        resolution = discrepancies.resolve_discrepancy(ctx(), ctx().new_uow(), user, key, note)
    except (Conflict, NotFound) as gone:  # resolved meanwhile, or changed by a newer import
        flash(f"That discrepancy is no longer open, so nothing changed. {gone.message}")
        return redirect(url_for("finance_reconciliation.page"))
    except RuleViolation as refused:
        errors.refusal(refused, "note")
        return _resolve_page(user, key, note, errors, 422)
    flash(f"Marked as resolved: {resolution.detail}")
    return redirect(url_for("finance_reconciliation.page"))


def _resolve_page(
    user: User, key: str, note: str, errors: FormErrors, status: int
) -> BaseResponse | tuple[str, int]:
    rows = discrepancies.to_review(ctx(), ctx().new_reader(), user)
    row = next((r for r in rows if r.discrepancy.key == key), None)
    if row is None:
        flash(
            "That discrepancy is no longer open, so there is nothing to resolve: someone has "
            "resolved it, or a newer import changed it."
        )
        return redirect(url_for("finance_reconciliation.page"))
    page = render_template(
        "staff/reconciliation/resolve.html",
        title="Mark as resolved",
        row=row,
        note=note,
        errors=errors,
        longest=NOTE_LONGEST,
    )
    return page, status

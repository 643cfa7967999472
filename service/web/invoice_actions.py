"""What finance can do from an invoice's page: email it to accounts payable, waive a late
cancellation charged on it (the venue agreed not to charge it: a credit note takes the
charge back), after a page that says what will happen, and reissue an invoice NHS accounts
cancelled (a credit note, and its sessions free for the next invoice run)."""

from __future__ import annotations

from collections.abc import Mapping

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from service.domain.errors import DomainError, NotFound
from service.domain.reissues import REASON_WORDS, ReissueReason
from service.domain.users import Role, User
from service.usecases import delivery, invoicing, reissuing
from service.web.forms import FormErrors
from service.web.pages import ctx, signed_in, staff_blueprint

blp = staff_blueprint("invoice_actions", __name__)
finance = signed_in(Role.FINANCE, Role.ADMIN)
INVOICE = "/finance/invoices/<int(max=2147483647):invoice_id>"
WAIVE = INVOICE + "/sessions/<int(max=2147483647):session_id>/waive"


@blp.post(INVOICE + "/send")
@finance
def send(user: User, invoice_id: int) -> BaseResponse:
    """Queued once: pressed again, the messages already queued stay as they are."""
    messages = delivery.queue_invoice(ctx(), ctx().new_uow(), user, invoice_id)
    flash(f"Queued to be sent to {', '.join(m.to for m in messages)}.")
    return redirect(url_for("finance.invoice", invoice_id=invoice_id))


@blp.get(WAIVE)
@finance
def confirm_waiver(user: User, invoice_id: int, session_id: int) -> str:
    details = invoicing.invoice_details(ctx(), ctx().new_reader(), user, invoice_id)
    if session_id not in details.waivable:
        raise NotFound(f"Invoice {invoice_id} has no late cancellation {session_id} to waive.")
    line = next(line for line in details.invoice.lines if line.session_id == session_id)
    return render_template(
        "staff/finance/waive.html",
        title="Waive a late cancellation",
        invoice=details.invoice,
        line=line,
    )


@blp.post(WAIVE)
@finance
def waive(user: User, invoice_id: int, session_id: int) -> BaseResponse:
    details = invoicing.invoice_details(ctx(), ctx().new_reader(), user, invoice_id)
    if session_id not in details.waivable:  # pressed twice, or not this invoice's
        flash("That late cancellation had already been waived, so nothing changed.")
        return redirect(url_for("finance.invoice", invoice_id=invoice_id))
    waived = invoicing.waive_late_cancellation(ctx(), ctx().new_uow(), user, session_id)
    credit_note = waived.credit_note
    assert credit_note is not None and credit_note.id is not None  # it was on this invoice
    flash(f"Waived. Credit note {credit_note.number} takes the charge back.")
    return redirect(url_for("finance.invoice", invoice_id=credit_note.id))


@blp.route(INVOICE + "/reissue", methods=["GET", "POST"])
@finance
def reissue(user: User, invoice_id: int) -> BaseResponse | tuple[str, int]:
    details = invoicing.invoice_details(ctx(), ctx().new_reader(), user, invoice_id)
    if not details.reissuable:
        if details.reissue is None:
            raise NotFound(f"Invoice {invoice_id} can't be reissued.")
        flash("That invoice had already been reissued, so nothing changed.")
        return redirect(url_for("finance.invoice", invoice_id=invoice_id))
    if request.method == "GET":
        return _reissue_page(user, details, {}, FormErrors(), 200)
    form = request.form.to_dict()
    errors = FormErrors()
    reason = next((r for r in ReissueReason if r.value == form.get("reason")), None)
    po = form.get("purchase_order", "")
    if reason is None:
        errors.add("reason", "Select why the invoice is being reissued")
    if po and not po.isdigit():
        errors.add("purchase_order", "Select a purchase order from the list")
    if reason and not errors:
        try:
            done = reissuing.reissue_invoice(
                ctx(),
                ctx().new_uow(),
                user,
                invoice_id,
                reason,
                int(po) if po else None,
                form.get("details"),
            )
        except DomainError as refusal:
            field = str(refusal.details.get("field") or "")
            errors.refusal(refusal, "details" if field == "details" else "purchase_order")
        else:
            flash(
                f"Reissued. Credit note {done.credit_note.number} takes {details.invoice.number} "
                "back; its sessions go on the next invoice run."
            )
            return redirect(url_for("finance.invoice", invoice_id=invoice_id))
    return _reissue_page(user, details, form, errors, 400)


def _reissue_page(
    user: User,
    details: invoicing.InvoiceDetails,
    form: Mapping[str, str],
    errors: FormErrors,
    status: int,
) -> tuple[str, int]:
    invoice = details.invoice
    pos = reissuing.purchase_orders_to_move_to(ctx(), ctx().new_reader(), user, invoice.id or 0)
    chosen = form.get("purchase_order", "")
    page = render_template(
        "staff/finance/reissue.html",
        title=f"Reissue invoice {invoice.number}",
        invoice=invoice,
        credited=sum(n.gross_pence for n in details.credit_notes),
        form=form,
        errors=errors,
        reasons=[(r.value, words) for r, words in REASON_WORDS.items()],
        po_items=[{"value": "", "text": f"Keep {invoice.po_number}"}]
        + [
            {"value": str(po.id), "text": po.number, "selected": chosen == str(po.id)} for po in pos
        ],
    )
    return page, status

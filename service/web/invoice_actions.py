"""What finance can do from an invoice's page: email it to accounts payable, and waive a
late cancellation charged on it (the venue agreed not to charge it: a credit note takes the
charge back), after a page that says what will happen."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from werkzeug.wrappers import Response as BaseResponse

from service.domain.errors import NotFound
from service.domain.users import Role, User
from service.usecases import delivery, invoicing
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
    flash(f"Queued to be emailed to {', '.join(m.to for m in messages)}.")
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

"""Finance staff in the browser: what needs them now, the invoices (each with its PDF, emails
and status history), the invoice run (preview, then issue exactly what was previewed), and
importing the finance system's exports (what each import found, and the imports so far), and
the emails that failed, each sent again on request."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from service.domain.delivery import EmailState, OutboxState, Recipient, email_state
from service.domain.directory import Trust
from service.domain.einvoice import XML
from service.domain.errors import RuleViolation, TooSlow
from service.domain.exports import AsOfInFuture, ExportRefused, FinanceStatus, ProfileInvalid
from service.domain.invoicing import PDF
from service.domain.reconciliation import Owner, explain_hold
from service.domain.timeslots import LONDON
from service.domain.users import Role, User
from service.ports.ledger import InvoiceFilter, InvoiceQuery
from service.usecases import delivery, downloads, invoicing, reconciliation
from service.usecases.directory import list_trusts, venue_names
from service.usecases.downloads import Format
from service.usecases.finance_overview import invoice_list, work_to_do
from service.web.forms import FormErrors, date_items, read_date, read_whole
from service.web.pages import attachment, ctx, signed_in, staff_blueprint

blp = staff_blueprint("finance", __name__)
finance = signed_in(Role.FINANCE, Role.ADMIN)

EMAIL_WORDS = {
    EmailState.NOT_QUEUED: "Not sent yet",
    EmailState.QUEUED: "Waiting to be sent",
    EmailState.SENT: "Sent",
    EmailState.FAILED: "Sending failed",
}
STATUS_WORDS = {
    FinanceStatus.SENT: "Sent to accounts payable",
    FinanceStatus.RECEIVED: "Received by NHS finance",
    FinanceStatus.ON_HOLD: "On hold",
    FinanceStatus.APPROVED: "Approved for payment",
    FinanceStatus.PART_PAID: "Part paid",
    FinanceStatus.PAID: "Paid",
    FinanceStatus.CANCELLED: "Cancelled",
    FinanceStatus.REJECTED: "Rejected",
}
OUTBOX_WORDS = {
    OutboxState.PENDING: "Waiting to be sent",
    OutboxState.SENDING: "Being sent",
    OutboxState.SENT: "Sent",
    OutboxState.FAILED: "Failed",
}
RECIPIENT_WORDS = {
    Recipient.ACCOUNTS_PAYABLE: "Trust's accounts payable",
    Recipient.ACCESS_POINT: "Trust's e-invoice, through PEPPOL",
    Recipient.VENUE_COPY: "Venue's copy",
    Recipient.FACILITATOR_REMINDER: "Reminder to the facilitator",
    Recipient.HOLD_NOTICE: "Hold notice",
    Recipient.VENUE_BOOKING: "Calendar invitation to the venue",
}
# The invoice list's status filter, in words.
FILTER_WORDS = {
    InvoiceFilter.NOT_EMAILED: "Not sent yet",
    InvoiceFilter.EMAIL_FAILED: "Sending failed",
    InvoiceFilter.TO_CONFIRM: "Match waiting for you to confirm",
    InvoiceFilter.NOT_SEEN: "Not in any export yet",
    InvoiceFilter.LOST: "Lost: sent, but no export shows it",
    InvoiceFilter.RECEIVED: "Received by NHS finance",
    InvoiceFilter.ON_HOLD: "On hold",
    InvoiceFilter.APPROVED: "Approved",
    InvoiceFilter.PART_PAID: "Part paid",
    InvoiceFilter.PAID: "Paid",
    InvoiceFilter.CANCELLED: "Cancelled",
    InvoiceFilter.REJECTED: "Rejected",
}
OWNER_WORDS = {
    Owner.FACILITATOR: "The booking's facilitator",
    Owner.FINANCE: "NHS finance or procurement",
    Owner.VENUE: "The venue, with NHS Shared Business Services",
}
HOLD_CODE_LONGEST = 40
IMPORTS = "/finance/imports"
MAX_UPLOAD = 50 * 1024 * 1024 + 64 * 1024  # the export reader's limit, plus the form around it


@blp.app_template_global()
def finance_words() -> dict[str, Any]:
    return {
        "email": EMAIL_WORDS,
        "status": STATUS_WORDS,
        "outbox": OUTBOX_WORDS,
        "recipient": RECIPIENT_WORDS,
        "hold": lambda code: explain_hold(code).for_staff,
        "owner": lambda code: OWNER_WORDS[explain_hold(code).owner],
    }


@blp.get("/finance")
@finance
def work(user: User) -> str:
    return render_template(
        "staff/finance/work.html",
        title="Work to do",
        work=work_to_do(ctx(), ctx().new_reader(), user),
    )


@blp.get("/finance/invoices")
@finance
def invoices(user: User) -> tuple[str, int]:
    return _invoices_page(user, FormErrors())


@blp.get("/finance/invoices.<any(csv, xlsx):format>")
@finance
def invoices_download(user: User, format: str) -> BaseResponse | tuple[str, int]:
    """The list's invoices, every page of them, as a spreadsheet; a filter that's wrong, or
    too many invoices, is the list page saying so."""
    errors = FormErrors()
    query = _invoice_query(errors, *_choices(user))
    if not errors:
        try:
            found = downloads.invoices_download(
                ctx(), ctx().new_reader(), user, Format(format), query
            )
        except RuleViolation as refused:
            errors.refusal(refused, "from")
        else:
            return attachment(found)
    return _invoices_page(user, errors)


def _choices(user: User) -> tuple[dict[int, str], list[Trust]]:
    return venue_names(ctx(), ctx().new_reader(), user), list_trusts(
        ctx(), ctx().new_reader(), user
    )


def _invoice_query(errors: FormErrors, venues: dict[int, str], trusts: list[Trust]) -> InvoiceQuery:
    """The list's filters, from the address; what is wrong with them in `errors`."""
    form = request.args
    return InvoiceQuery(
        venue_id=_chosen(form, "venue", set(venues), errors, "Select a venue from the list"),
        trust_id=_chosen(
            form, "trust", {t.id for t in trusts}, errors, "Select a trust from the list"
        ),
        status=_status(form.get("status", ""), errors),
        hold=_hold(form.get("hold", "").strip(), errors),
        issued_from=read_date(form, "from", errors, "the first date", required=False),
        issued_to=read_date(form, "to", errors, "the last date", required=False),
    )


def _invoices_page(user: User, errors: FormErrors) -> tuple[str, int]:
    """The list; `errors` from a download refused, whose filters are read again here."""
    form = request.args
    venues, trusts = _choices(user)
    query = _invoice_query(FormErrors() if errors else errors, venues, trusts)
    number = read_whole(form, "page", errors, "The page", least=1, most=10**6) or 1
    page = None
    if not errors:
        try:
            page = invoice_list(ctx(), ctx().new_reader(), user, query, number)
        except RuleViolation as refused:
            errors.refusal(refused, "from")
    filtered = {k: v for k, v in form.items(multi=False) if v and k != "page"}
    html = render_template(
        "staff/finance/invoices.html",
        title="Invoices",
        page=page,
        errors=errors,
        venue_items=_items("Every venue", form.get("venue", ""), venues),
        trust_items=_items("Every trust", form.get("trust", ""), {t.id: t.name for t in trusts}),
        status_items=_items("Any status", form.get("status", ""), FILTER_WORDS),
        hold=form.get("hold", ""),
        issued_from=date_items(form, "from", errors),
        issued_to=date_items(form, "to", errors),
        filters=filtered,
    )
    return html, 400 if errors else 200


def _chosen(
    form: Mapping[str, str], name: str, ids: set[int | None], errors: FormErrors, refusal: str
) -> int | None:
    """An optional choice from a list of ids (what the select offered)."""
    value = form.get(name, "")
    if not value:
        return None
    if not value.isdigit() or int(value) not in ids:
        errors.add(name, refusal)
        return None
    return int(value)


def _status(value: str, errors: FormErrors) -> InvoiceFilter | None:
    if not value:
        return None
    if value not in FILTER_WORDS:
        errors.add("status", "Select a status from the list")
        return None
    return InvoiceFilter(value)


def _hold(code: str, errors: FormErrors) -> str | None:
    if len(code) > HOLD_CODE_LONGEST:
        errors.add("hold", f"A hold code is at most {HOLD_CODE_LONGEST} characters")
        return None
    return code or None


def _items(anything: str, chosen: str, choices: Mapping[Any, str]) -> list[dict[str, Any]]:
    """A select's items: 'anything' first, then each choice, keeping the one chosen."""
    return [{"value": "", "text": anything}] + [
        {"value": str(key), "text": words, "selected": chosen == str(key)}
        for key, words in choices.items()
    ]


@blp.get("/finance/invoices/<int(max=2147483647):invoice_id>")
@finance
def invoice(user: User, invoice_id: int) -> str:
    details = invoicing.invoice_details(ctx(), ctx().new_reader(), user, invoice_id)
    found = details.invoice
    messages = delivery.invoice_messages(ctx(), ctx().new_reader(), user, invoice_id)
    return render_template(
        "staff/finance/invoice.html",
        title=f"{'Credit note' if found.credits_invoice else 'Invoice'} {found.number}",
        invoice=found,
        details=details,
        messages=messages,
        email=email_state(messages),
        status=reconciliation.invoice_status(ctx(), ctx().new_reader(), user, invoice_id),
    )


@blp.get("/finance/invoices/<int(max=2147483647):invoice_id>.pdf")
@finance
def invoice_pdf(user: User, invoice_id: int) -> Response:
    return _document(user, invoice_id, PDF, "inline")


@blp.get("/finance/invoices/<int(max=2147483647):invoice_id>.xml")
@finance
def invoice_xml(user: User, invoice_id: int) -> Response:
    """Its e-invoice, to save (a browser would only show the XML's text)."""
    return _document(user, invoice_id, XML, "attachment")


def _document(user: User, invoice_id: int, media_type: str, disposition: str) -> Response:
    found, document = invoicing.invoice_document(
        ctx(), ctx().new_reader(), user, invoice_id, media_type
    )
    response = Response(document.content, mimetype=media_type)
    name = document.filename(found.number)
    response.headers["Content-Disposition"] = f'{disposition}; filename="{name}"'
    return response


@blp.get("/finance/invoices/<int(max=2147483647):invoice_id>/preview.png")
@finance
def invoice_preview(user: User, invoice_id: int) -> Response:
    picture = invoicing.invoice_preview(ctx(), ctx().new_reader(), user, invoice_id)
    return Response(picture, mimetype="image/png")


@blp.get("/finance/invoice-runs/new")
@finance
def new_run(user: User) -> tuple[str, int]:
    form = request.args
    if "through[year]" not in form and "through[day]" not in form:
        today = ctx().clock.now().astimezone(LONDON).date()
        asked = {"through[day]": str(today.day), "through[month]": str(today.month)}
        asked["through[year]"] = str(today.year)
        return _run_page(user, asked, FormErrors(), None, 200)
    errors = FormErrors()
    through, venue_id = _run_answers(user, form, errors)
    report = None
    if not errors and through:
        report = invoicing.issue_invoices(
            ctx(), ctx().new_uow(), user, through, venue_id, preview=True
        )
    return _run_page(user, form, errors, report, 400 if errors else 200)


@blp.post("/finance/invoice-runs")
@finance
def issue_run(user: User) -> BaseResponse | tuple[str, int]:
    form = request.form
    errors = FormErrors()
    through, venue_id = _run_answers(user, form, errors)
    expected = form.get("fingerprint", "")
    if len(expected) != 64 or not all(c in "0123456789abcdef" for c in expected):
        errors.add("fingerprint", "Preview the invoice run before issuing it")
    if errors or through is None:
        return _run_page(user, form, errors, None, 400)
    report = invoicing.issue_invoices(
        ctx(),
        ctx().new_uow(),
        user,
        through,
        venue_id,
        expected=expected,
        send=form.get("send") == "yes",
    )
    if report.changed:
        return _run_page(user, form, errors, report, 409)
    count = len(report.issued)
    sent = " and queued to be sent" if form.get("send") == "yes" and count else ""
    flash(f"Issued {count} invoice{'' if count == 1 else 's'}{sent}.")
    unsent = "not_emailed" if count and not sent else None
    return redirect(url_for("finance.invoices", status=unsent))


def _run_answers(
    user: User, form: Mapping[str, str], errors: FormErrors
) -> tuple[date | None, int | None]:
    through = read_date(form, "through", errors, "the date to invoice up to")
    venue = form.get("venue", "")
    if venue and venue not in {str(v) for v in venue_names(ctx(), ctx().new_reader(), user)}:
        errors.add("venue", "Select a venue from the list")
        return through, None
    return through, int(venue) if venue else None


def _run_page(
    user: User,
    form: Mapping[str, str],
    errors: FormErrors,
    report: invoicing.IssueReport | None,
    status: int,
) -> tuple[str, int]:
    venues = venue_names(ctx(), ctx().new_reader(), user)
    page = render_template(
        "staff/finance/new_run.html",
        title="Issue invoices",
        form=form,
        errors=errors,
        through=date_items(form, "through", errors),
        venue_items=_items("Every venue", form.get("venue", ""), venues),
        report=report,
    )
    return page, status


@blp.before_app_request
def _allow_large_exports() -> None:
    """An export may be up to 50 MB; every other form stays under the app's 1 MB limit. (Set
    before the CSRF check reads the form.)"""
    if request.method == "POST" and request.path == IMPORTS:
        request.max_content_length = MAX_UPLOAD


@blp.get(IMPORTS)
@finance
def imports(user: User) -> tuple[str, int]:
    return _imports_page(user, {}, FormErrors(), 200)


@blp.post(IMPORTS)
@finance
def import_export(user: User) -> BaseResponse | tuple[str, int]:
    form, errors = request.form, FormErrors()
    profile = form.get("profile", "")
    if profile not in reconciliation.export_profiles(ctx(), user):
        errors.add("profile", "Select the kind of export from the list")
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        errors.add("file", "Select the export file to import")
    as_of = read_date(form, "as_of", errors, "the date the report was run", required=False)
    if errors or upload is None:
        return _imports_page(user, form, errors, 400)
    try:
        outcome = reconciliation.import_finance_export(
            ctx(),
            ctx().new_uow(),
            user,
            upload.read(),
            upload.filename or "export.csv",
            profile,
            time_limit=ctx().import_time_limit,
            as_of=as_of,
        )
    except AsOfInFuture as wrong:
        errors.add("as_of", wrong.message)
        return _imports_page(user, form, errors, 422)
    except TooSlow:
        errors.add(
            "file",
            "The import took too long, so it was stopped. Nothing was imported and nothing "
            "changed. Try again later; if it happens again, ask for a smaller export",
        )
        return _imports_page(user, form, errors, 503)
    except (ExportRefused, ProfileInvalid) as refused:
        errors.add("file", f"{_where(refused)}Nothing was imported and nothing changed")
        return _imports_page(user, form, errors, 422)
    record = outcome.record
    if outcome.already_imported:
        return redirect(url_for("finance.import_record", import_id=record.id, again="yes"))
    flash(f"Imported {record.filename}.")
    return redirect(url_for("finance.import_record", import_id=record.id))


@blp.get(f"{IMPORTS}/<int(max=2147483647):import_id>")
@finance
def import_record(user: User, import_id: int) -> str:
    record = reconciliation.get_import(ctx(), ctx().new_reader(), user, import_id)
    return render_template(
        "staff/finance/import.html",
        title=f"Import of {record.filename}",
        record=record,
        again=request.args.get("again") == "yes",
    )


def _where(refused: ExportRefused | ProfileInvalid) -> str:
    """The refusal, with the column it names when its message doesn't already."""
    message = refused.message.rstrip(".") + ". "
    column = refused.details.get("column")
    if column and str(column) not in message:
        message += f"Column: {column}. "
    return message


def _imports_page(
    user: User, form: Mapping[str, str], errors: FormErrors, status: int
) -> tuple[str, int]:
    profiles = reconciliation.export_profiles(ctx(), user)
    page = render_template(
        "staff/finance/imports.html",
        title="Imports",
        errors=errors,
        profile_items=_items(
            "Select the kind of export",
            form.get("profile", ""),
            {name: f"{words} ({name})" if words else name for name, words in profiles.items()},
        ),
        imports=reconciliation.imports(ctx(), ctx().new_reader(), user),
        as_of=date_items(form, "as_of", errors),
    )
    return page, status


@blp.get("/finance/outbox")
@finance
def failed_emails(user: User) -> str:
    return render_template(
        "staff/finance/outbox.html",
        title="Invoices and emails that failed to send",
        messages=delivery.outbox(ctx(), ctx().new_reader(), user, OutboxState.FAILED),
    )


@blp.post("/finance/outbox/<int(max=2147483647):outbox_id>/retry")
@finance
def retry_email(user: User, outbox_id: int) -> BaseResponse:
    try:
        message = delivery.retry(ctx(), ctx().new_uow(), user, outbox_id)
    except RuleViolation:  # e.g. "Try again" pressed twice: it is already back in the queue
        flash("That message had already been put back in the queue, so nothing changed.")
    else:
        what = "e-invoice" if message.recipient is Recipient.ACCESS_POINT else "email"
        flash(f"The {what} to {message.to} is back in the queue and will be sent again shortly.")
        if request.form.get("back") == "invoice" and message.invoice_id is not None:
            return redirect(url_for("finance.invoice", invoice_id=message.invoice_id))
    return redirect(url_for("finance.failed_emails"))

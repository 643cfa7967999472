"""Issuing invoices, reading them and their PDFs, credit notes for waived charges, and
reissuing an invoice NHS accounts cancelled."""

from __future__ import annotations

from typing import Any, NoReturn

from flask import Response
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from service.api.blueprint import Blueprint, refuses
from service.api.bookings import SessionSchema
from service.api.edge import attachment, ctx, current_user, finance_only, uow
from service.api.fields import Day, id_field, query_id_field
from service.domain.directory import VatTreatment
from service.domain.einvoice import XML
from service.domain.invoicing import PDF, Invoice, InvoiceImmutable
from service.domain.reissues import DETAILS_LONGEST, ReissueReason
from service.domain.spreadsheets import XLSX
from service.ports.ledger import InvoiceQuery as Filter
from service.usecases import downloads, invoicing, reissuing
from service.usecases.downloads import Format
from service.usecases.invoicing import IssueReport, Waived
from service.usecases.reissuing import Reissued

blp = Blueprint("invoicing", __name__, url_prefix="/api/v1", description="Invoices")


class IssueInput(Schema):
    through = Day(required=True, metadata={"description": "Invoice sessions held up to this date."})
    venue_id = id_field()


class PartySchema(Schema):
    name = fields.String()
    address = fields.String()
    email = fields.String()
    vat_number = fields.String(allow_none=True)
    supplier_number = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    queries_email = fields.String(allow_none=True)
    company_number = fields.String(allow_none=True)
    charity_number = fields.String(allow_none=True)
    registered_office = fields.String(allow_none=True)
    sort_code = fields.String(allow_none=True)
    account_number = fields.String(allow_none=True)


class LineSchema(Schema):
    description = fields.String()
    date = fields.Date(attribute="day")
    start = fields.Time()
    end = fields.Time()
    room = fields.String()
    minutes = fields.Integer()
    net_pence = fields.Integer(attribute="amount.net")
    vat_rate = fields.Decimal(attribute="amount.rate", as_string=True)
    vat_pence = fields.Integer(attribute="amount.vat")
    gross_pence = fields.Integer(attribute="amount.gross")
    session_id = fields.Integer(allow_none=True)
    price_per_hour_pence = fields.Integer(
        allow_none=True,
        metadata={"description": "The room's price when booked; null if it was not kept."},
    )
    vat_treatment = fields.Enum(
        VatTreatment,
        by_value=True,
        allow_none=True,
        metadata={"description": "As issued; null on lines issued before it was kept."},
    )
    duration = fields.String(metadata={"description": "As printed: 2 h 40 min."})
    rate = fields.String(metadata={"description": "As printed: £12.34 an hour, or empty."})
    vat = fields.String(
        metadata={"description": "As printed: Exempt, Outside the scope of VAT, 0%, 20%."}
    )


class InvoiceSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    number = fields.String()
    po_number = fields.String()
    purchase_order_id = fields.Integer()
    booking_id = fields.Integer()
    venue_id = fields.Integer()
    trust_id = fields.Integer()
    issue_date = fields.Date()
    tax_point = fields.Date()
    due_date = fields.Date()
    credits_invoice = fields.String(allow_none=True)
    supplier = fields.Nested(PartySchema)
    customer = fields.Nested(PartySchema)
    net_pence = fields.Integer()
    vat_pence = fields.Integer()
    gross_pence = fields.Integer()
    lines = fields.List(fields.Nested(LineSchema))


class RefusalSchema(Schema):
    booking_id = fields.Integer()
    code = fields.String()
    reason = fields.String()


class IssueReportSchema(Schema):
    issued = fields.List(fields.Nested(InvoiceSchema))
    refused = fields.List(fields.Nested(RefusalSchema))


class InvoiceQuery(Schema):
    venue_id = query_id_field()


class WaivedSchema(Schema):
    session = fields.Nested(SessionSchema)
    credit_note = fields.Nested(InvoiceSchema, allow_none=True)


_NO_INVOICE = "404 not_found: there is no invoice with that id"
_IMMUTABLE = "409 invoice_immutable: an issued invoice never changes"


@blp.route("/invoices/issue")
class Issue(MethodView):
    @finance_only
    @blp.arguments(IssueInput)
    @blp.response(200, IssueReportSchema)
    def post(self, data: dict[str, Any]) -> IssueReport:
        """Issue the invoices due (finance)

        For every chargeable session held up to `through`, grouped by each booking's cadence.
        Running it again issues nothing new. A booking that can't be invoiced (no PO, a PO
        that doesn't cover it or has no value left) is listed in `refused` with its reason."""
        return invoicing.issue_invoices(
            ctx(), uow(), current_user(), data["through"], data.get("venue_id")
        )


@blp.route("/invoices")
class Invoices(MethodView):
    @finance_only
    @blp.arguments(InvoiceQuery, location="query")
    @blp.response(200, InvoiceSchema(many=True))
    def get(self, query: dict[str, Any]) -> list[Invoice]:
        """List invoices and credit notes (finance)

        Every one issued, optionally of one venue."""
        return invoicing.list_invoices(ctx(), uow(), current_user(), query.get("venue_id"))


_INVOICES_DOWNLOAD = (
    "A row per invoice and credit note `GET /invoices` lists (the same filter): number, kind, "
    "venue, trust, PO, issued, due, net, VAT and total (negative for a credit note), and its "
    "status, amount paid and payment date in the latest export (empty: in none yet)."
)


def _invoices_download(query: dict[str, Any], format: Format) -> Response:
    return attachment(
        downloads.invoices_download(
            ctx(), uow(), current_user(), format, Filter(venue_id=query.get("venue_id"))
        )
    )


@blp.route("/invoices.csv")
class InvoicesCsv(MethodView):
    @finance_only
    @blp.arguments(InvoiceQuery, location="query")
    @blp.response(200, {"type": "string"}, content_type="text/csv")
    @blp.doc(
        description=f"{_INVOICES_DOWNLOAD} Safe to open: cells a spreadsheet would run "
        "as formulas are neutralised."
    )
    def get(self, query: dict[str, Any]) -> Response:
        """Download invoices as CSV (finance)"""
        return _invoices_download(query, Format.CSV)


@blp.route("/invoices.xlsx")
class InvoicesXlsx(MethodView):
    @finance_only
    @blp.arguments(InvoiceQuery, location="query")
    @blp.response(200, {"type": "string", "format": "binary"}, content_type=XLSX)
    @blp.doc(
        description=f"{_INVOICES_DOWNLOAD} Sums of money are numbers in pounds, dates "
        "are dates; text is never run as a formula."
    )
    def get(self, query: dict[str, Any]) -> Response:
        """Download invoices as an Excel workbook (finance)"""
        return _invoices_download(query, Format.XLSX)


@blp.route("/invoices/<int(max=2147483647):invoice_id>")
class InvoiceById(MethodView):
    @finance_only
    @refuses(_NO_INVOICE)
    @blp.response(200, InvoiceSchema)
    def get(self, invoice_id: int) -> Invoice:
        """Read an invoice or credit note (finance)

        As issued: its parties, PO number, lines and totals."""
        return invoicing.get_invoice(ctx(), uow(), current_user(), invoice_id)

    @finance_only
    @refuses(_NO_INVOICE, _IMMUTABLE)
    def patch(self, invoice_id: int) -> NoReturn:
        """Change an invoice: always refused

        An issued invoice never changes; waive a late cancellation for a credit note."""
        _refuse_change(invoice_id)

    @finance_only
    @refuses(_NO_INVOICE, _IMMUTABLE)
    def delete(self, invoice_id: int) -> NoReturn:
        """Delete an invoice: always refused

        An issued invoice is never deleted; corrections are credit notes."""
        _refuse_change(invoice_id)


def _refuse_change(invoice_id: int) -> NoReturn:
    invoice = invoicing.get_invoice(ctx(), uow(), current_user(), invoice_id)
    raise InvoiceImmutable(
        f"{invoice.number} has been issued and never changes; corrections are credit notes."
    )


def _stored(invoice_id: int, media_type: str) -> Response:
    """One of the invoice's documents as stored at issue; its ETag is its SHA-256."""
    invoice, document = invoicing.invoice_document(
        ctx(), uow(), current_user(), invoice_id, media_type
    )
    response = Response(document.content, mimetype=media_type)
    response.set_etag(document.sha256)
    response.headers["Content-Disposition"] = (
        f'inline; filename="{document.filename(invoice.number)}"'
    )
    return response


@blp.route("/invoices/<int(max=2147483647):invoice_id>.pdf")
class InvoicePdf(MethodView):
    @finance_only
    @refuses(_NO_INVOICE)
    @blp.doc(
        responses={
            "200": {
                "description": "The PDF rendered at issue, byte for byte.",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    )
    def get(self, invoice_id: int) -> Response:
        """Download an invoice's PDF (finance)

        The document rendered when it was issued, byte for byte; its ETag is its SHA-256."""
        return _stored(invoice_id, PDF)


@blp.route("/invoices/<int(max=2147483647):invoice_id>.xml")
class InvoiceXml(MethodView):
    @finance_only
    @refuses("404 not_found: there is no such invoice, or it has no e-invoice")
    @blp.doc(
        responses={
            "200": {
                "description": "The PEPPOL BIS Billing 3.0 e-invoice (UBL 2.1 Invoice or "
                "CreditNote) written at issue, byte for byte.",
                "content": {"application/xml": {"schema": {"type": "string"}}},
            }
        }
    )
    def get(self, invoice_id: int) -> Response:
        """Download an invoice's e-invoice (finance)

        Only for trusts with a PEPPOL participant id, from when they had one: the UBL
        written when the invoice or credit note was issued, byte for byte; its ETag is its
        SHA-256. Same numbers and totals as its PDF."""
        return _stored(invoice_id, XML)


@blp.route("/sessions/<int(max=2147483647):session_id>/waive")
class Waive(MethodView):
    @finance_only
    @refuses(
        "404 not_found: there is no session with that id",
        "422 rule_violation: the session is not a late cancellation",
    )
    @blp.response(200, WaivedSchema)
    def post(self, session_id: int) -> Waived:
        """Waive a late cancellation's charge (finance)

        The venue agrees not to charge it. If it was invoiced, a credit note against that
        invoice is issued."""
        return invoicing.waive_late_cancellation(ctx(), uow(), current_user(), session_id)


class ReissueInput(Schema):
    reason = fields.Enum(
        ReissueReason,
        by_value=True,
        required=True,
        metadata={"description": "Why NHS accounts cancelled it; `other` needs `details`."},
    )
    details = fields.String(
        validate=validate.Length(max=DETAILS_LONGEST),
        load_default=None,
        metadata={"description": "In a few words; required when the reason is `other`."},
    )
    purchase_order_id = id_field(
        load_default=None,
        metadata={"description": "The corrected PO its sessions move to (same trust and venue)."},
    )


class ReissueSchema(Schema):
    reason = fields.Enum(ReissueReason, by_value=True)
    details = fields.String(allow_none=True)
    why = fields.String()
    purchase_order_id = fields.Integer(allow_none=True)
    actor = fields.String()
    at = fields.DateTime()


class ReissuedSchema(Schema):
    invoice = fields.Nested(InvoiceSchema)
    credit_note = fields.Nested(InvoiceSchema)
    reissue = fields.Nested(ReissueSchema)
    session_ids = fields.Method(
        "_session_ids", metadata={"description": "Free to go on the next invoice run."}
    )

    def _session_ids(self, reissued: Reissued) -> list[int]:
        return [s.id or 0 for s in reissued.sessions]


@blp.route("/invoices/<int(max=2147483647):invoice_id>/reissue")
class ReissueInvoice(MethodView):
    @finance_only
    @refuses(
        _NO_INVOICE,
        "409 not_reissuable: NHS accounts have not cancelled or rejected it (or a credit note)",
        "409 already_reissued: it has been reissued already",
        "409 po_not_valid: the PO is another trust's or venue's, or doesn't cover the sessions",
        "409 po_value_exceeded: the PO has too little value left for the sessions",
    )
    @blp.arguments(ReissueInput)
    @blp.response(200, ReissuedSchema)
    def post(self, data: dict[str, Any], invoice_id: int) -> Reissued:
        """Reissue an invoice NHS accounts cancelled or rejected (finance)

        Once per invoice, in one go: a credit note against it for every line not credited
        already (queued to be emailed), and its sessions free to go on the next invoice run,
        moved to `purchase_order_id` if given. Nothing changes if anything is refused."""
        return reissuing.reissue_invoice(
            ctx(),
            uow(),
            current_user(),
            invoice_id,
            data["reason"],
            data["purchase_order_id"],
            data["details"],
        )

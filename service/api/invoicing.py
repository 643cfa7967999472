"""Issuing invoices, reading them and their PDFs, and credit notes for waived charges."""

from __future__ import annotations

from typing import Any, NoReturn

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from service.api.bookings import SessionSchema
from service.api.edge import ctx, current_user, uow
from service.api.fields import Day, id_field, query_id_field
from service.domain.invoicing import Invoice, InvoiceImmutable
from service.usecases import invoicing
from service.usecases.invoicing import IssueReport, Waived

blp = Blueprint("invoicing", __name__, url_prefix="/api/v1", description="Invoices")


class IssueInput(Schema):
    through = Day(required=True, metadata={"description": "Invoice sessions held up to this date."})
    venue_id = id_field()


class PartySchema(Schema):
    name = fields.String()
    address = fields.String()
    email = fields.String()
    vat_number = fields.String(allow_none=True)


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


@blp.route("/invoices/issue")
class Issue(MethodView):
    @blp.arguments(IssueInput)
    @blp.response(200, IssueReportSchema)
    def post(self, data: dict[str, Any]) -> IssueReport:
        """Finance: issue invoices for every chargeable session held up to `through`, grouped
        by each booking's cadence. Running it again issues nothing new."""
        return invoicing.issue_invoices(
            ctx(), uow(), current_user(), data["through"], data.get("venue_id")
        )


@blp.route("/invoices")
class Invoices(MethodView):
    @blp.arguments(InvoiceQuery, location="query")
    @blp.response(200, InvoiceSchema(many=True))
    def get(self, query: dict[str, Any]) -> list[Invoice]:
        return invoicing.list_invoices(uow(), current_user(), query.get("venue_id"))


@blp.route("/invoices/<int(max=2147483647):invoice_id>")
class InvoiceById(MethodView):
    @blp.response(200, InvoiceSchema)
    def get(self, invoice_id: int) -> Invoice:
        return invoicing.get_invoice(uow(), current_user(), invoice_id)

    @blp.response(409)
    def patch(self, invoice_id: int) -> NoReturn:
        """Refused: an issued invoice never changes; waive a charge for a credit note."""
        _refuse_change(invoice_id)

    @blp.response(409)
    def delete(self, invoice_id: int) -> NoReturn:
        """Refused: an issued invoice is never deleted."""
        _refuse_change(invoice_id)


def _refuse_change(invoice_id: int) -> NoReturn:
    invoice = invoicing.get_invoice(uow(), current_user(), invoice_id)
    raise InvoiceImmutable(
        f"{invoice.number} has been issued and never changes; corrections are credit notes."
    )


@blp.route("/invoices/<int(max=2147483647):invoice_id>.pdf")
class InvoicePdf(MethodView):
    @blp.doc(
        responses={
            "200": {
                "description": "The PDF rendered at issue, byte for byte.",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    )
    def get(self, invoice_id: int) -> Response:
        invoice, pdf, sha256 = invoicing.invoice_pdf(uow(), current_user(), invoice_id)
        response = Response(pdf, mimetype="application/pdf")
        response.set_etag(sha256)
        response.headers["Content-Disposition"] = f'inline; filename="{invoice.number}.pdf"'
        return response


@blp.route("/sessions/<int(max=2147483647):session_id>/waive")
class Waive(MethodView):
    @blp.response(200, WaivedSchema)
    def post(self, session_id: int) -> Waived:
        """Finance: the venue agrees not to charge a late cancellation. If it was invoiced,
        a credit note against that invoice is issued."""
        return invoicing.waive_late_cancellation(ctx(), uow(), current_user(), session_id)

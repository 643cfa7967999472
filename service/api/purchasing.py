"""Purchase orders: finance records them; bookings draw on them."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from service.api.blueprint import Blueprint, refuses
from service.api.edge import ctx, current_user, finance_only, uow
from service.api.fields import Day, Line, id_field, query_id_field
from service.api.idempotent import idempotent
from service.domain.purchasing import PurchaseOrder
from service.usecases import purchasing
from service.usecases.purchasing import PurchaseOrderStatement

blp = Blueprint("purchasing", __name__, url_prefix="/api/v1", description="Purchase orders")

_pence = validate.Range(min=1, max=10**11)


class PurchaseOrderInput(Schema):
    number = Line(required=True, validate=validate.Length(min=1, max=30))
    trust_id = id_field(required=True)
    venue_id = id_field(required=True)
    cost_centre = Line(required=True, validate=validate.Length(min=1, max=40))
    approved_value_pence = fields.Integer(
        required=True, strict=True, validate=_pence, metadata={"description": "VAT inclusive"}
    )
    valid_from = Day(required=True)
    valid_to = Day(required=True)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> PurchaseOrder:
        return PurchaseOrder(**data)


class PurchaseOrderAmendment(Schema):
    approved_value_pence = fields.Integer(strict=True, validate=_pence)
    valid_from = Day()
    valid_to = Day()
    venue_id = id_field()

    @validates_schema
    def _something(self, data: dict[str, Any], **_: Any) -> None:
        if not data:
            raise ValidationError(
                "Give what changes: approved_value_pence, valid_from, valid_to or venue_id."
            )


class PurchaseOrderSchema(Schema):
    id = fields.Integer(attribute="po.id")
    number = fields.String(attribute="po.number")
    trust_id = fields.Integer(attribute="po.trust_id")
    venue_id = fields.Integer(attribute="po.venue_id")
    cost_centre = fields.String(attribute="po.cost_centre")
    approved_value_pence = fields.Integer(attribute="po.approved_value_pence")
    valid_from = fields.Date(attribute="po.valid_from")
    valid_to = fields.Date(attribute="po.valid_to")
    committed_pence = fields.Integer(metadata={"description": "Chargeable sessions booked, gross"})
    invoiced_pence = fields.Integer(metadata={"description": "Invoiced, credit notes deducted"})
    remaining_pence = fields.Integer()


class PurchaseOrderQuery(Schema):
    venue_id = query_id_field()


_NO_PO = "404 not_found: there is no purchase order with that id"


@blp.route("/purchase-orders")
class PurchaseOrders(MethodView):
    @blp.arguments(PurchaseOrderQuery, location="query")
    @blp.response(200, PurchaseOrderSchema(many=True))
    def get(self, query: dict[str, Any]) -> list[PurchaseOrderStatement]:
        """List purchase orders

        Each with what is committed against it, what is invoiced and what remains.
        Facilitators see their own trust's only."""
        return purchasing.read_statements(ctx(), uow(), current_user(), query.get("venue_id"))

    @finance_only
    @idempotent
    @refuses(
        "404 not_found: there is no trust or venue with that id",
        "409 conflict: a PO with that number is recorded already",
        "422 rule_violation: the number is not in the trust's PO number format, valid_to is "
        "before valid_from, or the value is not more than £0.00",
    )
    @blp.arguments(PurchaseOrderInput)
    @blp.response(201, PurchaseOrderSchema)
    def post(self, po: PurchaseOrder) -> PurchaseOrderStatement:
        """Record a purchase order (finance)

        Its number must be in the trust's PO number format; spaces are taken out and letters
        made capitals."""
        return purchasing.create_purchase_order(ctx(), uow(), current_user(), po)


@blp.route("/purchase-orders/<int(max=2147483647):po_id>")
class PurchaseOrderById(MethodView):
    @refuses(_NO_PO)
    @blp.response(200, PurchaseOrderSchema)
    def get(self, po_id: int) -> PurchaseOrderStatement:
        """Read a purchase order

        With what is committed against it, what is invoiced and what remains."""
        return purchasing.read_statement(ctx(), uow(), current_user(), po_id)

    @finance_only
    @refuses(
        _NO_PO,
        "404 not_found: there is no venue with the new venue_id",
        "422 po_committed: the value would go below what is committed, or the dates or venue "
        "would leave sessions booked on it outside it (listed in `sessions`)",
        "422 rule_violation: valid_to before valid_from",
    )
    @blp.arguments(PurchaseOrderAmendment)
    @blp.response(200, PurchaseOrderSchema)
    def patch(self, data: dict[str, Any], po_id: int) -> PurchaseOrderStatement:
        """Change a purchase order's value, dates or venue (finance)

        Raise (or lower, never below what is committed) the value, move its dates or correct
        its venue, never so that a chargeable session booked on it falls outside it."""
        return purchasing.amend(ctx(), uow(), current_user(), po_id, data)

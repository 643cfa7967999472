"""Purchase orders: finance records them; bookings draw on them."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from service.api.edge import ctx, current_user, uow
from service.api.fields import Day, Text, id_field, query_id_field
from service.api.idempotent import idempotent
from service.domain.purchasing import PurchaseOrder
from service.usecases import purchasing
from service.usecases.purchasing import PurchaseOrderStatement

blp = Blueprint("purchasing", __name__, url_prefix="/api/v1", description="Purchase orders")

_pence = validate.Range(min=1, max=10**11)


class PurchaseOrderInput(Schema):
    number = Text(required=True, validate=validate.Length(min=1, max=30))
    trust_id = id_field(required=True)
    venue_id = id_field(required=True)
    cost_centre = Text(required=True, validate=validate.Length(min=1, max=40))
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
    valid_to = Day()

    @validates_schema
    def _something(self, data: dict[str, Any], **_: Any) -> None:
        if not data:
            raise ValidationError("Give approved_value_pence, valid_to or both.")


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


@blp.route("/purchase-orders")
class PurchaseOrders(MethodView):
    @blp.arguments(PurchaseOrderQuery, location="query")
    @blp.response(200, PurchaseOrderSchema(many=True))
    def get(self, query: dict[str, Any]) -> list[PurchaseOrderStatement]:
        current_user()
        return purchasing.list_statements(uow(), query.get("venue_id"))

    @idempotent
    @blp.arguments(PurchaseOrderInput)
    @blp.response(201, PurchaseOrderSchema)
    def post(self, po: PurchaseOrder) -> PurchaseOrderStatement:
        """Finance: record a PO. Its number must match the trust's PO pattern."""
        return purchasing.create_purchase_order(uow(), ctx().clock, current_user(), po)


@blp.route("/purchase-orders/<int(max=2147483647):po_id>")
class PurchaseOrderById(MethodView):
    @blp.response(200, PurchaseOrderSchema)
    def get(self, po_id: int) -> PurchaseOrderStatement:
        """A PO with what is committed against it and what remains."""
        current_user()
        return purchasing.statement(uow(), po_id)

    @blp.arguments(PurchaseOrderAmendment)
    @blp.response(200, PurchaseOrderSchema)
    def patch(self, data: dict[str, Any], po_id: int) -> PurchaseOrderStatement:
        """Finance: raise the value or move the end date."""
        return purchasing.amend(
            uow(),
            ctx().clock,
            current_user(),
            po_id,
            approved_value_pence=data.get("approved_value_pence"),
            valid_to=data.get("valid_to"),
        )

"""Sending invoices by email and watching the outbox."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from marshmallow import Schema, fields

from service.api.blueprint import Blueprint, refuses
from service.api.edge import ctx, current_user, finance_only, uow
from service.api.fields import LondonDateTime
from service.domain.delivery import OutboxMessage, OutboxState
from service.usecases import delivery

blp = Blueprint("delivery", __name__, url_prefix="/api/v1", description="Invoice delivery")


class OutboxSchema(Schema):
    id = fields.Integer()
    invoice_id = fields.Integer(allow_none=True, metadata={"description": "null for a status link"})
    status_link_id = fields.Integer(allow_none=True)
    recipient = fields.String()
    to = fields.String()
    subject = fields.String()
    message_id = fields.String()
    documents_sha256 = fields.String(
        metadata={
            "description": "SHA-256 of the invoice's documents when queued (of its PDF, when "
            "that is the only one): checked before sending. Empty for Roomhire's own emails."
        }
    )
    state = fields.String()
    attempts = fields.Integer()
    next_attempt_at = LondonDateTime(allow_none=True)
    last_error = fields.String(allow_none=True)
    server_reply = fields.String(allow_none=True)
    sent_at = LondonDateTime(allow_none=True)
    possible_duplicate = fields.Boolean()
    created_at = LondonDateTime()


class OutboxQuery(Schema):
    state = fields.Enum(OutboxState, by_value=True)


@blp.route("/invoices/<int(max=2147483647):invoice_id>/send")
class Send(MethodView):
    @finance_only
    @refuses(
        "404 not_found: there is no invoice with that id",
        "422 rule_violation: the PDF is larger than the inbox takes (10 MB)",
    )
    @blp.response(202, OutboxSchema(many=True))
    def post(self, invoice_id: int) -> list[OutboxMessage]:
        """Send an invoice to accounts payable (finance)

        Queues it for its trust's accounts-payable inbox, with a copy to the venue. Once
        only: asking again returns what is already queued."""
        return delivery.queue_invoice(ctx(), uow(), current_user(), invoice_id)


@blp.route("/outbox")
class Outbox(MethodView):
    @finance_only
    @blp.arguments(OutboxQuery, location="query")
    @blp.response(200, OutboxSchema(many=True))
    def get(self, query: dict[str, Any]) -> list[OutboxMessage]:
        """List the outbox's messages (finance)

        With proof of delivery (the server's reply); `state=failed` is the dead-letter list."""
        return delivery.outbox(ctx(), uow(), current_user(), query.get("state"))


@blp.route("/outbox/<int(max=2147483647):outbox_id>/retry")
class Retry(MethodView):
    @finance_only
    @refuses(
        "404 not_found: there is no outbox message with that id",
        "422 rule_violation: only a failed message can be retried",
    )
    @blp.response(200, OutboxSchema)
    def post(self, outbox_id: int) -> OutboxMessage:
        """Retry a failed message (finance)

        Puts it back in the queue, e.g. after the address has been corrected."""
        return delivery.retry(ctx(), uow(), current_user(), outbox_id)

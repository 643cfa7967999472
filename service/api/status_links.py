"""Finance gives venues secret links to their payment status page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from service.api.blueprint import Blueprint, refuses
from service.api.edge import ctx, current_user, finance_only, uow
from service.api.fields import LondonDateTime, StrictBoolean
from service.domain.status_links import LONGEST_LIFETIME, StatusLink
from service.usecases import status_links
from service.usecases.status_links import NewLink

blp = Blueprint(
    "status_links", __name__, url_prefix="/api/v1", description="Venue payment status links"
)


class CreateInput(Schema):
    expires_in_days = fields.Integer(
        strict=True,
        validate=validate.Range(min=1, max=LONGEST_LIFETIME.days),
        metadata={"description": "Default: ROOMHIRE_STATUS_LINK_DAYS (180)."},
    )
    email_to_venue = StrictBoolean(
        load_default=False,
        metadata={
            "description": "Email the link to the venue's contact through the outbox instead "
            "of showing it here: then nobody but the venue ever sees it."
        },
    )


class LinkSchema(Schema):
    id = fields.Integer()
    venue_id = fields.Integer()
    created_at = LondonDateTime()
    created_by = fields.String()
    expires_at = LondonDateTime()
    revoked_at = LondonDateTime(allow_none=True)
    last_used_at = LondonDateTime(allow_none=True)
    state = fields.Method("_state", metadata={"description": "active, expired or revoked"})

    def _state(self, link: StatusLink) -> str:
        return link.state(ctx().clock.now())


class NewLinkSchema(LinkSchema):
    url = fields.String(
        allow_none=True,
        metadata={"description": "Shown once: only its hash is kept (null when emailed)."},
    )
    emailed_to = fields.String(allow_none=True)


@dataclass
class ShownLink(StatusLink):
    url: str | None = None
    emailed_to: str | None = None


def _shown_once(new: NewLink) -> ShownLink:
    return ShownLink(**vars(new.link), url=f"{ctx().public_url}/status/{new.token}")


_NO_VENUE = "404 not_found: there is no venue with that id"
_NO_LINK = "404 not_found: there is no status link with that id"


@blp.route("/venues/<int(max=2147483647):venue_id>/status-links")
class Links(MethodView):
    @finance_only
    @refuses(_NO_VENUE)
    @blp.arguments(CreateInput)
    @blp.response(201, NewLinkSchema)
    def post(self, body: dict[str, Any], venue_id: int) -> ShownLink:
        """Give a venue a link to its payment status page (finance)

        The URL is in this response only, or (`email_to_venue`) only in the email the outbox
        sends to the venue."""
        days = body.get("expires_in_days")
        lifetime = timedelta(days=days) if days else None
        if body["email_to_venue"]:
            link, to = status_links.email_link(ctx(), uow(), current_user(), venue_id, lifetime)
            return ShownLink(**vars(link), emailed_to=to)
        new = status_links.create_link(ctx(), uow(), current_user(), venue_id, lifetime)
        return _shown_once(new)

    @finance_only
    @refuses(_NO_VENUE)
    @blp.response(200, LinkSchema(many=True))
    def get(self, venue_id: int) -> list[StatusLink]:
        """List a venue's status links (finance)

        With their state and when each was last used; never the links themselves."""
        return status_links.links(ctx(), uow(), current_user(), venue_id)


@blp.route("/status-links/<int(max=2147483647):link_id>/revoke")
class Revoke(MethodView):
    @finance_only
    @refuses(_NO_LINK)
    @blp.response(200, LinkSchema)
    def post(self, link_id: int) -> StatusLink:
        """Stop a status link working (finance)

        At once; revoking it again changes nothing."""
        return status_links.revoke(ctx(), uow(), current_user(), link_id)


@blp.route("/status-links/<int(max=2147483647):link_id>/rotate")
class Rotate(MethodView):
    @finance_only
    @refuses(_NO_LINK)
    @blp.response(201, NewLinkSchema)
    def post(self, link_id: int) -> ShownLink:
        """Replace a status link with a new one (finance)

        Same venue and lifetime; the old link stops working at once."""
        return _shown_once(status_links.rotate(ctx(), uow(), current_user(), link_id))

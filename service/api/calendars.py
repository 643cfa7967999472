"""iCalendar (.ics) feeds of sessions."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView
from marshmallow import Schema, fields

from service.api.blueprint import Blueprint, refuses
from service.api.edge import ctx, current_user, uow
from service.usecases import calendar_feeds

blp = Blueprint("calendars", __name__, url_prefix="/api/v1", description="Calendar feeds")

_ICS_DOC = {
    "responses": {
        "200": {
            "description": "RFC 5545 calendar, times in Europe/London, one stable UID per session.",
            "content": {"text/calendar": {"schema": {"type": "string"}}},
        }
    }
}


class CalendarAddressSchema(Schema):
    url = fields.String(
        metadata={"description": "Subscribe to it in a calendar app; shown only this once."}
    )


def _ics(body: bytes) -> Response:
    return Response(body, mimetype="text/calendar", headers={"Cache-Control": "no-store"})


@blp.route("/facilitators/<int(max=2147483647):facilitator_id>/sessions.ics")
class FacilitatorFeed(MethodView):
    @refuses("404 not_found: a facilitator asks for someone else's calendar")
    @blp.doc(**_ICS_DOC)
    def get(self, facilitator_id: int) -> Response:
        """A facilitator's sessions as a calendar

        Named by their group labels. Facilitators may read their own only."""
        return _ics(calendar_feeds.facilitator_feed(ctx(), current_user(), facilitator_id))


@blp.route("/rooms/<int(max=2147483647):room_id>/sessions.ics")
class RoomFeed(MethodView):
    @refuses("404 not_found: there is no room with that id")
    @blp.doc(**_ICS_DOC)
    def get(self, room_id: int) -> Response:
        """A room's bookings as a calendar

        Described neutrally ("Booked (Room hire)"): it may be shared with the venue."""
        current_user()
        return _ics(calendar_feeds.room_feed(ctx(), room_id))


@blp.route("/me/calendar-address")
class CalendarAddress(MethodView):
    @blp.response(201, CalendarAddressSchema)
    def post(self) -> dict[str, Any]:
        """Make a secret address of your own calendar

        For calendar apps that can't send an API key. Any earlier address stops working."""
        return {"url": calendar_feeds.new_calendar_address(ctx(), uow(), current_user())}

    @blp.response(204)
    def delete(self) -> None:
        """Stop your secret calendar address

        A calendar app subscribed to it stops updating."""
        calendar_feeds.stop_calendar_address(ctx(), uow(), current_user())

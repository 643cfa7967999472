"""iCalendar (.ics) feeds of sessions."""

from __future__ import annotations

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from service.api.edge import ctx, current_user
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


def _ics(body: bytes) -> Response:
    return Response(body, mimetype="text/calendar", headers={"Cache-Control": "no-store"})


@blp.route("/facilitators/<int(max=2147483647):facilitator_id>/sessions.ics")
class FacilitatorFeed(MethodView):
    @blp.doc(**_ICS_DOC)
    def get(self, facilitator_id: int) -> Response:
        """A facilitator's sessions (facilitators: their own only)."""
        return _ics(calendar_feeds.facilitator_feed(ctx(), current_user(), facilitator_id))


@blp.route("/rooms/<int(max=2147483647):room_id>/sessions.ics")
class RoomFeed(MethodView):
    @blp.doc(**_ICS_DOC)
    def get(self, room_id: int) -> Response:
        """A room's bookings, described neutrally."""
        current_user()
        return _ics(calendar_feeds.room_feed(ctx(), room_id))

"""Liveness with a database check, and who-am-I."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from marshmallow import Schema, fields

from service.api.accounts import UserSchema
from service.api.blueprint import Blueprint
from service.api.edge import ctx, current_user
from service.domain.users import User

blp = Blueprint("health", __name__, description="Service health")


class HealthSchema(Schema):
    status = fields.String()
    database = fields.String()


@blp.route("/healthz")
class Health(MethodView):
    @blp.response(200, HealthSchema)
    @blp.alt_response(503, schema=HealthSchema)
    @blp.doc(security=[])
    def get(self) -> Any:
        """Check the service and its database

        200 when the service can reach its database, 503 when it cannot. No API key needed."""
        try:
            with ctx().new_reader() as unit:
                unit.trusts.get(0)
        except Exception:  # any database failure means "not healthy", never a 500
            return {"status": "unavailable", "database": "unreachable"}, 503
        return {"status": "ok", "database": "ok"}


@blp.route("/api/v1/me")
class Me(MethodView):
    @blp.response(200, UserSchema)
    def get(self) -> User:
        """Who am I

        The account behind the API key: email, role and trust."""
        return current_user()

"""Staff accounts (admin): list, create, disable and enable, and replace a lost API key."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from service.api.edge import ctx, current_user, uow
from service.api.fields import id_field
from service.domain.users import Role, User
from service.usecases import accounts

blp = Blueprint("accounts", __name__, url_prefix="/api/v1", description="Staff accounts")


class UserSchema(Schema):
    id = fields.Integer(dump_only=True)
    email = fields.Email(required=True, validate=validate.Length(max=254))
    role = fields.Enum(Role, by_value=True, required=True)
    trust_id = id_field(
        load_default=None,
        allow_none=True,
        metadata={"description": "The trust a facilitator works for."},
    )
    active = fields.Boolean(dump_only=True)


class UserWithKeySchema(UserSchema):
    api_key = fields.String(metadata={"description": "Shown only this once; keep it safe."})


@blp.route("/users")
class Users(MethodView):
    @blp.response(200, UserSchema(many=True))
    def get(self) -> list[User]:
        return accounts.list_users(uow(), current_user())

    @blp.arguments(UserSchema)
    @blp.response(201, UserWithKeySchema)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Add someone; their API key is in this answer and nowhere else."""
        user, key = accounts.create_user(uow(), ctx().clock, actor=current_user(), **body)
        return {**vars(user), "api_key": key}


@blp.route("/users/<int(max=2147483647):user_id>/disable")
class DisableUser(MethodView):
    @blp.response(200, UserSchema)
    def post(self, user_id: int) -> User:
        """Their API key and calendar address stop working (e.g. they left)."""
        actor = current_user()
        return accounts.set_active(uow(), ctx().clock, user_id, active=False, actor=actor)


@blp.route("/users/<int(max=2147483647):user_id>/enable")
class EnableUser(MethodView):
    @blp.response(200, UserSchema)
    def post(self, user_id: int) -> User:
        actor = current_user()
        return accounts.set_active(uow(), ctx().clock, user_id, active=True, actor=actor)


@blp.route("/users/<int(max=2147483647):user_id>/new-key")
class NewKey(MethodView):
    @blp.response(200, UserWithKeySchema)
    def post(self, user_id: int) -> dict[str, Any]:
        """Replace a lost or leaked API key; the old one stops at once."""
        user, key = accounts.new_key(uow(), ctx().clock, user_id, actor=current_user())
        return {**vars(user), "api_key": key}

"""Staff accounts (admin): list, create, change a role, disable and enable, and replace a lost
API key."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from service.api.blueprint import Blueprint, refuses
from service.api.edge import admin_only, ctx, current_user, uow
from service.api.fields import EmailAddress, id_field
from service.domain.users import Role, User
from service.usecases import accounts

blp = Blueprint("accounts", __name__, url_prefix="/api/v1", description="Staff accounts")


class UserSchema(Schema):
    id = fields.Integer(dump_only=True)
    email = EmailAddress(required=True, validate=validate.Length(max=254))
    role = fields.Enum(Role, by_value=True, required=True)
    trust_id = id_field(
        load_default=None,
        allow_none=True,
        metadata={"description": "The trust a facilitator works for."},
    )
    active = fields.Boolean(dump_only=True)


class UserWithKeySchema(UserSchema):
    api_key = fields.String(metadata={"description": "Shown only this once; keep it safe."})


class RoleChangeSchema(Schema):
    role = fields.Enum(Role, by_value=True, required=True)


_NO_USER = "404 not_found: there is no user with that id"
_KEEP_AN_ADMIN = "409 conflict: they are the last active admin, or they are you"


@blp.route("/users/<int(max=2147483647):user_id>")
class OneUser(MethodView):
    @admin_only
    @refuses(_NO_USER, _KEEP_AN_ADMIN)
    @blp.arguments(RoleChangeSchema)
    @blp.response(200, UserSchema)
    def patch(self, body: dict[str, Any], user_id: int) -> User:
        """Change someone's role

        It applies from their next request. An admin can't remove their own admin role, and the
        last active admin keeps theirs, so someone can always manage accounts. Giving the role
        they already have changes nothing."""
        return accounts.change_role(ctx(), uow(), current_user(), user_id, body["role"])


@blp.route("/users")
class Users(MethodView):
    @admin_only
    @blp.response(200, UserSchema(many=True))
    def get(self) -> list[User]:
        """List the staff accounts

        Everyone who can use Roomhire, with their role and whether their account is active."""
        return accounts.list_users(ctx(), uow(), current_user())

    @admin_only
    @refuses(
        "404 not_found: there is no trust with that trust_id",
        "409 conflict: someone already has an account with that email",
        "422 rule_violation: the email is not an email address",
    )
    @blp.arguments(UserSchema)
    @blp.response(201, UserWithKeySchema)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Add a staff account

        Their API key is in this answer and nowhere else: pass it on safely."""
        user, key = accounts.create_user(ctx(), uow(), actor=current_user(), **body)
        return {**vars(user), "api_key": key}


@blp.route("/users/<int(max=2147483647):user_id>/disable")
class DisableUser(MethodView):
    @admin_only
    @refuses(_NO_USER, _KEEP_AN_ADMIN)
    @blp.response(200, UserSchema)
    def post(self, user_id: int) -> User:
        """Disable an account, e.g. when someone leaves

        Their API key, calendar address and signed-in sessions stop working at once. An admin
        can't disable themselves, nor the last active admin."""
        actor = current_user()
        return accounts.set_active(ctx(), uow(), actor, user_id, active=False)


@blp.route("/users/<int(max=2147483647):user_id>/enable")
class EnableUser(MethodView):
    @admin_only
    @refuses(_NO_USER)
    @blp.response(200, UserSchema)
    def post(self, user_id: int) -> User:
        """Enable a disabled account again

        Their API key and calendar address work again."""
        actor = current_user()
        return accounts.set_active(ctx(), uow(), actor, user_id, active=True)


@blp.route("/users/<int(max=2147483647):user_id>/new-key")
class NewKey(MethodView):
    @admin_only
    @refuses(_NO_USER)
    @blp.response(200, UserWithKeySchema)
    def post(self, user_id: int) -> dict[str, Any]:
        """Replace a lost or leaked API key

        The old key and their signed-in sessions stop working at once; the new key is in this
        answer and nowhere else."""
        user, key = accounts.new_key(ctx(), uow(), current_user(), user_id)
        return {**vars(user), "api_key": key}

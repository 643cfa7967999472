"""Per-request access to the use-case context, the unit of work and the signed-in user."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import Response, current_app, g, request

from service.api.blueprint import Blueprint, View, refuses
from service.domain.errors import Unauthenticated
from service.domain.users import Role, User
from service.ports.unit_of_work import UnitOfWork
from service.usecases.accounts import authenticate
from service.usecases.context import Context
from service.usecases.downloads import Download


def ctx() -> Context:
    context: Context = current_app.extensions["roomhire"]
    return context


def uow() -> UnitOfWork:
    """One unit of work per request, so an idempotent wrapper and the view share a transaction."""
    if "uow" not in g:
        g.uow = ctx().new_uow()
    unit: UnitOfWork = g.uow
    return unit


def current_user() -> User:
    if "user" not in g:
        scheme, _, key = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            raise Unauthenticated("Send your API key as 'Authorization: Bearer <key>'.")
        g.user = authenticate(uow(), key.strip())
    user: User = g.user
    return user


def attachment(download: Download) -> Response:
    """A file to save, named for what it holds."""
    return Response(
        download.content,
        mimetype=download.media_type,
        headers={"Content-Disposition": f'attachment; filename="{download.filename}"'},
    )


def requires(*roles: Role) -> Callable[[View], View]:
    """Refuse (403) the wrong role before the body is read, so a bad body never answers 422
    to someone who may not call the operation at all. Put it above @blp.arguments. The use
    case checks the role again: the API and the pages cannot disagree."""
    allowed = " or ".join(role.value for role in roles)

    def decorator(view: View) -> View:
        @functools.wraps(view)
        def checked(*args: Any, **kwargs: Any) -> Any:
            current_user().require(*roles)
            return view(*args, **kwargs)

        documented = Blueprint.doc(**{"x-roles": [role.value for role in roles]})
        refusal = refuses(f"403 forbidden: this needs the {allowed} role")
        return refusal(documented(checked))  # type: ignore[no-any-return]

    return decorator


admin_only = requires(Role.ADMIN)
finance_only = requires(Role.FINANCE, Role.ADMIN)  # admin may do everything

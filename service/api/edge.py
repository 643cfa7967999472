"""Per-request access to the use-case context, the unit of work and the signed-in user."""

from __future__ import annotations

from flask import current_app, g, request

from service.domain.errors import Unauthenticated
from service.domain.users import User
from service.ports import UnitOfWork
from service.usecases.accounts import authenticate
from service.usecases.context import Context


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

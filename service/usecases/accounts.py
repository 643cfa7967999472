"""Staff accounts and their API keys (only a hash of each key is stored). Operators call
these from the CLI on the server, admins through the API; `actor` names who, for the audit."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol

from service.domain.audit import AuditEvent
from service.domain.errors import Conflict, NotFound, RuleViolation, Unauthenticated
from service.domain.users import Role, User
from service.ports.unit_of_work import WithAudit, WithStaffSessions, WithTrusts, WithUsers
from service.usecases.context import Context


class AccountStores(WithTrusts, WithUsers, WithAudit, WithStaffSessions, Protocol):
    """The stores the accounts use cases use: nothing else is in reach."""


KEY_PREFIX = "rh_"


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_user(
    ctx: Context,
    uow: AccountStores,
    actor: User,
    *,
    email: str,
    role: Role,
    trust_id: int | None = None,
) -> tuple[User, str]:
    """Create a user and return it with its API key, which is never shown again.
    A facilitator may belong to a trust: their bookings must then use that trust's POs."""
    actor.require(Role.ADMIN)
    email = email.strip().lower()
    if "@" not in email:
        raise RuleViolation(f"{email!r} is not an email address.", field="email")
    key = _new_key()
    with uow:
        if uow.users.by_email(email):
            raise Conflict(f"A user with email {email} already exists.")
        if trust_id is not None and uow.trusts.get(trust_id) is None:
            raise NotFound(f"There is no trust {trust_id}.")
        user = uow.users.add(
            User(email=email, role=role, key_hash=hash_key(key), trust_id=trust_id)
        )
        assert user.id is not None
        uow.audit.record(
            AuditEvent(ctx.clock.now(), actor.label, "created", "user", user.id, {"role": role})
        )
        uow.commit()
    return user, key


def authenticate(uow: AccountStores, key: str) -> User:
    with uow:
        user = uow.users.by_key_hash(hash_key(key)) if key.startswith(KEY_PREFIX) else None
    if user is None or not user.active:
        raise Unauthenticated("The API key is unknown or disabled.")
    return user


def list_users(ctx: Context, uow: AccountStores, actor: User) -> list[User]:
    actor.require(Role.ADMIN)
    with uow:
        return uow.users.all()


@dataclass(frozen=True)
class Person:
    """An account as the admin pages show it: with when they last signed in, if ever."""

    user: User
    last_signed_in: datetime | None


def people(ctx: Context, uow: AccountStores, actor: User) -> list[Person]:
    actor.require(Role.ADMIN)
    with uow:
        last = uow.staff_sessions.last_sign_ins()
        return [Person(user, last.get(user.id or 0)) for user in uow.users.all()]


def get_person(ctx: Context, uow: AccountStores, actor: User, user_id: int) -> Person:
    actor.require(Role.ADMIN)
    with uow:
        user = _user(uow, user_id)
        return Person(user, uow.staff_sessions.last_sign_ins().get(user_id))


def change_role(ctx: Context, uow: AccountStores, actor: User, who: int | str, role: Role) -> User:
    """Give someone another role; it applies from their next request (pages and API read the
    role each time). Nobody removes their own admin role, and the last active admin keeps
    theirs, so someone can always manage accounts."""
    actor.require(Role.ADMIN)
    with uow:
        admins = uow.users.find(role=Role.ADMIN, trust_id=None, for_update=True)  # as set_active
        user = _user(uow, who)
        if user.role is role:
            return user
        if user.role is Role.ADMIN:
            _keep_an_admin(actor, user, admins, "remove your own admin role")
        uow.users.update(replace(user, role=role))
        detail = {"from": user.role.value, "to": role.value}
        uow.audit.record(
            AuditEvent(ctx.clock.now(), actor.label, "role_changed", "user", user.id or 0, detail)
        )
        uow.commit()
    return replace(user, role=role)


def _keep_an_admin(actor: User, user: User, admins: list[User], doing: str) -> None:
    """Refuse to take away the admin role or account of the last active admin, or an admin's
    own: they could lock themselves out."""
    if user.active and admins == [user]:
        raise Conflict(f"{user.email} is the last active admin.")
    if actor.id is not None and actor.id == user.id:
        raise Conflict(f"You cannot {doing}: ask another admin to do it.")


def set_active(
    ctx: Context, uow: AccountStores, actor: User, who: int | str, *, active: bool
) -> User:
    """Disable (the key, the calendar address and any signed-in session stop working) or
    enable again.
    The last active admin can't be disabled (nobody could manage accounts through the API),
    nor can an admin disable themselves."""
    actor.require(Role.ADMIN)
    with uow:
        # The active admins' rows are locked first, so two admins disabling each other at
        # once take turns: the second sees the first's change and is refused.
        admins = uow.users.find(role=Role.ADMIN, trust_id=None, for_update=True)
        user = _user(uow, who)
        if user.active == active:
            return user
        if not active and user.role is Role.ADMIN:
            _keep_an_admin(actor, user, admins, "disable your own account")
        user = replace(user, active=active)
        uow.users.update(user)
        if not active:
            uow.staff_sessions.end_all(user.id or 0, ctx.clock.now())
        action = "enabled" if active else "disabled"
        uow.audit.record(AuditEvent(ctx.clock.now(), actor.label, action, "user", user.id or 0))
        uow.commit()
    return user


def new_key(ctx: Context, uow: AccountStores, actor: User, who: int | str) -> tuple[User, str]:
    """A lost or leaked key: a new one, shown once; the old one stops at once, and so do the
    person's signed-in sessions (whoever had the key may have signed in too)."""
    actor.require(Role.ADMIN)
    key = _new_key()
    with uow:
        user = replace(_user(uow, who), key_hash=hash_key(key))
        uow.users.update(user)
        uow.staff_sessions.end_all(user.id or 0, ctx.clock.now())
        uow.audit.record(AuditEvent(ctx.clock.now(), actor.label, "new_key", "user", user.id or 0))
        uow.commit()
    return user, key


def _new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def _user(uow: AccountStores, who: int | str) -> User:
    """By id, or by email (as operators know people)."""
    user = uow.users.get(who) if isinstance(who, int) else uow.users.by_email(who.strip().lower())
    if user is None:
        raise NotFound(f"There is no user {who}.")
    return user

"""Staff accounts and their API keys (only a hash of each key is stored)."""

from __future__ import annotations

import hashlib
import secrets

from service.domain.audit import AuditEvent
from service.domain.errors import Conflict, NotFound, RuleViolation, Unauthenticated
from service.domain.users import Role, User
from service.ports import Clock, UnitOfWork

KEY_PREFIX = "rh_"


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_user(
    uow: UnitOfWork,
    clock: Clock,
    *,
    email: str,
    role: Role,
    actor: str,
    trust_id: int | None = None,
) -> tuple[User, str]:
    """Create a user and return it with its API key, which is never shown again.
    A facilitator may belong to a trust: their bookings must then use that trust's POs."""
    email = email.strip().lower()
    if "@" not in email:
        raise RuleViolation(f"{email!r} is not an email address.", field="email")
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    with uow:
        if uow.users.by_email(email):
            raise Conflict(f"A user with email {email} already exists.")
        if trust_id is not None and uow.trusts.get(trust_id) is None:
            raise NotFound(f"There is no trust {trust_id}.")
        user = uow.users.add(
            User(email=email, role=role, key_hash=hash_key(key), trust_id=trust_id)
        )
        assert user.id is not None
        uow.audit.record(AuditEvent(clock.now(), actor, "created", "user", user.id, {"role": role}))
        uow.commit()
    return user, key


def authenticate(uow: UnitOfWork, key: str) -> User:
    with uow:
        user = uow.users.by_key_hash(hash_key(key)) if key.startswith(KEY_PREFIX) else None
    if user is None or not user.active:
        raise Unauthenticated("The API key is unknown or disabled.")
    return user

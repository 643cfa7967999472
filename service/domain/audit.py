"""Audit trail: every state change records who, when, and through what."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class AuditEvent:
    at: datetime
    actor: str
    action: str
    entity: str
    entity_id: int
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AuditQuery:
    """Which events to read: about one kind of entry (and one entry of it), by one person (any
    label they acted under) or by another actor named exactly; every event when all are None."""

    entity: str | None = None
    entity_id: int | None = None
    person_id: int | None = None
    actor: str | None = None


_PERSON = re.compile(r"user (\d+)(?: <.*>)?")


def person_labels(user_id: int) -> tuple[str, str]:
    """How a person appears as an actor: 'user 3' exactly (signing out), or starting with
    'user 3 <' (`User.label`, with their email)."""
    return f"user {user_id}", f"user {user_id} <"


def person_of(actor: str) -> int | None:
    """The user id an actor label names, if it names a person."""
    match = _PERSON.fullmatch(actor)
    return int(match.group(1)) if match else None

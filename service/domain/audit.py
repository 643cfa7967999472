"""Audit trail: every state change records who, when, and through what."""

from __future__ import annotations

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

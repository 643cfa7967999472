"""What every change leaves behind: the audit log, and answers kept for retried requests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from service.domain.audit import AuditEvent, AuditQuery


@dataclass(frozen=True)
class StoredResponse:
    fingerprint: str
    status: int | None
    body: str | None


class IdempotencyStore(Protocol):
    def get(self, user_id: int, key: str) -> StoredResponse | None: ...
    def claim(self, user_id: int, key: str, fingerprint: str) -> None:
        """Reserve the key inside the current transaction; raises KeyAlreadyClaimed if taken."""
        ...

    def complete(self, user_id: int, key: str, status: int, body: str) -> None: ...


class KeyAlreadyClaimed(Exception):
    """Another transaction holds or has committed the same idempotency key."""


class AuditLog(Protocol):
    def record(self, event: AuditEvent) -> None: ...
    def find(self, query: AuditQuery, *, limit: int, offset: int) -> list[AuditEvent]:
        """The events `query` asks for, newest first, `limit` of them after skipping `offset`
        (chosen, ordered and counted off by the database, not by reading the whole log)."""
        ...

"""The audit log, and answers kept for retried requests (idempotency keys)."""

from __future__ import annotations

import dataclasses

from sqlalchemy import insert, or_, select
from sqlalchemy.exc import IntegrityError

from adapters.db.repositories.base import Repository
from adapters.db.tables import (
    AuditRow,
    Base,
    IdempotencyRow,
)
from service.domain.audit import AuditEvent, AuditQuery, person_labels
from service.ports.records import KeyAlreadyClaimed, StoredResponse


class IdempotencyStore(Repository):
    def get(self, user_id: int, key: str) -> StoredResponse | None:
        row = self._row(user_id, key)
        return StoredResponse(row.fingerprint, row.status, row.body) if row else None

    def claim(self, user_id: int, key: str, fingerprint: str) -> None:
        self.db.add(IdempotencyRow(user_id=user_id, key=key, fingerprint=fingerprint))
        try:
            self.db.flush()
        except IntegrityError as exc:
            raise KeyAlreadyClaimed(key) from exc

    def complete(self, user_id: int, key: str, status: int, body: str) -> None:
        row = self._row(user_id, key)
        assert row is not None
        row.status, row.body = status, body
        self.db.flush()

    def _row(self, user_id: int, key: str) -> IdempotencyRow | None:
        return self.db.scalar(
            select(IdempotencyRow).where(
                IdempotencyRow.user_id == user_id, IdempotencyRow.key == key
            )
        )


class AuditLog(Repository):
    def record(self, event: AuditEvent) -> None:
        """Inserted at once with a statement built once, rather than by the ORM's flush."""
        self.db.connection().execute(_RECORD, dataclasses.asdict(event))

    def find(self, query: AuditQuery, *, limit: int, offset: int) -> list[AuditEvent]:
        statement = select(AuditRow)
        if query.entity is not None:
            statement = statement.where(AuditRow.entity == query.entity)
        if query.entity_id is not None:
            statement = statement.where(AuditRow.entity_id == query.entity_id)
        if query.person_id is not None:
            exact, prefix = person_labels(query.person_id)
            statement = statement.where(
                or_(AuditRow.actor == exact, AuditRow.actor.startswith(prefix, autoescape=True))
            )
        if query.actor is not None:
            statement = statement.where(AuditRow.actor == query.actor)
        newest_first = statement.order_by(AuditRow.at.desc(), AuditRow.id.desc())
        rows = self.db.scalars(newest_first.limit(limit).offset(offset))
        return [AuditEvent(r.at, r.actor, r.action, r.entity, r.entity_id, r.detail) for r in rows]


_RECORD = insert(Base.metadata.tables[AuditRow.__tablename__])

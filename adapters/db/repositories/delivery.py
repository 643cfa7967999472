"""The outbox: messages to send, claimed in batches, retried, dead-lettered."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam, select, update

from adapters.db import mapping
from adapters.db.repositories.base import Repository
from adapters.db.tables import (
    Base,
    OutboxRow,
)
from service.domain.delivery import OutboxMessage, OutboxState


class OutboxRepository(Repository):
    def add(self, message: OutboxMessage) -> OutboxMessage:
        return self.inserted(mapping.outbox_row(message), mapping.outbox)

    def add_all(self, messages: Sequence[OutboxMessage]) -> None:
        if messages:
            self.insert_many(OutboxRow, mapping.outbox_columns(messages))

    def get(self, message_id: int) -> OutboxMessage | None:
        row = self.db.get(OutboxRow, message_id)
        return mapping.outbox(row) if row else None

    def find(
        self,
        *,
        state: OutboxState | None = None,
        invoice_id: int | None = None,
        invoice_ids: Sequence[int] | None = None,
    ) -> list[OutboxMessage]:
        query = select(OutboxRow).order_by(OutboxRow.id)
        if state is not None:
            query = query.where(OutboxRow.state == state.value)
        if invoice_id is not None:
            query = query.where(OutboxRow.invoice_id == invoice_id)
        if invoice_ids is not None:
            query = query.where(OutboxRow.invoice_id.in_(set(invoice_ids)))
        return [mapping.outbox(r) for r in self.db.scalars(query)]

    def due(self, now: datetime, stale_before: datetime, limit: int) -> list[OutboxMessage]:
        pending = (OutboxRow.state == OutboxState.PENDING.value) & (
            OutboxRow.next_attempt_at.is_(None) | (OutboxRow.next_attempt_at <= now)
        )
        abandoned = (OutboxRow.state == OutboxState.SENDING.value) & (
            OutboxRow.claimed_at < stale_before
        )
        query = (
            select(OutboxRow)
            .where(pending | abandoned)
            .order_by(OutboxRow.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [mapping.outbox(r) for r in self.db.scalars(query)]

    def save_all(self, messages: Sequence[OutboxMessage]) -> None:
        if messages:
            rows = [{**mapping.outbox_values(m), "_id": m.id} for m in messages]
            self.db.connection().execute(_SAVE, rows)

    def save(self, message: OutboxMessage) -> None:
        self.save_all([message])


_OUTBOX = Base.metadata.tables["outbox_messages"]
_SAVE = update(_OUTBOX).where(_OUTBOX.c.id == bindparam("_id"))  # built once: see base.py

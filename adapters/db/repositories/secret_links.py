"""Venue status links and calendar links (only their hashes are stored)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, bindparam, select, update

from adapters.db import mapping
from adapters.db.repositories.base import Repository
from adapters.db.tables import (
    CalendarLinkRow,
    StatusLinkRow,
)
from service.domain.calendar_links import CalendarLink
from service.domain.status_links import StatusLink

_BY_HASH = select(StatusLinkRow.__table__).where(
    StatusLinkRow.__table__.c.token_hash == bindparam("token_hash")
)


class StatusLinkRepository(Repository):
    def add(self, link: StatusLink) -> StatusLink:
        return self.inserted(mapping.status_link_row(link), mapping.status_link)

    def get(self, link_id: int) -> StatusLink | None:
        row = self.db.get(StatusLinkRow, link_id)
        return mapping.status_link(row) if row else None

    def by_hash(self, token_hash: str) -> StatusLink | None:
        """On every status page view: a statement built once (see base)."""
        row = self.db.execute(_BY_HASH, {"token_hash": token_hash}).first()
        return mapping.status_link(row) if row else None

    def find(self, venue_id: int) -> list[StatusLink]:
        query = select(StatusLinkRow).where(StatusLinkRow.venue_id == venue_id)
        return [mapping.status_link(r) for r in self.db.scalars(query.order_by(StatusLinkRow.id))]

    def save(self, link: StatusLink) -> None:
        row = self.db.get_one(StatusLinkRow, link.id)
        row.token_hash, row.revoked_at = link.token_hash, link.revoked_at
        row.last_used_at = link.last_used_at
        self.db.flush()


class CalendarLinkRepository(Repository):
    def add(self, link: CalendarLink) -> CalendarLink:
        return self.inserted(mapping.calendar_link_row(link), mapping.calendar_link)

    def by_hash(self, token_hash: str) -> CalendarLink | None:
        row = self.db.scalar(
            select(CalendarLinkRow).where(CalendarLinkRow.token_hash == token_hash)
        )
        return mapping.calendar_link(row) if row else None

    def revoke_all(self, user_id: int, at: datetime) -> None:
        self.db.execute(update(CalendarLinkRow).where(_live_link(user_id)).values(revoked_at=at))

    def has_live(self, user_id: int) -> bool:
        return self.db.scalar(select(CalendarLinkRow.id).where(_live_link(user_id))) is not None


def _live_link(user_id: int) -> ColumnElement[bool]:
    return (CalendarLinkRow.user_id == user_id) & CalendarLinkRow.revoked_at.is_(None)

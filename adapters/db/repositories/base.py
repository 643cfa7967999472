"""What every repository shares: the unit of work's session, and writing rows.

A read made on every page view behind a secret link is a statement built once, at import, of
the tables' columns rather than the mapped classes, with bound parameters: SQLAlchemy then skips
building it, the ORM's execution and entity loading, and reuses its compiled form (this halved
a status page view's time)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

from sqlalchemy import update
from sqlalchemy.engine import CursorResult, Result
from sqlalchemy.orm import Session as DbSession

from adapters.db.tables import Base

R = TypeVar("R", bound=Base)
D = TypeVar("D")


class Repository:
    def __init__(self, db: DbSession) -> None:
        self.db = db

    def inserted(self, row: R, to_domain: Callable[[R], D]) -> D:
        """Insert a new row and read it back as a domain object, with its id."""
        self.db.add(row)
        self.db.flush()
        return to_domain(row)

    def overwrite(self, row: Base, row_id: int | None) -> None:
        """Every column of an existing row from a transient copy made from the domain object
        (which carries every column: one it lacked would be written as NULL); child rows
        untouched."""
        table = Base.metadata.tables[row.__tablename__]
        self.db.execute(update(table).where(table.c.id == row_id).values(columns_of(row)))


def columns_of(row: Base) -> dict[str, object]:
    """A row's values by column, but its id."""
    return {c.key: getattr(row, c.key) for c in row.__table__.columns if c.key != "id"}


def changed(result: Result[Any]) -> bool:
    """Whether an UPDATE or DELETE touched a row."""
    return bool(cast(CursorResult[Any], result).rowcount)

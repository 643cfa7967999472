"""What every repository shares: the unit of work's session, and writing rows.

A read made on every page view behind a secret link is a statement built once, at import, of
the tables' columns rather than the mapped classes, with bound parameters: SQLAlchemy then skips
building it, the ORM's execution and entity loading, and reuses its compiled form (this halved
a status page view's time)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from typing import Any, TypeVar, cast

from sqlalchemy import ColumnElement, Dialect, insert, update
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

    def insert_many(self, table: type[Base], values: Mapping[str, Sequence[Any]]) -> None:
        """Many rows, given column by column (of the same length), in the driver's own
        executemany: SQLAlchemy's per-row parameter handling cost more than the database's
        own work. Each column's values still pass through its type's bind processor, once
        per distinct value."""
        connection, columns = self.db.connection(), Base.metadata.tables[table.__tablename__].c
        dialect = connection.dialect
        sql, order = _insert_sql(table.__tablename__, tuple(values), dialect)
        bound = [_bound(values[name], columns[name], dialect) for name in order]
        cells: list[Any] = list(zip(*bound, strict=True))
        if not dialect.positional:  # psycopg's %(name)s
            cells = [dict(zip(order, cell, strict=True)) for cell in cells]
        connection.exec_driver_sql(sql, cells)

    def overwrite(self, row: Base, row_id: int | None) -> None:
        """Every column of an existing row from a transient copy made from the domain object
        (which carries every column: one it lacked would be written as NULL); child rows
        untouched."""
        table = Base.metadata.tables[row.__tablename__]
        self.db.execute(update(table).where(table.c.id == row_id).values(columns_of(row)))


@lru_cache(maxsize=32)
def _insert_sql(
    table: str, names: tuple[str, ...], dialect: Dialect
) -> tuple[str, tuple[str, ...]]:
    """An INSERT of these columns in the dialect's SQL, and the order its values go in:
    compiled once (the outbox worker adds one status event a message)."""
    compiled = insert(Base.metadata.tables[table]).compile(
        dialect=dialect, column_keys=list(names), for_executemany=True
    )
    return compiled.string, tuple(compiled.positiontup or names)


def _bound(values: Sequence[Any], column: ColumnElement[Any], dialect: Dialect) -> Sequence[Any]:
    """`values` (hashable) as the driver takes them for `column` (SQLite's dates as text,
    for one)."""
    process = column.type.dialect_impl(dialect).bind_processor(dialect)
    if process is None:
        return values
    distinct = {value: process(value) for value in set(values)}
    return [distinct[value] for value in values]


def columns_of(row: Base) -> dict[str, object]:
    """A row's values by column, but its id."""
    return {c.key: getattr(row, c.key) for c in row.__table__.columns if c.key != "id"}


def changed(result: Result[Any]) -> bool:
    """Whether an UPDATE or DELETE touched a row."""
    return bool(cast(CursorResult[Any], result).rowcount)

"""Engines for SQLite (embedded default) and PostgreSQL (production)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.orm import Session, sessionmaker

from adapters.private_files import private_file


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        return _sqlite_engine(url)
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


READ_ONLY = "roomhire_read_only"


def make_session_factory(engine: Engine, *, read_only: bool = False) -> sessionmaker[Session]:
    """`read_only`: on SQLite such transactions begin DEFERRED and never take the write lock,
    so readers neither wait for writers nor make them wait (WAL)."""
    if read_only:
        engine = engine.execution_options(**{READ_ONLY: True})
    return sessionmaker(engine, expire_on_commit=False)


def _sqlite_engine(url: str) -> Engine:
    """Every SQLite transaction starts with BEGIN IMMEDIATE, so writers queue one at a time
    (the busy timeout makes them wait, not fail): a check-then-insert cannot race."""
    path = make_url(url).database
    if path and ":memory:" not in path and not Path(path).exists():
        os.close(private_file(Path(path)))  # an empty file is an empty database; WAL files
        # SQLite makes beside it take its permissions
    engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # let SQLAlchemy emit BEGIN itself
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA busy_timeout = 30000")
        if ":memory:" not in url:
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        read_only = connection.get_execution_options().get(READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine

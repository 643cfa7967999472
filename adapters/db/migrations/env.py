"""Alembic environment: the URL comes from the config set by adapters.db.migrate."""

from alembic import context

from adapters.db.engine import make_engine
from adapters.db.tables import Base

url = context.config.get_main_option("sqlalchemy.url")
assert url is not None
engine = make_engine(url)
with engine.connect() as connection:
    postgresql = connection.dialect.name == "postgresql"
    if not postgresql:
        # SQLite's own recipe for rebuilding a table others refer to (batch mode): foreign keys
        # off for the migration (a PRAGMA that only takes outside a transaction), checked after.
        connection.connection.driver_connection.execute("PRAGMA foreign_keys = OFF")  # type: ignore[union-attr]
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=not postgresql,
        # The version table lives in the schema being migrated (the first on the search path),
        # not in any schema the search path happens to reach.
        version_table_schema=connection.dialect.default_schema_name if postgresql else None,
    )
    with context.begin_transaction():
        context.run_migrations()
        if not postgresql:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            assert not broken, f"the migration left rows referring to nothing: {broken}"
engine.dispose()

"""Alembic environment: the URL comes from the config set by adapters.db.migrate."""

from alembic import context

from adapters.db.engine import make_engine
from adapters.db.tables import Base

url = context.config.get_main_option("sqlalchemy.url")
assert url is not None
engine = make_engine(url)
with engine.connect() as connection:
    postgresql = connection.dialect.name == "postgresql"
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
engine.dispose()

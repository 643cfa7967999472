"""Alembic environment: the URL comes from the config set by adapters.db.migrate."""

from alembic import context

from adapters.db.engine import make_engine
from adapters.db.tables import Base

url = context.config.get_main_option("sqlalchemy.url")
assert url is not None
engine = make_engine(url)
with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()

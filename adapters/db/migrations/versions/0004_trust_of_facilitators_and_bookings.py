"""The trust a facilitator works for, and so the trust each booking is for.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TABLES = ("users", "booking_series")


def upgrade() -> None:
    for table in TABLES:
        if op.get_bind().dialect.name == "sqlite":  # a reference only inline, no table rebuild
            op.execute(f"ALTER TABLE {table} ADD COLUMN trust_id INTEGER REFERENCES trusts (id)")
        else:
            op.add_column(table, sa.Column("trust_id", sa.Integer()))
            op.create_foreign_key(f"fk_{table}_trust_id", table, "trusts", ["trust_id"], ["id"])


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("trust_id")

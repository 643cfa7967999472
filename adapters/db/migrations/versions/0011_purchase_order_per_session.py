"""A booking's sessions may be covered by different POs (NHS POs run by financial year, and a
weekly group from February to May crosses 31 March): the PO moves from the series to each
session.

Revision ID: 0011
Revises: 0010
"""

from importlib import import_module

import sqlalchemy as sa
from alembic import op

# SQLite rebuilds `sessions` to drop a column with a reference: its overlap triggers go with
# the old table and are made again as the first migration makes them.
_first = import_module("adapters.db.migrations.versions.0001_directory_users_bookings")

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN on SQLite (no rebuild of sessions, whose overlap triggers stay).
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE sessions ADD COLUMN purchase_order_id INTEGER "
            "REFERENCES purchase_orders (id)"
        )
    else:
        op.add_column("sessions", sa.Column("purchase_order_id", sa.Integer()))
        op.create_foreign_key(
            "fk_sessions_purchase_order_id",
            "sessions",
            "purchase_orders",
            ["purchase_order_id"],
            ["id"],
        )
    op.create_index("ix_sessions_purchase_order_id", "sessions", ["purchase_order_id"])
    op.execute(
        "UPDATE sessions SET purchase_order_id = (SELECT purchase_order_id FROM booking_series "
        "WHERE booking_series.id = sessions.series_id)"
    )
    op.drop_index("ix_booking_series_purchase_order_id", "booking_series")
    with op.batch_alter_table("booking_series") as batch:
        batch.drop_column("purchase_order_id")


def downgrade() -> None:
    with op.batch_alter_table("booking_series") as batch:
        batch.add_column(sa.Column("purchase_order_id", sa.Integer()))
        batch.create_foreign_key(
            "fk_booking_series_purchase_order_id",
            "purchase_orders",
            ["purchase_order_id"],
            ["id"],
        )
    op.create_index("ix_booking_series_purchase_order_id", "booking_series", ["purchase_order_id"])
    op.execute(
        "UPDATE booking_series SET purchase_order_id = (SELECT MIN(purchase_order_id) "
        "FROM sessions WHERE sessions.series_id = booking_series.id)"
    )
    op.drop_index("ix_sessions_purchase_order_id", "sessions")
    with op.batch_alter_table("sessions") as batch:
        batch.drop_column("purchase_order_id")
    if op.get_bind().dialect.name == "sqlite":
        _first._create_overlap_guard()

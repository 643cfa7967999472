"""Purchase orders; each session keeps the charge agreed when it was booked.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "purchase_orders",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("number", sa.String(length=30), nullable=False, unique=True),
        sa.Column("trust_id", sa.Integer(), sa.ForeignKey("trusts.id"), nullable=False),
        sa.Column("venue_id", sa.Integer(), sa.ForeignKey("venues.id"), nullable=False),
        sa.Column("cost_centre", sa.String(length=40), nullable=False),
        sa.Column("approved_value_pence", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=False),
    )
    op.create_index("ix_purchase_orders_venue_id", "purchase_orders", ["venue_id"])
    # Plain ALTER TABLE ADD COLUMN on both engines: no table rebuild, so the SQLite overlap
    # triggers on sessions stay in place.
    if op.get_bind().dialect.name == "sqlite":  # SQLite adds a reference only inline
        op.execute(
            "ALTER TABLE booking_series ADD COLUMN purchase_order_id INTEGER "
            "REFERENCES purchase_orders (id)"
        )
    else:
        op.add_column("booking_series", sa.Column("purchase_order_id", sa.Integer()))
        op.create_foreign_key(
            "fk_booking_series_purchase_order_id",
            "booking_series",
            "purchase_orders",
            ["purchase_order_id"],
            ["id"],
        )
    op.add_column(
        "booking_series",
        sa.Column("invoice_cadence", sa.String(20), server_default="monthly", nullable=False),
    )
    op.create_index("ix_booking_series_purchase_order_id", "booking_series", ["purchase_order_id"])
    for column in ("net_pence", "vat_rate_bp", "vat_pence"):
        op.add_column(
            "sessions", sa.Column(column, sa.Integer(), server_default="0", nullable=False)
        )


def downgrade() -> None:
    for column in ("vat_pence", "vat_rate_bp", "net_pence"):
        op.drop_column("sessions", column)
    op.drop_index("ix_booking_series_purchase_order_id", "booking_series")
    with op.batch_alter_table("booking_series") as batch:
        batch.drop_column("invoice_cadence")
        batch.drop_column("purchase_order_id")
    op.drop_index("ix_purchase_orders_venue_id", "purchase_orders")
    op.drop_table("purchase_orders")

"""Discrepancies a person has marked as resolved, each with a note: known by a key made from
the discrepancy's kind, what it is about and what it says, so that the same discrepancy from a
newer export stays resolved and a different one shows again.

Revision ID: 0017
Revises: 0016
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "discrepancy_resolutions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(64), nullable=False, unique=True),
        sa.Column("problem", sa.String(30), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), sa.ForeignKey("invoices.id"), nullable=True),
        sa.Column("venue_id", sa.Integer(), sa.ForeignKey("venues.id"), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("resolved_by", sa.String(300), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "ix_discrepancy_resolutions_resolved_at", "discrepancy_resolutions", ["resolved_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_discrepancy_resolutions_resolved_at", "discrepancy_resolutions")
    op.drop_table("discrepancy_resolutions")

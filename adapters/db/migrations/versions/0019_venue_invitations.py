"""Venues are told of their bookings by calendar invitations: each series counts the
invitations sent about it (the next one's SEQUENCE), and an outbox message keeps the
iCalendar object and the lines of text it was queued with.

Revision ID: 0019
Revises: 0018
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:  # ADD COLUMN: SQLite keeps the tables as they are
    op.add_column(
        "booking_series",
        sa.Column("calendar_sequence", sa.Integer(), nullable=False, server_default="0"),
    )
    op.add_column(
        "outbox_messages", sa.Column("calendar", sa.Text(), nullable=False, server_default="")
    )
    op.add_column(
        "outbox_messages", sa.Column("note", sa.Text(), nullable=False, server_default="")
    )


def downgrade() -> None:
    with op.batch_alter_table("outbox_messages") as table:
        table.drop_column("note")
        table.drop_column("calendar")
    with op.batch_alter_table("booking_series") as table:
        table.drop_column("calendar_sequence")

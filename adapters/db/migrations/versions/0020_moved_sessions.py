"""A session moved to another date, time or room remembers where the series' rule put it:
the occurrence its venue's calendar knows it by.

Revision ID: 0020
Revises: 0019
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:  # ADD COLUMN: SQLite keeps the table and its overlap triggers
    op.add_column(
        "sessions", sa.Column("recurrence_start", sa.DateTime(timezone=True), nullable=True)
    )


def downgrade() -> None:
    op.drop_column("sessions", "recurrence_start")

"""How many people a booking expects, checked against the room's capacity; empty for
bookings made before it was asked.

Revision ID: 0018
Revises: 0017
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:  # ADD COLUMN: SQLite keeps the table (and its triggers) as it is
    op.add_column("booking_series", sa.Column("expected_people", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("booking_series") as table:
        table.drop_column("expected_people")

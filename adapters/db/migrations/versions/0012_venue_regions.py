"""Each venue keeps the bank holidays of its part of the UK, and may open on them.

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ALTER TABLE ADD COLUMN on both engines: no table rebuild on SQLite. Every venue
    # so far kept the bank holidays of England and Wales, and skipped them.
    op.add_column(
        "venues",
        sa.Column("region", sa.String(20), server_default="england_and_wales", nullable=False),
    )
    op.add_column(
        "venues",
        sa.Column("open_on_bank_holidays", sa.Boolean(), server_default=sa.false(), nullable=False),
    )


def downgrade() -> None:
    op.drop_column("venues", "open_on_bank_holidays")
    op.drop_column("venues", "region")

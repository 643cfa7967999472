"""PEPPOL participant ids for trusts and venues (a trust with one gets UBL e-invoices), and
the buyer reference a trust may ask its e-invoices to carry.

Revision ID: 0025
Revises: 0024
"""

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

_COLUMNS = (
    ("trusts", "peppol_id", 40),
    ("trusts", "buyer_reference", 100),
    ("venues", "peppol_id", 40),
)


def upgrade() -> None:  # ADD COLUMN: SQLite keeps the tables (and their triggers) as they are
    for table, column, length in _COLUMNS:
        op.add_column(table, sa.Column(column, sa.String(length), nullable=True))


def downgrade() -> None:  # DROP COLUMN, not a batch: SQLite would rebuild the tables
    for table, column, _ in reversed(_COLUMNS):
        op.drop_column(table, column)

"""How a trust's invoices travel: by email with the PDF (every trust until now), or as an
e-invoice through a PEPPOL access point.

Revision ID: 0026
Revises: 0025
"""

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:  # ADD COLUMN: SQLite keeps the table (and its triggers) as it is
    op.add_column(
        "trusts",
        sa.Column("invoice_delivery", sa.String(10), nullable=False, server_default="email"),
    )


def downgrade() -> None:  # DROP COLUMN, not a batch: SQLite would rebuild the table
    op.drop_column("trusts", "invoice_delivery")

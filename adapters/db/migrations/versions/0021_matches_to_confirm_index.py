"""Finance's work-to-do counts the matches by PO and amount waiting for a person to confirm
on every visit: a partial index holds just those (few) states, so the count reads no other.

Revision ID: 0021
Revises: 0020
"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_invoice_states_to_confirm",
        "invoice_states",
        ["invoice_id"],
        sqlite_where=sa.text("fallback IS 1 AND confirmed IS 0"),
        postgresql_where=sa.text("fallback IS true AND confirmed IS false"),
    )


def downgrade() -> None:
    op.drop_index("ix_invoice_states_to_confirm", "invoice_states")

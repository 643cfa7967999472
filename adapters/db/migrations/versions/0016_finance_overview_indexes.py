"""Finance's work-to-do page sums this month's invoices and payments by date (an index for
each, the invoices' covering the amount too, so the sum reads no invoice row with its
supplier and customer details), and reads the unsettled states by status.

Revision ID: 0016
Revises: 0015
"""

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_invoices_issue_date", "invoices", ["issue_date", "gross_pence"])
    op.create_index("ix_invoice_states_payment_date", "invoice_states", ["payment_date"])
    op.create_index("ix_invoice_states_status", "invoice_states", ["status"])


def downgrade() -> None:
    op.drop_index("ix_invoice_states_status", "invoice_states")
    op.drop_index("ix_invoice_states_payment_date", "invoice_states")
    op.drop_index("ix_invoices_issue_date", "invoices")

"""Invoice delivery: each trust's email subject and send-on-issue; the outbox.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

SUBJECT = "{document} {number} - PO {po_number} - {supplier}"


def upgrade() -> None:
    op.add_column(
        "trusts",
        sa.Column("invoice_subject", sa.String(200), server_default=SUBJECT, nullable=False),
    )
    for flag in ("send_on_issue", "remind_facilitators"):
        op.add_column(
            "trusts", sa.Column(flag, sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    op.create_table(
        "outbox_messages",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("invoice_id", sa.Integer(), sa.ForeignKey("invoices.id"), nullable=False),
        sa.Column("recipient", sa.String(30), nullable=False),
        sa.Column("to", sa.String(254), nullable=False),
        sa.Column("subject", sa.String(300), nullable=False),
        sa.Column("message_id", sa.String(200), nullable=False),
        sa.Column("pdf_sha256", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("server_reply", sa.Text(), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("possible_duplicate", sa.Boolean(), nullable=False),
        sa.UniqueConstraint("invoice_id", "recipient"),
    )
    op.create_index("ix_outbox_due", "outbox_messages", ["state", "next_attempt_at"])


def downgrade() -> None:
    op.drop_table("outbox_messages")
    with op.batch_alter_table("trusts") as batch:
        batch.drop_column("remind_facilitators")
        batch.drop_column("send_on_issue")
        batch.drop_column("invoice_subject")

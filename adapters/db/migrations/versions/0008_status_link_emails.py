"""The outbox can carry a venue's status link: such a message has no invoice.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_messages") as batch:
        batch.alter_column("invoice_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column("status_link_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_outbox_status_link", "status_links", ["status_link_id"], ["id"]
        )
        batch.create_unique_constraint("uq_outbox_status_link", ["status_link_id"])


def downgrade() -> None:
    op.execute("DELETE FROM outbox_messages WHERE invoice_id IS NULL")
    with op.batch_alter_table("outbox_messages") as batch:
        batch.drop_constraint("uq_outbox_status_link", type_="unique")
        batch.drop_constraint("fk_outbox_status_link", type_="foreignkey")
        batch.drop_column("status_link_id")
        batch.alter_column("invoice_id", existing_type=sa.Integer(), nullable=False)

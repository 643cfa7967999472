"""Staff sign in to the pages: one-time links (emailed through the outbox) and sessions.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sign_in_links",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=True, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_sign_in_links_user_id", "sign_in_links", ["user_id"])
    op.create_table(
        "staff_sessions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_staff_sessions_user_id", "staff_sessions", ["user_id"])
    with op.batch_alter_table("outbox_messages") as batch:
        batch.add_column(sa.Column("sign_in_link_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_outbox_sign_in_link", "sign_in_links", ["sign_in_link_id"], ["id"]
        )
        batch.create_unique_constraint("uq_outbox_sign_in_link", ["sign_in_link_id"])


def downgrade() -> None:
    op.execute("DELETE FROM outbox_messages WHERE sign_in_link_id IS NOT NULL")
    with op.batch_alter_table("outbox_messages") as batch:
        batch.drop_constraint("uq_outbox_sign_in_link", type_="unique")
        batch.drop_constraint("fk_outbox_sign_in_link", type_="foreignkey")
        batch.drop_column("sign_in_link_id")
    op.drop_table("staff_sessions")
    op.drop_table("sign_in_links")

"""The admins' audit log page reads the newest events first, all of them or one person's: an
index on when (then id, the order the page uses) and one on who. On PostgreSQL the actor
index uses varchar_pattern_ops so that "starts with 'user 3 <'" can use it too.

Revision ID: 0015
Revises: 0014
"""

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_audit_at", "audit_events", ["at", "id"])
    op.create_index(
        "ix_audit_actor",
        "audit_events",
        ["actor", "at"],
        postgresql_ops={"actor": "varchar_pattern_ops"},
    )


def downgrade() -> None:
    op.drop_index("ix_audit_actor", table_name="audit_events")
    op.drop_index("ix_audit_at", table_name="audit_events")

"""An invoice may have more than one document (its PDF, and an e-invoice for trusts that take
them): invoice_documents gets a row per media type, and an outbox message checks the digest of
all of them before sending.

Revision ID: 0014
Revises: 0013
"""

from importlib import import_module

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_invoices = import_module("adapters.db.migrations.versions.0003_invoices")


def upgrade() -> None:
    _rebuild_documents(
        [
            sa.Column("media_type", sa.String(60), primary_key=True),
            sa.Column("content", sa.LargeBinary(), nullable=False),
        ],
        "INSERT INTO invoice_documents "
        "SELECT invoice_id, 'application/pdf', pdf, sha256 FROM invoice_documents_before",
    )
    op.execute("ALTER TABLE outbox_messages RENAME COLUMN pdf_sha256 TO documents_sha256")


def downgrade() -> None:
    op.execute("ALTER TABLE outbox_messages RENAME COLUMN documents_sha256 TO pdf_sha256")
    _rebuild_documents(
        [sa.Column("pdf", sa.LargeBinary(), nullable=False)],
        "INSERT INTO invoice_documents SELECT invoice_id, content, sha256 "
        "FROM invoice_documents_before WHERE media_type = 'application/pdf'",
    )


def _rebuild_documents(columns: list[sa.Column[object]], copy: str) -> None:
    """A new table in the new shape, the rows copied over, the old one dropped: the primary
    key changes, which neither engine alters in place. It stays immutable throughout."""
    _invoices.unguard("invoice_documents")
    op.rename_table("invoice_documents", "invoice_documents_before")
    if op.get_bind().dialect.name == "postgresql":  # its key's index keeps the old name
        op.execute(
            "ALTER TABLE invoice_documents_before "
            "RENAME CONSTRAINT invoice_documents_pkey TO invoice_documents_before_pkey"
        )
    op.create_table(
        "invoice_documents",
        sa.Column("invoice_id", sa.Integer(), sa.ForeignKey("invoices.id"), primary_key=True),
        *columns,
        sa.Column("sha256", sa.String(64), nullable=False),
    )
    op.execute(copy)
    op.drop_table("invoice_documents_before")
    _invoices.guard("invoice_documents")

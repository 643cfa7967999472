"""Reconciliation: imports of the finance exports, each invoice's latest state there, its
status history and rows that match nothing we issued; outbox messages get a topic so an
invoice can have one hold notice per hold.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_UNNAMED = {"uq": "uq_%(table_name)s_%(column_0_name)s"}  # SQLite's unnamed constraint


def upgrade() -> None:
    op.create_table(
        "procurement_imports",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("profile", sa.String(100), nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("imported_by", sa.String(300), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("trust_id", sa.Integer(), sa.ForeignKey("trusts.id"), nullable=True),
        *(
            sa.Column(count, sa.Integer(), nullable=False)
            for count in (
                "rows_read",
                "matched",
                "other_suppliers",
                "blank_lines",
                "errors",
                "discrepancies",
                "changes",
            )
        ),
        sa.Column("row_errors", sa.JSON(), nullable=False),
        sa.UniqueConstraint("profile", "sha256"),
    )
    imported = sa.ForeignKey("procurement_imports.id")
    op.create_table(
        "invoice_states",
        sa.Column("invoice_id", sa.Integer(), sa.ForeignKey("invoices.id"), primary_key=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("holds", sa.JSON(), nullable=False),
        sa.Column("export_amount_pence", sa.Integer(), nullable=True),
        sa.Column("export_po_number", sa.String(30), nullable=True),
        sa.Column("paid_pence", sa.Integer(), nullable=False),
        sa.Column("payments", sa.Integer(), nullable=False),
        sa.Column("payment_date", sa.Date(), nullable=True),
        sa.Column("payment_number", sa.String(60), nullable=True),
        sa.Column("fallback", sa.Boolean(), nullable=False),
        sa.Column("confirmed", sa.Boolean(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=True),
        sa.Column("last_import_id", sa.Integer(), imported, nullable=True),
    )
    op.create_table(
        "invoice_status_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("invoice_id", sa.Integer(), sa.ForeignKey("invoices.id"), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("hold_code", sa.String(60), nullable=True),
        sa.Column("hold_reason", sa.Text(), nullable=True),
        sa.Column("paid_pence", sa.Integer(), nullable=False),
        sa.Column("payment_date", sa.Date(), nullable=True),
        sa.Column("payment_number", sa.String(60), nullable=True),
        sa.Column(
            "import_id", sa.Integer(), sa.ForeignKey("procurement_imports.id"), nullable=True
        ),
        sa.Column("line", sa.Integer(), nullable=True),
    )
    op.create_index("ix_invoice_status_events_invoice_id", "invoice_status_events", ["invoice_id"])
    op.create_table(
        "import_findings",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "import_id", sa.Integer(), sa.ForeignKey("procurement_imports.id"), nullable=False
        ),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("venue_id", sa.Integer(), sa.ForeignKey("venues.id"), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
    )
    op.create_index("ix_import_findings_import_id", "import_findings", ["import_id"])
    # Invoices already emailed to accounts payable start their history as `sent`.
    op.execute(
        "INSERT INTO invoice_status_events (invoice_id, status, at, paid_pence) "
        "SELECT invoice_id, 'sent', sent_at, 0 FROM outbox_messages "
        "WHERE recipient = 'accounts_payable' AND state = 'sent'"
    )
    _outbox_unique(("invoice_id", "recipient", "topic"), add_topic=True)


def downgrade() -> None:
    _outbox_unique(("invoice_id", "recipient"), add_topic=False)
    for table in (
        "import_findings",
        "invoice_status_events",
        "invoice_states",
        "procurement_imports",
    ):
        op.drop_table(table)


def _outbox_unique(columns: tuple[str, ...], *, add_topic: bool) -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    legacy = (
        "uq_outbox_messages_invoice_id" if sqlite else "outbox_messages_invoice_id_recipient_key"
    )
    old, new = (legacy, "uq_outbox_once") if add_topic else ("uq_outbox_once", legacy)
    with op.batch_alter_table("outbox_messages", naming_convention=_UNNAMED) as batch:
        batch.drop_constraint(old, type_="unique")
        if add_topic:
            batch.add_column(sa.Column("topic", sa.String(300), server_default="", nullable=False))
        else:
            batch.drop_column("topic")
        batch.create_unique_constraint(new, columns)

"""Invoices, credit notes, their lines, stored PDFs and gapless per-venue numbering.
Issued documents are immutable: triggers refuse UPDATE and DELETE on both engines.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

IMMUTABLE = ("invoices", "invoice_lines", "invoice_documents")


def upgrade() -> None:
    op.create_table(
        "invoice_counters",
        sa.Column("venue_id", sa.Integer(), sa.ForeignKey("venues.id"), primary_key=True),
        sa.Column("kind", sa.String(20), primary_key=True),
        sa.Column("prefix", sa.String(20), nullable=False),
        sa.Column("last_value", sa.Integer(), nullable=False),
    )
    op.create_table(
        "invoices",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("number", sa.String(30), nullable=False),
        sa.Column("venue_id", sa.Integer(), sa.ForeignKey("venues.id"), nullable=False),
        sa.Column("trust_id", sa.Integer(), sa.ForeignKey("trusts.id"), nullable=False),
        sa.Column(
            "purchase_order_id", sa.Integer(), sa.ForeignKey("purchase_orders.id"), nullable=False
        ),
        sa.Column("po_number", sa.String(30), nullable=False),
        sa.Column("booking_id", sa.Integer(), sa.ForeignKey("booking_series.id"), nullable=False),
        sa.Column("issue_date", sa.Date(), nullable=False),
        sa.Column("tax_point", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("supplier", sa.JSON(), nullable=False),
        sa.Column("customer", sa.JSON(), nullable=False),
        sa.Column("credits_invoice", sa.String(30), nullable=True),
        sa.Column("gross_pence", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("venue_id", "number"),
    )
    for column in ("venue_id", "purchase_order_id", "booking_id"):
        op.create_index(f"ix_invoices_{column}", "invoices", [column])
    op.create_table(
        "invoice_lines",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("invoice_id", sa.Integer(), sa.ForeignKey("invoices.id"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("description", sa.String(200), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("start", sa.Time(), nullable=False),
        sa.Column("end", sa.Time(), nullable=False),
        sa.Column("room", sa.String(200), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("net_pence", sa.Integer(), nullable=False),
        sa.Column("vat_rate_bp", sa.Integer(), nullable=False),
        sa.Column("vat_pence", sa.Integer(), nullable=False),
        sa.Column("charged_session_id", sa.Integer(), sa.ForeignKey("sessions.id"), unique=True),
        sa.Column("credited_session_id", sa.Integer(), sa.ForeignKey("sessions.id"), unique=True),
    )
    op.create_index("ix_invoice_lines_invoice_id", "invoice_lines", ["invoice_id"])
    op.create_table(
        "invoice_documents",
        sa.Column("invoice_id", sa.Integer(), sa.ForeignKey("invoices.id"), primary_key=True),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
    )
    _create_immutability()


def downgrade() -> None:
    _drop_immutability()
    for table in ("invoice_documents", "invoice_lines", "invoices", "invoice_counters"):
        op.drop_table(table)


def _create_immutability() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "RAISE EXCEPTION 'invoice_immutable: issued invoices never change'; END $$"
        )
    for table in IMMUTABLE:
        guard(table)


def _drop_immutability() -> None:
    for table in IMMUTABLE:
        unguard(table)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION refuse_change()")


def guard(table: str) -> None:
    """Refuse UPDATE and DELETE on the table (later migrations guard the tables they make)."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION refuse_change()"
        )
        return
    for event in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table} "
            "BEGIN SELECT RAISE(ABORT, 'invoice_immutable'); END"
        )


def unguard(table: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER {table}_immutable ON {table}")
        return
    for event in ("update", "delete"):
        op.execute(f"DROP TRIGGER {table}_no_{event}")

"""Reconciliation over a year, across trusts: a trust's business unit as the exports spell
it (rows of another unit are never matched to its invoices); the day each import's data is
as of, where that came from, and what it left alone (rows of other units; invoices it showed
older than they are); the day each state and status event is as of. Existing imports are as
of the day they were imported, and their states and events with them.

Revision ID: 0023
Revises: 0022
"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

_IMPORT_DAY = {  # the London day is near enough for imports made before it was kept
    "postgresql": "UPDATE procurement_imports SET as_of_source = 'imported', "
    "as_of = CAST(imported_at AT TIME ZONE 'Europe/London' AS DATE)",
    "sqlite": "UPDATE procurement_imports SET as_of_source = 'imported', as_of = date(imported_at)",
}
_STATES_AS_OF = (
    "UPDATE invoice_states SET as_of = (SELECT as_of FROM procurement_imports "
    "WHERE procurement_imports.id = invoice_states.last_import_id)",
    "UPDATE invoice_status_events SET as_of = (SELECT as_of FROM procurement_imports "
    "WHERE procurement_imports.id = invoice_status_events.import_id)",
)


def upgrade() -> None:  # ADD COLUMN: SQLite keeps the tables (and their triggers) as they are
    op.add_column("trusts", sa.Column("business_unit", sa.String(240), nullable=True))
    for name, kind in (("as_of", sa.Date()), ("as_of_source", sa.String(20))):
        op.add_column("procurement_imports", sa.Column(name, kind, nullable=True))
    op.add_column("procurement_imports", sa.Column("older_than", sa.Date(), nullable=True))
    for name in ("other_units", "kept"):
        op.add_column(
            "procurement_imports",
            sa.Column(name, sa.Integer(), nullable=False, server_default="0"),
        )
    for table in ("invoice_states", "invoice_status_events"):
        op.add_column(table, sa.Column("as_of", sa.Date(), nullable=True))
    op.execute(_IMPORT_DAY[op.get_bind().dialect.name])
    for statement in _STATES_AS_OF:
        op.execute(statement)


def downgrade() -> None:  # DROP COLUMN, not a batch: SQLite would rebuild the tables
    for table, column in (
        ("invoice_status_events", "as_of"),
        ("invoice_states", "as_of"),
        *(
            ("procurement_imports", name)
            for name in ("kept", "other_units", "older_than", "as_of_source", "as_of")
        ),
        ("trusts", "business_unit"),
    ):
        op.drop_column(table, column)

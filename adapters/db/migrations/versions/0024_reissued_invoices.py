"""Reissuing an invoice NHS accounts cancelled: a session can be charged again once its charge
is credited. Each charge is a round: `invoice_lines.charge_round` (0 for every line already
issued); a session is charged at most once and credited at most once in each round, so the
single-column uniques become (session, round). A charge of round n > 0 needs the credit of
round n - 1, and a credit needs the charge of its round: a trigger refuses anything else.
`sessions.charged` becomes charged net of credits: a credit line clears it (the sessions a
waived late cancellation credited are cleared here too; they are cancelled, so never charged
again). `invoice_reissues` keeps each reissue (one per invoice, its credit note, the reason
and any corrected PO), insert only like the invoices.

SQLite changes a unique constraint only by rebuilding the table, which loses its triggers:
every trigger on invoice_lines (immutability, and the charge triggers of 0022) is dropped
before and created again after. PostgreSQL alters it in place.

Revision ID: 0024
Revises: 0023
"""

from importlib import import_module

import sqlalchemy as sa
from alembic import op

_invoices = import_module("adapters.db.migrations.versions.0003_invoices")

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

_UNNAMED = {"uq": "uq_%(table_name)s_%(column_0_name)s"}  # SQLite's unnamed constraints
_OLD_UNIQUES = {  # (SQLite name under _UNNAMED, PostgreSQL name) of each single-column unique
    "charged_session_id": (
        "uq_invoice_lines_charged_session_id",
        "invoice_lines_charged_session_id_key",
    ),
    "credited_session_id": (
        "uq_invoice_lines_credited_session_id",
        "invoice_lines_credited_session_id_key",
    ),
}
_NEW_UNIQUES = {
    "uq_invoice_lines_charge_round": "charged_session_id",
    "uq_invoice_lines_credit_round": "credited_session_id",
}
_OUT_OF_ROUND = (
    "charge_round: a session is charged again only once its charge is credited, "
    "and a credit takes back a charge of its own round"
)
# The same condition on both engines: the line charges or credits out of turn.
_OUT_OF_TURN = """
(NEW.charged_session_id IS NOT NULL AND NEW.charge_round > 0 AND NOT EXISTS (
  SELECT 1 FROM invoice_lines WHERE credited_session_id = NEW.charged_session_id
  AND charge_round = NEW.charge_round - 1))
OR (NEW.credited_session_id IS NOT NULL AND NOT EXISTS (
  SELECT 1 FROM invoice_lines WHERE charged_session_id = NEW.credited_session_id
  AND charge_round = NEW.charge_round))"""
_PG_FUNCTIONS = """
CREATE OR REPLACE FUNCTION mark_session_charged() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.charged_session_id IS NOT NULL THEN
    UPDATE sessions SET charged = true WHERE id = NEW.charged_session_id;
  ELSE
    UPDATE sessions SET charged = false WHERE id = NEW.credited_session_id;
  END IF;
  RETURN NULL;
END $$;
CREATE FUNCTION refuse_out_of_round() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OUT_OF_TURN THEN
    RAISE EXCEPTION 'MESSAGE';
  END IF;
  RETURN NEW;
END $$;
DROP TRIGGER invoice_lines_charge ON invoice_lines;
CREATE TRIGGER invoice_lines_charge AFTER INSERT ON invoice_lines FOR EACH ROW
  WHEN (NEW.charged_session_id IS NOT NULL OR NEW.credited_session_id IS NOT NULL)
  EXECUTE FUNCTION mark_session_charged();
CREATE TRIGGER invoice_lines_round BEFORE INSERT ON invoice_lines FOR EACH ROW
  EXECUTE FUNCTION refuse_out_of_round();
""".replace("OUT_OF_TURN", _OUT_OF_TURN).replace("MESSAGE", _OUT_OF_ROUND)
_PG_DOWN = """
DROP TRIGGER invoice_lines_round ON invoice_lines;
DROP FUNCTION refuse_out_of_round();
DROP TRIGGER invoice_lines_charge ON invoice_lines;
CREATE OR REPLACE FUNCTION mark_session_charged() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE sessions SET charged = true WHERE id = NEW.charged_session_id;
  RETURN NULL;
END $$;
CREATE TRIGGER invoice_lines_charge AFTER INSERT ON invoice_lines FOR EACH ROW
  WHEN (NEW.charged_session_id IS NOT NULL) EXECUTE FUNCTION mark_session_charged();
"""
_SQLITE_CHARGE = """CREATE TRIGGER invoice_lines_charge AFTER INSERT ON invoice_lines
WHEN NEW.charged_session_id IS NOT NULL
BEGIN UPDATE sessions SET charged = 1 WHERE id = NEW.charged_session_id; END"""
_SQLITE_TRIGGERS = [
    _SQLITE_CHARGE,
    """CREATE TRIGGER invoice_lines_credit AFTER INSERT ON invoice_lines
WHEN NEW.credited_session_id IS NOT NULL
BEGIN UPDATE sessions SET charged = 0 WHERE id = NEW.credited_session_id; END""",
    """CREATE TRIGGER invoice_lines_round BEFORE INSERT ON invoice_lines
WHEN OUT_OF_TURN
BEGIN SELECT RAISE(ABORT, 'MESSAGE'); END""".replace("OUT_OF_TURN", _OUT_OF_TURN).replace(
        "MESSAGE", _OUT_OF_ROUND
    ),
]
_SQLITE_NAMES = ("invoice_lines_charge", "invoice_lines_credit", "invoice_lines_round")


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    if not postgresql:
        _invoices.unguard("invoice_lines")
        op.execute("DROP TRIGGER invoice_lines_charge")
    with op.batch_alter_table("invoice_lines", naming_convention=_UNNAMED) as batch:
        batch.add_column(
            sa.Column("charge_round", sa.Integer(), server_default="0", nullable=False)
        )
        for sqlite_name, pg_name in _OLD_UNIQUES.values():
            batch.drop_constraint(pg_name if postgresql else sqlite_name, type_="unique")
        for name, column in _NEW_UNIQUES.items():
            batch.create_unique_constraint(name, [column, "charge_round"])
    if postgresql:
        op.execute(_PG_FUNCTIONS)
    else:
        _invoices.guard("invoice_lines")
        for trigger in _SQLITE_TRIGGERS:
            op.execute(trigger)
    op.execute(
        "UPDATE sessions SET charged = false WHERE id IN (SELECT credited_session_id "
        "FROM invoice_lines WHERE credited_session_id IS NOT NULL)"
    )
    op.create_table(
        "invoice_reissues",
        sa.Column("invoice_id", sa.Integer(), sa.ForeignKey("invoices.id"), primary_key=True),
        sa.Column(
            "credit_note_id",
            sa.Integer(),
            sa.ForeignKey("invoices.id"),
            nullable=False,
            unique=True,
        ),
        sa.Column("reason", sa.String(20), nullable=False),
        sa.Column("details", sa.String(500), nullable=True),
        sa.Column(
            "purchase_order_id", sa.Integer(), sa.ForeignKey("purchase_orders.id"), nullable=True
        ),
        sa.Column("actor", sa.String(254), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    _invoices.guard("invoice_reissues")


def downgrade() -> None:
    """Refused while a session is charged in a round after the first: its lines would break
    the single-column uniques (the database refuses, and nothing changes)."""
    postgresql = op.get_bind().dialect.name == "postgresql"
    _invoices.unguard("invoice_reissues")
    op.drop_table("invoice_reissues")
    op.execute(
        "UPDATE sessions SET charged = true WHERE id IN (SELECT credited_session_id "
        "FROM invoice_lines WHERE credited_session_id IS NOT NULL)"
    )
    if postgresql:
        op.execute(_PG_DOWN)
    else:
        _invoices.unguard("invoice_lines")
        for name in _SQLITE_NAMES:
            op.execute(f"DROP TRIGGER {name}")
    with op.batch_alter_table("invoice_lines", naming_convention=_UNNAMED) as batch:
        for name in _NEW_UNIQUES:
            batch.drop_constraint(name, type_="unique")
        for column, (sqlite_name, pg_name) in _OLD_UNIQUES.items():
            batch.create_unique_constraint(pg_name if postgresql else sqlite_name, [column])
        batch.drop_column("charge_round")
    if not postgresql:
        _invoices.guard("invoice_lines")
        op.execute(_SQLITE_CHARGE)

"""Finance's work-to-do reads what finance must act on without summing or searching every
session: each session says whether an invoice line charges it (`sessions.charged`, set when
the line is written), and each PO what its chargeable sessions are worth, gross
(`purchase_orders.committed_pence`, kept as sessions are booked, cancelled or moved). Triggers
keep both on each engine, whoever writes the rows; a partial index holds the sessions not
charged. SQLite's overlap check on updating a session runs only when a column it checks
changes (marking a session charged, or moving it to a PO, cannot make it overlap).

Revision ID: 0022
Revises: 0021
"""

from importlib import import_module

import sqlalchemy as sa
from alembic import op

_first = import_module("adapters.db.migrations.versions.0001_directory_users_bookings")

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

# The statuses in the SQL below are the chargeable ones (domain.bookings.Session.chargeable;
# tests/integration/test_work_to_do_reads.py holds the two together).
_OVERLAP_ON_UPDATE = _first._SQLITE_OVERLAP.format(event="UPDATE").replace(
    "BEFORE UPDATE ON sessions",
    "BEFORE UPDATE OF status, room_id, occupied_from, occupied_until ON sessions",
)
_PG_FUNCTIONS = """
CREATE FUNCTION mark_session_charged() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE sessions SET charged = true WHERE id = NEW.charged_session_id;
  RETURN NULL;
END $$;
CREATE FUNCTION keep_committed_pence() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    IF OLD.purchase_order_id IS NOT NULL AND OLD.status IN ('booked', 'late_cancelled') THEN
      UPDATE purchase_orders SET committed_pence = committed_pence - OLD.net_pence - OLD.vat_pence
      WHERE id = OLD.purchase_order_id;
    END IF;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    IF NEW.purchase_order_id IS NOT NULL AND NEW.status IN ('booked', 'late_cancelled') THEN
      UPDATE purchase_orders SET committed_pence = committed_pence + NEW.net_pence + NEW.vat_pence
      WHERE id = NEW.purchase_order_id;
    END IF;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER invoice_lines_charge AFTER INSERT ON invoice_lines FOR EACH ROW
  WHEN (NEW.charged_session_id IS NOT NULL) EXECUTE FUNCTION mark_session_charged();
CREATE TRIGGER sessions_committed
  AFTER INSERT OR DELETE OR UPDATE OF status, purchase_order_id, net_pence, vat_pence
  ON sessions FOR EACH ROW EXECUTE FUNCTION keep_committed_pence();
"""
_SQLITE_TRIGGERS = [
    """CREATE TRIGGER invoice_lines_charge AFTER INSERT ON invoice_lines
WHEN NEW.charged_session_id IS NOT NULL
BEGIN UPDATE sessions SET charged = 1 WHERE id = NEW.charged_session_id; END""",
    """CREATE TRIGGER sessions_committed_insert AFTER INSERT ON sessions
WHEN NEW.purchase_order_id IS NOT NULL AND NEW.status IN ('booked', 'late_cancelled')
BEGIN
  UPDATE purchase_orders SET committed_pence = committed_pence + NEW.net_pence + NEW.vat_pence
  WHERE id = NEW.purchase_order_id;
END""",
    """CREATE TRIGGER sessions_committed_update
AFTER UPDATE OF status, purchase_order_id, net_pence, vat_pence ON sessions
BEGIN
  UPDATE purchase_orders SET committed_pence = committed_pence - OLD.net_pence - OLD.vat_pence
  WHERE id = OLD.purchase_order_id AND OLD.status IN ('booked', 'late_cancelled');
  UPDATE purchase_orders SET committed_pence = committed_pence + NEW.net_pence + NEW.vat_pence
  WHERE id = NEW.purchase_order_id AND NEW.status IN ('booked', 'late_cancelled');
END""",
    """CREATE TRIGGER sessions_committed_delete AFTER DELETE ON sessions
WHEN OLD.purchase_order_id IS NOT NULL AND OLD.status IN ('booked', 'late_cancelled')
BEGIN
  UPDATE purchase_orders SET committed_pence = committed_pence - OLD.net_pence - OLD.vat_pence
  WHERE id = OLD.purchase_order_id;
END""",
]
_SQLITE_NAMES = (
    "invoice_lines_charge",
    "sessions_committed_insert",
    "sessions_committed_update",
    "sessions_committed_delete",
)


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    if not postgresql:
        op.execute("DROP TRIGGER session_overlap_UPDATE")
        op.execute(_OVERLAP_ON_UPDATE)
    op.add_column(
        "sessions", sa.Column("charged", sa.Boolean(), nullable=False, server_default=sa.false())
    )
    op.add_column(
        "purchase_orders",
        sa.Column("committed_pence", sa.Integer(), nullable=False, server_default="0"),
    )
    op.execute(
        "UPDATE sessions SET charged = true WHERE id IN (SELECT charged_session_id "
        "FROM invoice_lines WHERE charged_session_id IS NOT NULL)"
    )
    op.execute(
        "UPDATE purchase_orders SET committed_pence = (SELECT COALESCE(SUM(net_pence + "
        "vat_pence), 0) FROM sessions WHERE sessions.purchase_order_id = purchase_orders.id "
        "AND sessions.status IN ('booked', 'late_cancelled'))"
    )
    op.create_index(
        "ix_sessions_uncharged",
        "sessions",
        ["status", "ends_at", "series_id"],
        sqlite_where=sa.text("charged IS 0"),
        postgresql_where=sa.text("charged IS false"),
    )
    if postgresql:
        op.execute(_PG_FUNCTIONS)
    else:
        for trigger in _SQLITE_TRIGGERS:
            op.execute(trigger)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER sessions_committed ON sessions")
        op.execute("DROP TRIGGER invoice_lines_charge ON invoice_lines")
        op.execute("DROP FUNCTION keep_committed_pence()")
        op.execute("DROP FUNCTION mark_session_charged()")
    else:
        for name in _SQLITE_NAMES:
            op.execute(f"DROP TRIGGER {name}")
        op.execute("DROP TRIGGER session_overlap_UPDATE")
        op.execute(_first._SQLITE_OVERLAP.format(event="UPDATE"))
    op.drop_index("ix_sessions_uncharged", "sessions")
    op.execute("ALTER TABLE purchase_orders DROP COLUMN committed_pence")
    op.execute("ALTER TABLE sessions DROP COLUMN charged")

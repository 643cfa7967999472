"""Directory, users, bookings, with the database-level guard against double bookings.

Revision ID: 0001
Revises:
Create Date: 2026-11-23 02:56:59.145365
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=300), nullable=False),
        sa.Column("action", sa.String(length=50), nullable=False),
        sa.Column("entity", sa.String(length=50), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index("ix_audit_entity", ["entity", "entity_id"], unique=False)

    op.create_table(
        "trusts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("organisation_code", sa.String(length=10), nullable=False),
        sa.Column("payables_code", sa.String(length=40), nullable=False),
        sa.Column("accounts_payable_email", sa.String(length=254), nullable=False),
        sa.Column("invoice_address", sa.Text(), nullable=False),
        sa.Column("po_number_pattern", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("email"),
        sa.UniqueConstraint("key_hash"),
    )
    op.create_table(
        "venues",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("postcode", sa.String(length=10), nullable=False),
        sa.Column("contact_email", sa.String(length=254), nullable=False),
        sa.Column("remittance_email", sa.String(length=254), nullable=False),
        sa.Column("vat_number", sa.String(length=20), nullable=True),
        sa.Column("supplier_number", sa.String(length=30), nullable=True),
        sa.Column("notice_period_hours", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "key"),
    )
    op.create_table(
        "rooms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("venue_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("step_free", sa.Boolean(), nullable=False),
        sa.Column("price_per_hour_pence", sa.Integer(), nullable=False),
        sa.Column("vat_treatment", sa.String(length=20), nullable=False),
        sa.Column("setup_minutes", sa.Integer(), nullable=False),
        sa.Column("clearaway_minutes", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["venue_id"],
            ["venues.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("rooms", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rooms_venue_id"), ["venue_id"], unique=False)

    op.create_table(
        "venue_closures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("venue_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["venue_id"],
            ["venues.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("venue_id", "day"),
    )
    op.create_table(
        "booking_series",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("room_id", sa.Integer(), nullable=False),
        sa.Column("facilitator_id", sa.Integer(), nullable=False),
        sa.Column("group_label", sa.String(length=200), nullable=False),
        sa.Column("invoice_description", sa.String(length=200), nullable=True),
        sa.Column("frequency", sa.String(length=20), nullable=False),
        sa.Column("first_date", sa.Date(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=True),
        sa.Column("until", sa.Date(), nullable=True),
        sa.Column("keep_count", sa.Boolean(), nullable=False),
        sa.Column("start_time", sa.Time(), nullable=False),
        sa.Column("end_time", sa.Time(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("skipped", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["facilitator_id"],
            ["users.id"],
        ),
        sa.ForeignKeyConstraint(
            ["room_id"],
            ["rooms.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("booking_series", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_booking_series_facilitator_id"), ["facilitator_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_booking_series_room_id"), ["room_id"], unique=False)

    op.create_table(
        "sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("series_id", sa.Integer(), nullable=False),
        sa.Column("room_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("occupied_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("occupied_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["room_id"],
            ["rooms.id"],
        ),
        sa.ForeignKeyConstraint(
            ["series_id"],
            ["booking_series.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_sessions_room_occupied", ["room_id", "occupied_from"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_sessions_series_id"), ["series_id"], unique=False)
    _create_overlap_guard()


def downgrade() -> None:
    _drop_overlap_guard()

    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sessions_series_id"))
        batch_op.drop_index("ix_sessions_room_occupied")

    op.drop_table("sessions")
    with op.batch_alter_table("booking_series", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_booking_series_room_id"))
        batch_op.drop_index(batch_op.f("ix_booking_series_facilitator_id"))

    op.drop_table("booking_series")
    op.drop_table("venue_closures")
    with op.batch_alter_table("rooms", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rooms_venue_id"))

    op.drop_table("rooms")
    op.drop_table("idempotency_keys")
    op.drop_table("venues")
    op.drop_table("users")
    op.drop_table("trusts")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_entity")

    op.drop_table("audit_events")


# Booked sessions of one room may not overlap (occupied time includes set-up and clear-away).
# PostgreSQL: an exclusion constraint; SQLite: triggers, under BEGIN IMMEDIATE transactions.
_SQLITE_OVERLAP = """
CREATE TRIGGER session_overlap_{event} BEFORE {event} ON sessions
WHEN NEW.status = 'booked' AND EXISTS (
    SELECT 1 FROM sessions AS other
    WHERE other.room_id = NEW.room_id AND other.status = 'booked' AND other.id IS NOT NEW.id
      AND other.occupied_from < NEW.occupied_until AND NEW.occupied_from < other.occupied_until)
BEGIN SELECT RAISE(ABORT, 'session_overlap'); END
"""


def _create_overlap_guard() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        op.execute(
            "ALTER TABLE sessions ADD CONSTRAINT sessions_no_overlap EXCLUDE USING gist "
            "(room_id WITH =, tstzrange(occupied_from, occupied_until) WITH &&) "
            "WHERE (status = 'booked')"
        )
    else:
        for event in ("INSERT", "UPDATE"):
            op.execute(_SQLITE_OVERLAP.format(event=event))


def _drop_overlap_guard() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE sessions DROP CONSTRAINT sessions_no_overlap")
    else:
        for event in ("INSERT", "UPDATE"):
            op.execute(f"DROP TRIGGER session_overlap_{event}")

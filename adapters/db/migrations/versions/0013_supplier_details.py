"""What a supplier's invoice must say: venues keep their supplier details (queries phone and
email, company or charity number, registered office, bank details for remittance); sessions
keep the room's price per hour they were booked at; invoice lines keep that price and their
VAT treatment, so an invoice shows "£12.34 an hour" and "Exempt" and later changes to the
room never alter it.

Back-fill, honestly: an existing session gets its room's current price only where that price
reproduces, to the penny, the net the session was charged (rounded half up, as booking does);
otherwise the price at booking is unknown and stays NULL, and its invoice line shows no rate
rather than a guess. Issued invoice lines are immutable (the triggers of 0003 refuse any
UPDATE) and their PDFs are stored as they were sent, so they are not back-filled: their price
is NULL and their VAT treatment 'unrecorded' (the column's server default, which both engines
apply without updating a row: exempt and zero-rated both have rate 0, and nothing kept tells
them apart).

Plain ALTER TABLE ADD COLUMN on both engines: no table rebuild, so the overlap triggers on
sessions (SQLite) and the immutability triggers on invoice_lines stay in place.

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

VENUE_COLUMNS = (
    ("queries_phone", sa.String(30)),
    ("queries_email", sa.String(254)),
    ("company_number", sa.String(8)),
    ("charity_number", sa.String(12)),
    ("registered_office", sa.Text()),
    ("bank_sort_code", sa.String(8)),
    ("bank_account_number", sa.String(8)),
)


def upgrade() -> None:
    for name, type_ in VENUE_COLUMNS:
        op.add_column("venues", sa.Column(name, type_, nullable=True))
    op.add_column("sessions", sa.Column("price_per_hour_pence", sa.Integer(), nullable=True))
    op.add_column("invoice_lines", sa.Column("price_per_hour_pence", sa.Integer(), nullable=True))
    op.add_column(
        "invoice_lines",
        sa.Column("vat_treatment", sa.String(20), server_default="unrecorded", nullable=False),
    )
    _back_fill_session_prices()


def _back_fill_session_prices() -> None:
    sessions = sa.table(
        "sessions",
        sa.column("id", sa.Integer()),
        sa.column("room_id", sa.Integer()),
        sa.column("starts_at", sa.DateTime()),
        sa.column("ends_at", sa.DateTime()),
        sa.column("net_pence", sa.Integer()),
        sa.column("price_per_hour_pence", sa.Integer()),
    )
    rooms = sa.table("rooms", sa.column("id", sa.Integer()), sa.column("price_per_hour_pence"))
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(
            sessions.c.id,
            sessions.c.starts_at,
            sessions.c.ends_at,
            sessions.c.net_pence,
            rooms.c.price_per_hour_pence,
        ).join(rooms, rooms.c.id == sessions.c.room_id)
    )
    derivable = []
    for session_id, starts_at, ends_at, net_pence, price in rows:
        minutes = int((ends_at - starts_at).total_seconds() // 60)
        # net = price * minutes / 60 rounded half up, in integers: floor((2pm + 60) / 120)
        if price is not None and (2 * price * minutes + 60) // 120 == net_pence:
            derivable.append({"session_id": session_id, "price": price})
    if derivable:
        bind.execute(
            sessions.update()
            .where(sessions.c.id == sa.bindparam("session_id"))
            .values(price_per_hour_pence=sa.bindparam("price")),
            derivable,
        )


def downgrade() -> None:
    for table, column in (
        ("invoice_lines", "vat_treatment"),
        ("invoice_lines", "price_per_hour_pence"),
        ("sessions", "price_per_hour_pence"),
        *(("venues", name) for name, _ in reversed(VENUE_COLUMNS)),
    ):
        op.drop_column(table, column)

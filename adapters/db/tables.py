"""SQLAlchemy 2 mapped tables. Repositories translate rows to domain objects and back."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    Time,
    TypeDecorator,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class UtcDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on every engine (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UtcDateTime column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UtcDateTime, dict[str, Any]: JSON}


class TrustRow(Base):
    __tablename__ = "trusts"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    organisation_code: Mapped[str] = mapped_column(String(10))
    payables_code: Mapped[str] = mapped_column(String(40))
    accounts_payable_email: Mapped[str] = mapped_column(String(254))
    invoice_address: Mapped[str] = mapped_column(Text)
    po_number_pattern: Mapped[str] = mapped_column(String(200))
    invoice_subject: Mapped[str] = mapped_column(
        String(200), server_default="{document} {number} - PO {po_number} - {supplier}"
    )
    send_on_issue: Mapped[bool] = mapped_column(Boolean, server_default=false())
    remind_facilitators: Mapped[bool] = mapped_column(Boolean, server_default=false())
    business_unit: Mapped[str | None] = mapped_column(String(240))  # as exports spell it
    peppol_id: Mapped[str | None] = mapped_column(String(40))  # "0088:5012345678900"
    buyer_reference: Mapped[str | None] = mapped_column(String(100))
    invoice_delivery: Mapped[str] = mapped_column(String(10), server_default="email")


class VenueRow(Base):
    __tablename__ = "venues"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(Text)
    postcode: Mapped[str] = mapped_column(String(10))
    contact_email: Mapped[str] = mapped_column(String(254))
    remittance_email: Mapped[str] = mapped_column(String(254))
    vat_number: Mapped[str | None] = mapped_column(String(20))
    supplier_number: Mapped[str | None] = mapped_column(String(30))
    notice_period_hours: Mapped[int] = mapped_column(Integer)
    queries_phone: Mapped[str | None] = mapped_column(String(30))
    queries_email: Mapped[str | None] = mapped_column(String(254))
    company_number: Mapped[str | None] = mapped_column(String(8))
    charity_number: Mapped[str | None] = mapped_column(String(12))
    registered_office: Mapped[str | None] = mapped_column(Text)
    bank_sort_code: Mapped[str | None] = mapped_column(String(8))  # 12-34-56
    bank_account_number: Mapped[str | None] = mapped_column(String(8))
    peppol_id: Mapped[str | None] = mapped_column(String(40))
    closures: Mapped[list[ClosureRow]] = relationship(
        order_by="ClosureRow.day", cascade="all, delete-orphan", lazy="selectin"
    )
    region: Mapped[str] = mapped_column(String(20), server_default="england_and_wales")
    open_on_bank_holidays: Mapped[bool] = mapped_column(Boolean, server_default=false())


class ClosureRow(Base):
    __tablename__ = "venue_closures"
    __table_args__ = (UniqueConstraint("venue_id", "day"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    venue_id: Mapped[int] = mapped_column(ForeignKey("venues.id"))
    day: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(200))


class RoomRow(Base):
    __tablename__ = "rooms"
    id: Mapped[int] = mapped_column(primary_key=True)
    venue_id: Mapped[int] = mapped_column(ForeignKey("venues.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    capacity: Mapped[int] = mapped_column(Integer)
    step_free: Mapped[bool] = mapped_column(Boolean)
    price_per_hour_pence: Mapped[int] = mapped_column(Integer)
    vat_treatment: Mapped[str] = mapped_column(String(20))
    setup_minutes: Mapped[int] = mapped_column(Integer)
    clearaway_minutes: Mapped[int] = mapped_column(Integer)


class UserRow(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    active: Mapped[bool] = mapped_column(Boolean)
    trust_id: Mapped[int | None] = mapped_column(ForeignKey("trusts.id"))


class SeriesRow(Base):
    __tablename__ = "booking_series"
    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id"), index=True)
    facilitator_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    group_label: Mapped[str] = mapped_column(String(200))
    invoice_description: Mapped[str | None] = mapped_column(String(200))
    frequency: Mapped[str] = mapped_column(String(20))
    first_date: Mapped[date] = mapped_column(Date)
    count: Mapped[int | None] = mapped_column(Integer)
    until: Mapped[date | None] = mapped_column(Date)
    keep_count: Mapped[bool] = mapped_column(Boolean)
    start_time: Mapped[time] = mapped_column(Time)
    end_time: Mapped[time] = mapped_column(Time)
    created_at: Mapped[datetime]
    invoice_cadence: Mapped[str] = mapped_column(String(20), server_default="monthly")
    trust_id: Mapped[int | None] = mapped_column(ForeignKey("trusts.id"))
    expected_people: Mapped[int | None] = mapped_column(Integer)
    calendar_sequence: Mapped[int] = mapped_column(Integer, server_default="0")  # the next one
    skipped: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    sessions: Mapped[list[SessionRow]] = relationship(
        order_by="SessionRow.starts_at", lazy="selectin", back_populates="series"
    )


class SessionRow(Base):
    """Booked sessions of one room may not overlap: an exclusion constraint on PostgreSQL and
    a trigger on SQLite enforce it (see the migrations)."""

    __tablename__ = "sessions"
    __table_args__ = (
        Index("ix_sessions_room_occupied", "room_id", "occupied_from"),
        # The sessions no invoice line charges: what finance may still have to invoice.
        Index(
            "ix_sessions_uncharged",
            "status",
            "ends_at",
            "series_id",
            sqlite_where=text("charged IS 0"),
            postgresql_where=text("charged IS false"),
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("booking_series.id"), index=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id"))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    occupied_from: Mapped[datetime]
    occupied_until: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(20))
    cancelled_at: Mapped[datetime | None]
    net_pence: Mapped[int] = mapped_column(Integer, server_default="0")
    vat_rate_bp: Mapped[int] = mapped_column(
        Integer, server_default="0"
    )  # basis points: 2000 = 20%
    vat_pence: Mapped[int] = mapped_column(Integer, server_default="0")
    purchase_order_id: Mapped[int | None] = mapped_column(
        ForeignKey("purchase_orders.id"), index=True
    )
    price_per_hour_pence: Mapped[int | None] = mapped_column(Integer)  # the room's, when booked
    recurrence_start: Mapped[datetime | None]  # where the rule put it, once moved
    # An invoice line charges it: set by a trigger as the line is written (migration 0022).
    charged: Mapped[bool] = mapped_column(Boolean, server_default=false())
    series: Mapped[SeriesRow] = relationship(back_populates="sessions")


class PurchaseOrderRow(Base):
    __tablename__ = "purchase_orders"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    trust_id: Mapped[int] = mapped_column(ForeignKey("trusts.id"))
    venue_id: Mapped[int] = mapped_column(ForeignKey("venues.id"), index=True)
    cost_centre: Mapped[str] = mapped_column(String(40))
    approved_value_pence: Mapped[int] = mapped_column(Integer)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date] = mapped_column(Date)
    # Its chargeable sessions' gross value, kept by triggers on sessions (migration 0022).
    committed_pence: Mapped[int] = mapped_column(Integer, server_default="0")


class InvoiceCounterRow(Base):
    """One row per venue and document kind, locked while numbering: no gaps, no database
    sequence (a sequence skips numbers when a transaction rolls back)."""

    __tablename__ = "invoice_counters"
    venue_id: Mapped[int] = mapped_column(ForeignKey("venues.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    prefix: Mapped[str] = mapped_column(String(20))
    last_value: Mapped[int] = mapped_column(Integer)


class InvoiceRow(Base):
    """Immutable once written: triggers refuse UPDATE and DELETE (see migration 0003)."""

    __tablename__ = "invoices"
    __table_args__ = (
        UniqueConstraint("venue_id", "number"),
        Index("ix_invoices_issue_date", "issue_date", "gross_pence"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    number: Mapped[str] = mapped_column(String(30))
    venue_id: Mapped[int] = mapped_column(ForeignKey("venues.id"), index=True)
    trust_id: Mapped[int] = mapped_column(ForeignKey("trusts.id"))
    purchase_order_id: Mapped[int] = mapped_column(ForeignKey("purchase_orders.id"), index=True)
    po_number: Mapped[str] = mapped_column(String(30))
    booking_id: Mapped[int] = mapped_column(ForeignKey("booking_series.id"), index=True)
    issue_date: Mapped[date] = mapped_column(Date)
    tax_point: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date] = mapped_column(Date)
    supplier: Mapped[dict[str, Any]] = mapped_column(JSON)
    customer: Mapped[dict[str, Any]] = mapped_column(JSON)
    credits_invoice: Mapped[str | None] = mapped_column(String(30))
    gross_pence: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime]
    lines: Mapped[list[InvoiceLineRow]] = relationship(
        order_by="InvoiceLineRow.position", lazy="selectin"
    )


class InvoiceLineRow(Base):
    """A session is charged on at most one invoice line and credited on at most one in each
    charge round; it is charged again (the next round) only once its charge is credited, as
    when a cancelled invoice is reissued (triggers of migration 0024 hold the order)."""

    __tablename__ = "invoice_lines"
    __table_args__ = (
        UniqueConstraint(
            "charged_session_id", "charge_round", name="uq_invoice_lines_charge_round"
        ),
        UniqueConstraint(
            "credited_session_id", "charge_round", name="uq_invoice_lines_credit_round"
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(String(200))
    day: Mapped[date] = mapped_column(Date)
    start: Mapped[time] = mapped_column(Time)
    end: Mapped[time] = mapped_column(Time)
    room: Mapped[str] = mapped_column(String(200))
    minutes: Mapped[int] = mapped_column(Integer)
    net_pence: Mapped[int] = mapped_column(Integer)
    vat_rate_bp: Mapped[int] = mapped_column(Integer)
    vat_pence: Mapped[int] = mapped_column(Integer)
    price_per_hour_pence: Mapped[int | None] = mapped_column(Integer)
    # exempt, zero, standard, outside_scope; 'unrecorded' on lines issued before it was kept
    vat_treatment: Mapped[str] = mapped_column(String(20), server_default="unrecorded")
    charged_session_id: Mapped[int | None] = mapped_column(ForeignKey("sessions.id"))
    credited_session_id: Mapped[int | None] = mapped_column(ForeignKey("sessions.id"))
    charge_round: Mapped[int] = mapped_column(Integer, server_default="0")


class InvoiceReissueRow(Base):
    """An invoice NHS accounts cancelled, reissued once: the credit note that took it back,
    why, and the PO its sessions moved to (if corrected). Insert only (migration 0024)."""

    __tablename__ = "invoice_reissues"
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), primary_key=True)
    credit_note_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), unique=True)
    reason: Mapped[str] = mapped_column(String(20))
    details: Mapped[str | None] = mapped_column(String(500))
    purchase_order_id: Mapped[int | None] = mapped_column(ForeignKey("purchase_orders.id"))
    actor: Mapped[str] = mapped_column(String(254))
    at: Mapped[datetime]


class InvoiceDocumentRow(Base):
    """An invoice's documents as issued, one per media type (its PDF; its e-invoice)."""

    __tablename__ = "invoice_documents"
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), primary_key=True)
    media_type: Mapped[str] = mapped_column(String(60), primary_key=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))


class OutboxRow(Base):
    """One message per invoice, recipient and topic (a hold notice's hold): never twice."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        UniqueConstraint("invoice_id", "recipient", "topic", name="uq_outbox_once"),
        UniqueConstraint("status_link_id", name="uq_outbox_status_link"),
        UniqueConstraint("sign_in_link_id", name="uq_outbox_sign_in_link"),
        Index("ix_outbox_due", "state", "next_attempt_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id"))
    recipient: Mapped[str] = mapped_column(String(30))
    to: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    message_id: Mapped[str] = mapped_column(String(200))
    documents_sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    state: Mapped[str] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(Integer)
    next_attempt_at: Mapped[datetime | None]
    claimed_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    server_reply: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None]
    possible_duplicate: Mapped[bool] = mapped_column(Boolean)
    topic: Mapped[str] = mapped_column(String(300), server_default="")
    status_link_id: Mapped[int | None] = mapped_column(ForeignKey("status_links.id"))
    sign_in_link_id: Mapped[int | None] = mapped_column(ForeignKey("sign_in_links.id"))
    calendar: Mapped[str] = mapped_column(Text, server_default="")
    note: Mapped[str] = mapped_column(Text, server_default="")


class IdempotencyRow(Base):
    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("user_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    key: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[int | None] = mapped_column(Integer)
    body: Mapped[str | None] = mapped_column(Text)


class AuditRow(Base):
    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_entity", "entity", "entity_id"),
        Index("ix_audit_at", "at", "id"),
        Index("ix_audit_actor", "actor", "at", postgresql_ops={"actor": "varchar_pattern_ops"}),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(300))
    action: Mapped[str] = mapped_column(String(50))
    entity: Mapped[str] = mapped_column(String(50))
    entity_id: Mapped[int] = mapped_column(Integer)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)


class ImportRow(Base):
    __tablename__ = "procurement_imports"
    __table_args__ = (UniqueConstraint("profile", "sha256"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    profile: Mapped[str] = mapped_column(String(100))
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    imported_by: Mapped[str] = mapped_column(String(300))
    imported_at: Mapped[datetime]
    trust_id: Mapped[int | None] = mapped_column(ForeignKey("trusts.id"))
    as_of: Mapped[date | None] = mapped_column(Date)
    as_of_source: Mapped[str | None] = mapped_column(String(20))
    older_than: Mapped[date | None] = mapped_column(Date)
    rows_read: Mapped[int] = mapped_column(Integer)
    matched: Mapped[int] = mapped_column(Integer)
    other_suppliers: Mapped[int] = mapped_column(Integer)
    other_units: Mapped[int] = mapped_column(Integer, server_default="0")
    kept: Mapped[int] = mapped_column(Integer, server_default="0")
    blank_lines: Mapped[int] = mapped_column(Integer)
    errors: Mapped[int] = mapped_column(Integer)
    discrepancies: Mapped[int] = mapped_column(Integer)
    changes: Mapped[int] = mapped_column(Integer)
    row_errors: Mapped[list[dict[str, Any]]] = mapped_column(JSON)


class InvoiceStateRow(Base):
    """The latest state of one of our invoices in the finance system (one row per invoice)."""

    __tablename__ = "invoice_states"
    __table_args__ = (
        Index("ix_invoice_states_payment_date", "payment_date"),
        Index("ix_invoice_states_status", "status"),
        # Matches by PO and amount waiting for a person to confirm: few, counted on every
        # "Work to do" (the ledger's filter spells the condition the same way).
        Index(
            "ix_invoice_states_to_confirm",
            "invoice_id",
            sqlite_where=text("fallback IS 1 AND confirmed IS 0"),
            postgresql_where=text("fallback IS true AND confirmed IS false"),
        ),
    )
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), primary_key=True)
    status: Mapped[str] = mapped_column(String(20))
    holds: Mapped[list[str]] = mapped_column(JSON)
    export_amount_pence: Mapped[int | None] = mapped_column(Integer)
    export_po_number: Mapped[str | None] = mapped_column(String(30))
    paid_pence: Mapped[int] = mapped_column(Integer)
    payments: Mapped[int] = mapped_column(Integer)
    payment_date: Mapped[date | None] = mapped_column(Date)
    payment_number: Mapped[str | None] = mapped_column(String(60))
    fallback: Mapped[bool] = mapped_column(Boolean)
    confirmed: Mapped[bool] = mapped_column(Boolean)
    received_on: Mapped[date | None] = mapped_column(Date)
    last_import_id: Mapped[int | None] = mapped_column(ForeignKey("procurement_imports.id"))
    as_of: Mapped[date | None] = mapped_column(Date)


class StatusEventRow(Base):
    __tablename__ = "invoice_status_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime]
    hold_code: Mapped[str | None] = mapped_column(String(60))
    hold_reason: Mapped[str | None] = mapped_column(Text)
    paid_pence: Mapped[int] = mapped_column(Integer)
    payment_date: Mapped[date | None] = mapped_column(Date)
    payment_number: Mapped[str | None] = mapped_column(String(60))
    import_id: Mapped[int | None] = mapped_column(ForeignKey("procurement_imports.id"))
    line: Mapped[int | None] = mapped_column(Integer)
    as_of: Mapped[date | None] = mapped_column(Date)


class FindingRow(Base):
    """A row about one of our venues that matches no invoice we issued."""

    __tablename__ = "import_findings"
    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("procurement_imports.id"), index=True)
    line: Mapped[int] = mapped_column(Integer)
    venue_id: Mapped[int] = mapped_column(ForeignKey("venues.id"))
    detail: Mapped[str] = mapped_column(Text)


class ResolutionRow(Base):
    """A discrepancy a person marked as resolved, known by its key (Discrepancy.key)."""

    __tablename__ = "discrepancy_resolutions"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    problem: Mapped[str] = mapped_column(String(30))
    detail: Mapped[str] = mapped_column(Text)
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id"))
    venue_id: Mapped[int | None] = mapped_column(ForeignKey("venues.id"))
    note: Mapped[str] = mapped_column(Text)
    resolved_by: Mapped[str] = mapped_column(String(300))
    resolved_at: Mapped[datetime] = mapped_column(index=True)


class StatusLinkRow(Base):
    __tablename__ = "status_links"
    id: Mapped[int] = mapped_column(primary_key=True)
    venue_id: Mapped[int] = mapped_column(ForeignKey("venues.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(300))
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]


class CalendarLinkRow(Base):
    __tablename__ = "calendar_links"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class RateLimitRow(Base):
    """Failed lookups per client and fixed window, shared by every worker process."""

    __tablename__ = "rate_limits"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(primary_key=True)
    count: Mapped[int] = mapped_column(Integer)


class SignInLinkRow(Base):
    __tablename__ = "sign_in_links"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class StaffSessionRow(Base):
    __tablename__ = "staff_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    started_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]

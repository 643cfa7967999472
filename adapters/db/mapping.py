"""Rows to domain objects and back."""

from __future__ import annotations

from datetime import date

from adapters.db.tables import (
    ClosureRow,
    RoomRow,
    SeriesRow,
    SessionRow,
    TrustRow,
    UserRow,
    VenueRow,
)
from service.domain.bookings import BookingSeries, Session, SessionStatus
from service.domain.directory import Closure, Room, Trust, VatTreatment, Venue
from service.domain.recurrence import Frequency, Recurrence, Skipped
from service.domain.timeslots import Interval
from service.domain.users import Role, User


def trust(row: TrustRow) -> Trust:
    return Trust(
        id=row.id,
        name=row.name,
        organisation_code=row.organisation_code,
        payables_code=row.payables_code,
        accounts_payable_email=row.accounts_payable_email,
        invoice_address=row.invoice_address,
        po_number_pattern=row.po_number_pattern,
    )


def venue(row: VenueRow) -> Venue:
    return Venue(
        id=row.id,
        name=row.name,
        address=row.address,
        postcode=row.postcode,
        contact_email=row.contact_email,
        remittance_email=row.remittance_email,
        vat_number=row.vat_number,
        supplier_number=row.supplier_number,
        notice_period_hours=row.notice_period_hours,
        closures=[Closure(c.day, c.reason) for c in row.closures],
    )


def venue_row(v: Venue) -> VenueRow:
    return VenueRow(
        name=v.name,
        address=v.address,
        postcode=v.postcode,
        contact_email=v.contact_email,
        remittance_email=v.remittance_email,
        vat_number=v.vat_number,
        supplier_number=v.supplier_number,
        notice_period_hours=v.notice_period_hours,
        closures=[ClosureRow(day=c.day, reason=c.reason) for c in v.closures],
    )


def room(row: RoomRow) -> Room:
    return Room(
        id=row.id,
        venue_id=row.venue_id,
        name=row.name,
        capacity=row.capacity,
        step_free=row.step_free,
        price_per_hour_pence=row.price_per_hour_pence,
        vat_treatment=VatTreatment(row.vat_treatment),
        setup_minutes=row.setup_minutes,
        clearaway_minutes=row.clearaway_minutes,
    )


def user(row: UserRow) -> User:
    return User(
        id=row.id, email=row.email, role=Role(row.role), key_hash=row.key_hash, active=row.active
    )


def session(row: SessionRow) -> Session:
    return Session(
        id=row.id,
        series_id=row.series_id,
        room_id=row.room_id,
        slot=Interval(row.starts_at, row.ends_at),
        occupied=Interval(row.occupied_from, row.occupied_until),
        status=SessionStatus(row.status),
        cancelled_at=row.cancelled_at,
    )


def session_row(s: Session) -> SessionRow:
    return SessionRow(
        room_id=s.room_id,
        starts_at=s.slot.start,
        ends_at=s.slot.end,
        occupied_from=s.occupied.start,
        occupied_until=s.occupied.end,
        status=s.status.value,
        cancelled_at=s.cancelled_at,
    )


def series(row: SeriesRow) -> BookingSeries:
    return BookingSeries(
        id=row.id,
        room_id=row.room_id,
        facilitator_id=row.facilitator_id,
        group_label=row.group_label,
        invoice_description=row.invoice_description,
        recurrence=Recurrence(
            first_date=row.first_date,
            frequency=Frequency(row.frequency),
            count=row.count,
            until=row.until,
            keep_count=row.keep_count,
        ),
        start_time=row.start_time,
        end_time=row.end_time,
        created_at=row.created_at,
        sessions=[session(s) for s in row.sessions],
        skipped=[Skipped(date.fromisoformat(s["date"]), s["reason"]) for s in row.skipped],
    )


def series_row(s: BookingSeries) -> SeriesRow:
    r = s.recurrence
    return SeriesRow(
        room_id=s.room_id,
        facilitator_id=s.facilitator_id,
        group_label=s.group_label,
        invoice_description=s.invoice_description,
        frequency=r.frequency.value,
        first_date=r.first_date,
        count=r.count,
        until=r.until,
        keep_count=r.keep_count,
        start_time=s.start_time,
        end_time=s.end_time,
        created_at=s.created_at,
        skipped=[{"date": k.day.isoformat(), "reason": k.reason} for k in s.skipped],
        sessions=[session_row(x) for x in s.sessions],
    )

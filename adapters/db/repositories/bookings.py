"""Booking series and their sessions."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy import and_, false, or_, select, union, update
from sqlalchemy.exc import IntegrityError

from adapters.db import mapping
from adapters.db.repositories.base import Repository
from adapters.db.tables import (
    PurchaseOrderRow,
    RoomRow,
    SeriesRow,
    SessionRow,
    UserRow,
    VenueRow,
)
from service.domain.bookings import BookingSeries, Session, SessionLine, SessionStatus
from service.domain.timeslots import Interval
from service.domain.venue_status import VenueBooking
from service.ports.bookings import SlotTaken

OVERLAP_MARKERS = ("session_overlap", "sessions_no_overlap")
CHARGEABLE = (SessionStatus.BOOKED.value, SessionStatus.LATE_CANCELLED.value)


class BookingRepository(Repository):
    def add(self, series: BookingSeries) -> BookingSeries:
        row = mapping.series_row(series)
        self._guarded(lambda: self.db.add(row))
        return mapping.series(row)

    def get(self, series_id: int) -> BookingSeries | None:
        row = self.db.get(SeriesRow, series_id)
        return mapping.series(row) if row else None

    def upcoming_at_venue(self, venue_id: int, after: datetime, limit: int) -> list[VenueBooking]:
        query = (
            select(SessionRow.starts_at, SessionRow.ends_at, RoomRow.name)
            .join(RoomRow, RoomRow.id == SessionRow.room_id)
            .where(
                RoomRow.venue_id == venue_id,
                SessionRow.status == SessionStatus.BOOKED.value,
                SessionRow.starts_at > after,
            )
            .order_by(SessionRow.starts_at, SessionRow.id)
            .limit(limit)
        )
        return [VenueBooking(start, end, room) for start, end, room in self.db.execute(query)]

    def save_details(self, series: BookingSeries) -> None:
        self.db.execute(
            update(SeriesRow)
            .where(SeriesRow.id == series.id)
            .values(
                group_label=series.group_label,
                invoice_description=series.invoice_description,
                invoice_cadence=series.invoice_cadence.value,
                expected_people=series.expected_people,
            )
        )

    def next_calendar_sequence(self, series_id: int) -> int:
        taken = self.db.execute(
            update(SeriesRow)
            .where(SeriesRow.id == series_id)
            .values(calendar_sequence=SeriesRow.calendar_sequence + 1)
            .returning(SeriesRow.calendar_sequence)
        ).scalar_one()
        return int(taken) - 1

    def find(
        self,
        *,
        facilitator_id: int | None = None,
        room_id: int | None = None,
        starting_within: Interval | None = None,
        purchase_order_id: int | None = None,
    ) -> list[BookingSeries]:
        query = select(SeriesRow).order_by(SeriesRow.id)
        if purchase_order_id is not None:
            on_po = select(SessionRow.id).where(
                SessionRow.series_id == SeriesRow.id,
                SessionRow.purchase_order_id == purchase_order_id,
            )
            query = query.where(on_po.exists())
        if facilitator_id is not None:
            query = query.where(SeriesRow.facilitator_id == facilitator_id)
        if room_id is not None:
            query = query.where(SeriesRow.room_id == room_id)
        if starting_within is not None:
            held = select(SessionRow.id).where(
                SessionRow.series_id == SeriesRow.id,
                SessionRow.starts_at >= starting_within.start,
                SessionRow.starts_at < starting_within.end,
            )
            query = query.where(held.exists())
        return [mapping.series(r) for r in self.db.scalars(query)]

    def session(self, session_id: int) -> Session | None:
        row = self.db.get(SessionRow, session_id)
        return mapping.session(row) if row else None

    def session_lines(
        self,
        facilitator_id: int,
        *,
        now: datetime,
        past: bool,
        beyond: tuple[datetime, int] | None,
        limit: int,
    ) -> list[SessionLine]:
        start = SessionRow.starts_at
        query = (
            select(SessionRow, SeriesRow.group_label, RoomRow.name, VenueRow.name)
            .join(SeriesRow, SeriesRow.id == SessionRow.series_id)
            .join(RoomRow, RoomRow.id == SessionRow.room_id)
            .join(VenueRow, VenueRow.id == RoomRow.venue_id)
            .where(SeriesRow.facilitator_id == facilitator_id)
            .where(start <= now if past else start > now)
            .order_by(*((start.desc(), SessionRow.id.desc()) if past else (start, SessionRow.id)))
            .limit(limit)
        )
        if beyond is not None:  # keyset paging on (start, id): ties at the page's edge stay
            when, last = beyond
            if past:
                query = query.where(or_(start < when, and_(start == when, SessionRow.id < last)))
            else:
                query = query.where(or_(start > when, and_(start == when, SessionRow.id > last)))
        return [
            SessionLine(mapping.session(row), label, room, venue)
            for row, label, room, venue in self.db.execute(query)
        ]

    def update_session(self, session: Session) -> None:
        row = self.db.get_one(SessionRow, session.id)
        row.status = session.status.value
        row.cancelled_at = session.cancelled_at
        self.db.flush()

    def move_session(self, session: Session) -> None:
        self._guarded(
            lambda: self.db.execute(
                update(SessionRow)
                .where(SessionRow.id == session.id)
                .values(**mapping.session_values(session))
            )
        )

    def add_session(self, series_id: int, session: Session) -> Session:
        row = mapping.session_row(session)
        row.series_id = series_id
        self._guarded(lambda: self.db.add(row))
        return mapping.session(row)

    def _guarded(self, change: Callable[[], object]) -> None:
        """Make the change; a session overlapping another booked one in its room is SlotTaken."""
        try:
            with self.db.begin_nested():
                change()
                self.db.flush()
        except IntegrityError as exc:
            if any(marker in str(exc.orig) for marker in OVERLAP_MARKERS):
                raise SlotTaken from exc
            raise

    def booked_overlapping(self, room_ids: Sequence[int], span: Interval) -> list[Session]:
        query = select(SessionRow).where(
            SessionRow.room_id.in_(room_ids),
            SessionRow.status == SessionStatus.BOOKED.value,
            SessionRow.occupied_from < span.end,
            SessionRow.occupied_until > span.start,
        )
        return [mapping.session(r) for r in self.db.scalars(query)]

    def set_purchase_order(self, session_ids: Sequence[int], purchase_order_id: int) -> None:
        self.db.execute(
            update(SessionRow)
            .where(SessionRow.id.in_(session_ids))
            .values(purchase_order_id=purchase_order_id)
        )

    def facilitator_emails(self, series_ids: Sequence[int]) -> dict[int, str]:
        query = (
            select(SeriesRow.id, UserRow.email)
            .join(UserRow, UserRow.id == SeriesRow.facilitator_id)
            .where(SeriesRow.id.in_(set(series_ids)), UserRow.active)
        )
        return {series_id: email for series_id, email in self.db.execute(query)}

    def unsettled(self, now: datetime) -> list[BookingSeries]:
        """Series with a chargeable session that no PO covers, or that has ended and is
        charged on no invoice: what finance still has to act on. Each found through a narrow
        index: sessions by PO, and the partial index of the sessions not charged."""
        chargeable = SessionRow.status.in_(CHARGEABLE)
        no_po = select(SessionRow.series_id).where(
            chargeable, SessionRow.purchase_order_id.is_(None)
        )
        not_charged = select(SessionRow.series_id).where(
            chargeable, SessionRow.charged.is_(false()), SessionRow.ends_at <= now
        )
        open_ = union(no_po, not_charged)
        query = select(SeriesRow).where(SeriesRow.id.in_(open_)).order_by(SeriesRow.id)
        return [mapping.series(r) for r in self.db.scalars(query)]

    def committed_by_purchase_order(self, purchase_order_ids: Sequence[int]) -> dict[int, int]:
        """committed_pence of each of those POs (0 for one with no session)."""
        query = select(PurchaseOrderRow.id, PurchaseOrderRow.committed_pence).where(
            PurchaseOrderRow.id.in_(set(purchase_order_ids))
        )
        committed = dict.fromkeys(purchase_order_ids, 0)
        committed.update({po_id: pence for po_id, pence in self.db.execute(query)})
        return committed

    def committed_pence(self, purchase_order_id: int) -> int:
        return self.committed_by_purchase_order([purchase_order_id])[purchase_order_id]

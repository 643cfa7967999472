"""Properties of the invoicing rules over random series, closures and cancellations added
later, POs split across the year end and month-end runs at any time of day: every chargeable
session on a PO is invoiced exactly once, no invoice mixes POs or strays outside its PO's
dates, and nothing cancelled by the venue or left without a PO is ever charged."""

from __future__ import annotations

from collections import Counter
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from service.domain.bookings import (
    BookingRequest,
    BookingSeries,
    InvoiceCadence,
    SessionStatus,
    new_series,
)
from service.domain.errors import DomainError
from service.domain.invoicing import due_drafts
from service.domain.purchasing import PurchaseOrder
from service.domain.recurrence import Frequency, Recurrence
from service.domain.timeslots import LONDON, london_instant
from tests.unit.builders import ROOM, VENUE

TRUST = 1
POS = {
    po.id: po
    for po in (
        PurchaseOrder(
            "RZZPO0000001", TRUST, 1, "CC1", 10**9, date(2026, 4, 1), date(2027, 3, 31), 1
        ),
        PurchaseOrder(
            "RZZPO0000002", TRUST, 1, "CC1", 10**9, date(2027, 4, 1), date(2028, 3, 31), 2
        ),
        PurchaseOrder(
            "RZZPO0000003", TRUST, 1, "CC1", 10**9, date(2026, 11, 1), date(2028, 3, 31), 3
        ),
    )
}
BOOKED_AT = datetime(2026, 12, 1, 9, tzinfo=UTC)
FIRST_DAY = date(2027, 1, 4)


@dataclass
class Ledger:
    """What the runs issued: one entry per invoice, its PO and its sessions."""

    invoices: list[tuple[int, tuple[int, ...]]] = field(default_factory=list)

    @property
    def invoiced(self) -> set[int]:
        return {session for _, sessions in self.invoices for session in sessions}


def run(series: BookingSeries, ledger: Ledger, through: date, now: datetime) -> None:
    """As the invoice run does: a draft without a PO is refused; one with a PO is checked
    against it, then issued."""
    for draft in due_drafts(series, ledger.invoiced, through, now):
        if draft.purchase_order_id is None:
            continue
        po = POS[draft.purchase_order_id]
        po.ensure_covers([s.local_date for s in draft.sessions], VENUE.id or 0, TRUST)
        ledger.invoices.append((po.id or 0, tuple(s.id or 0 for s in draft.sessions)))


moments = st.builds(
    lambda day, hour: london_instant(FIRST_DAY + timedelta(days=day), time(hour)),
    st.integers(-30, 560),
    st.integers(0, 23).filter(lambda hour: hour != 1),  # 01:00 is skipped when clocks go forward
)
events = st.lists(
    st.one_of(
        st.tuples(st.just("close"), moments, st.integers(0, 40)),
        st.tuples(st.just("cancel"), moments, st.integers(0, 40)),
        st.tuples(
            st.just("cover"),
            moments,
            st.tuples(st.sampled_from([1, 2, 3]), st.none() | st.integers(0, 400)),
        ),
        st.tuples(st.just("run"), moments, st.integers(0, 45)),
    ),
    max_size=12,
)


@settings(max_examples=400, deadline=None)
@given(
    first=st.integers(0, 180),
    frequency=st.sampled_from(Frequency),
    count=st.integers(1, 20),
    start=st.integers(8, 18),
    hours=st.integers(1, 4),
    cadence=st.sampled_from(InvoiceCadence),
    po_id=st.sampled_from([None, 1, 3]),
    timeline=events,
)
def test_every_chargeable_session_on_a_po_is_invoiced_once_and_on_its_own_po(
    first: int,
    frequency: Frequency,
    count: int,
    start: int,
    hours: int,
    cadence: InvoiceCadence,
    po_id: int | None,
    timeline: list[tuple[str, datetime, object]],
) -> None:
    request = BookingRequest(
        room_id=1,
        facilitator_id=1,
        group_label="Group",
        recurrence=Recurrence(
            FIRST_DAY + timedelta(days=first),
            frequency,
            count=None if frequency is Frequency.ONCE else count,
        ),
        start_time=time(start),
        end_time=time(start + hours),
        invoice_cadence=cadence,
        trust_id=TRUST,
    )
    series = new_series(request, ROOM, VENUE, lambda *_: None, BOOKED_AT)
    for n, session in enumerate(series.sessions, start=1):
        session.id = n
    if po_id is not None:
        try:
            POS[po_id].cover(series.sessions, VENUE.id or 0, TRUST, 0, "This booking")
        except DomainError:
            return  # refused at booking: nothing is booked
    ledger = Ledger()
    for kind, now, detail in sorted(timeline, key=lambda event: event[1]):
        with suppress(DomainError):  # refused, as the API would: nothing changed
            act(kind, now, detail, series, ledger)
    run(series, ledger, date(2028, 12, 31), datetime(2029, 1, 2, tzinfo=UTC))

    times = Counter(s for _, sessions in ledger.invoices for s in sessions)
    for session in series.sessions:
        owed = session.chargeable and session.purchase_order_id is not None
        assert session.id is not None
        assert times[session.id] == (1 if owed else 0), session
    by_id = {s.id: s for s in series.sessions}
    for po, sessions in ledger.invoices:
        assert {by_id[s].purchase_order_id for s in sessions} == {po}  # one PO per invoice
        assert all(by_id[s].status is not SessionStatus.CANCELLED_BY_VENUE for s in sessions)
    if cadence is InvoiceCadence.MONTHLY:  # one booking, month and PO: one invoice
        periods = [
            (po, by_id[sessions[0]].local_date.replace(day=1)) for po, sessions in ledger.invoices
        ]
        assert len(periods) == len(set(periods))


def act(kind: str, now: datetime, detail: object, series: BookingSeries, ledger: Ledger) -> None:
    """One thing that happens later: a closure, a cancellation, a PO, an invoice run."""
    if kind == "run":
        assert isinstance(detail, int)
        run(series, ledger, now.astimezone(LONDON).date() - timedelta(days=detail), now)
        return
    if kind == "cover":
        assert isinstance(detail, tuple)
        po_id, from_day = detail
        from_date = None if from_day is None else FIRST_DAY + timedelta(days=from_day)
        sessions = series.to_cover(po_id, from_date, ledger.invoiced)
        POS[po_id].cover(sessions, VENUE.id or 0, TRUST, 0, "These sessions")
        return
    assert isinstance(detail, int)
    session = series.sessions[detail % len(series.sessions)]
    if kind == "close" and session.slot.start > now:  # the closures use case's condition
        session.cancel_for_closure(now)
    elif kind == "cancel":
        session.cancel(now, VENUE)

"""The booking store's narrow reads for finance's work to do, on each engine: the unsettled
series (through `sessions.charged`) and each PO's committed value (`committed_pence`), both kept
by triggers (migration 0022), agree with the domain's rules (`Session.chargeable`, the sessions
invoice lines charge net of credit notes, `BookingSeries.committed_on`) for every session
status, with and without a PO, charged or not, held or to come; and stay in step as sessions
are cancelled, moved to another PO, re-priced or deleted, and as charges are credited and
charged again (a reissue). The database itself keeps charges and credits in turn."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from itertools import count, product
from typing import Any

import pytest
from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.exc import DatabaseError

from adapters.db.tables import InvoiceLineRow, InvoiceRow, SessionRow
from service.domain.bookings import BookingSeries, SessionStatus
from service.domain.users import Role
from service.usecases.context import Context
from tests.builders import (
    create_booking,
    create_purchase_order,
    create_room,
    create_trust,
    create_user,
    create_venue,
)

NOW = datetime(2026, 12, 20, 12, tzinfo=UTC)  # after the held sessions, before the rest
HELD, TO_COME = date(2026, 11, 24), date(2027, 1, 4)  # 24 days each, no bank holiday
# Each session's status, PO (none, the first or the second), whether an invoice line charges
# it, and whether it has been held by NOW: every combination, one session a series.
CASES = list(product(SessionStatus, (None, 0, 1), (False, True), (False, True)))


@dataclass
class Books:
    ctx: Context
    pos: tuple[int, int]
    sessions: list[int]  # in the order of CASES


@pytest.fixture
def books(ctx: Context) -> Books:
    trust = create_trust(ctx)
    venue = create_venue(ctx)
    assert trust.id and venue.id
    room = create_room(ctx, venue.id)
    facilitator = create_user(ctx, Role.FACILITATOR, trust.id)
    pos = tuple(
        create_purchase_order(ctx, trust.id, venue.id, number=f"RZZPO000000{n}").id or 0
        for n in (1, 2)
    )
    sessions = []
    for n, (_, _, _, held) in enumerate(CASES):
        day = (HELD if held else TO_COME) + timedelta(days=n // 2)  # held alternates
        series = create_booking(ctx, facilitator, room.id or 0, first_date=day)
        sessions.append(series.sessions[0].id or 0)
    with ctx.new_uow() as uow:
        for session_id, (status, po, *_) in zip(sessions, CASES, strict=True):
            if po is not None:
                uow.bookings.set_purchase_order([session_id], pos[po])
            session = uow.bookings.session(session_id)
            assert session is not None
            session.status = status
            uow.bookings.update_session(session)
        uow.commit()
    charged = [s for s, (_, _, on_invoice, _) in zip(sessions, CASES, strict=True) if on_invoice]
    _charge(ctx, pos[0], charged)
    return Books(ctx, (pos[0], pos[1]), sessions)


_NUMBERS = count(1)


def _charge(
    ctx: Context, po_id: int, session_ids: list[int], charge_round: int = 0, *, credit: bool = False
) -> None:
    """An invoice (or credit note) with a line charging (crediting) each session in the
    round, written as rows (as the benchmark's are): the triggers mark them charged (or not)
    whoever writes the line."""
    with ctx.new_uow() as uow:
        db = uow.db  # type: ignore[attr-defined]
        booking_id = db.scalar(select(SessionRow.series_id).where(SessionRow.id == session_ids[0]))
        sign = -1 if credit else 1
        invoice = {
            "kind": "credit_note" if credit else "invoice",
            "number": f"INV{next(_NUMBERS):04d}",
            "venue_id": 1,
            "trust_id": 1,
            "purchase_order_id": po_id,
            "po_number": "RZZPO0000001",
            "booking_id": booking_id,
            "issue_date": NOW.date(),
            "tax_point": NOW.date(),
            "due_date": NOW.date() + timedelta(days=30),
            "supplier": {},
            "customer": {},
            "credits_invoice": None,
            "gross_pence": sign * 7_500 * len(session_ids),
            "created_at": NOW,
        }
        invoice_id = db.execute(insert(InvoiceRow).returning(InvoiceRow.id), [invoice]).scalar()
        lines = [_line(invoice_id, n, s) for n, s in enumerate(session_ids)]
        for line in lines:
            line.update(charge_round=charge_round, net_pence=sign * line["net_pence"])
            if credit:
                line["credited_session_id"] = line.pop("charged_session_id")
        db.execute(insert(InvoiceLineRow), lines)
        uow.commit()


def _line(invoice_id: int, position: int, session_id: int) -> dict[str, Any]:
    return {
        "invoice_id": invoice_id,
        "position": position,
        "description": "Room hire",
        "day": HELD,
        "start": time(13),
        "end": time(16),
        "room": "Main hall",
        "minutes": 180,
        "net_pence": 7_500,
        "vat_rate_bp": 0,
        "vat_pence": 0,
        "charged_session_id": session_id,
    }


def _agree(books: Books) -> None:
    """The store's answers are the domain's, over every series."""
    with books.ctx.new_reader() as uow:
        everything: list[BookingSeries] = uow.bookings.find()
        charged = uow.invoices.charged_session_ids()
        unsettled = [s.id for s in uow.bookings.unsettled(NOW)]
        committed = uow.bookings.committed_by_purchase_order(books.pos)
        alone = [uow.bookings.committed_pence(po) for po in books.pos]
    assert unsettled == [
        series.id
        for series in everything
        if any(
            s.chargeable
            and (s.purchase_order_id is None or (s.slot.end <= NOW and s.id not in charged))
            for s in series.sessions
        )
    ]
    expected = {po: sum(series.committed_on(po) for series in everything) for po in books.pos}
    assert committed == expected and alone == list(expected.values())


def test_unsettled_series_and_committed_values_agree_with_the_domain(books: Books) -> None:
    _agree(books)
    first, second = books.pos
    with books.ctx.new_reader() as uow:
        committed = uow.bookings.committed_by_purchase_order(books.pos)
    assert committed[first] > 0 and committed[second] > 0  # the cases reach both POs


def test_they_stay_in_step_as_sessions_change(books: Books) -> None:
    first, second = books.pos
    booked = [s for s, case in zip(books.sessions, CASES, strict=True) if case[0] == "booked"]
    with books.ctx.new_uow() as uow:
        for session_id in booked[:3]:  # cancelled: no longer chargeable
            session = uow.bookings.session(session_id)
            assert session is not None
            session.status = SessionStatus.CANCELLED
            uow.bookings.update_session(session)
        uow.bookings.set_purchase_order(booked[3:8], second)  # from none or the first
        uow.commit()
    _agree(books)
    with books.ctx.new_uow() as uow:
        db = uow.db  # type: ignore[attr-defined]
        repriced = update(SessionRow).where(SessionRow.purchase_order_id == first)
        db.execute(repriced.values(net_pence=SessionRow.net_pence + 100, vat_pence=20))
        uncharged = select(SessionRow.id).where(
            SessionRow.purchase_order_id == second, ~SessionRow.charged
        )
        db.execute(delete(SessionRow).where(SessionRow.id.in_(uncharged)))
        uow.commit()
    _agree(books)


def _on_invoice(books: Books) -> list[int]:
    return [s for s, case in zip(books.sessions, CASES, strict=True) if case[2]]


def test_they_stay_in_step_as_charges_are_credited_and_charged_again(books: Books) -> None:
    """A reissue: a credit note takes back the charges, the sessions are charged again."""
    first = books.pos[0]
    reissued = _on_invoice(books)[::2]
    _charge(books.ctx, first, reissued, credit=True)
    _agree(books)
    with books.ctx.new_reader() as uow:
        assert not uow.invoices.charged_session_ids(among=reissued)
        assert uow.invoices.next_charge_rounds(reissued) == dict.fromkeys(reissued, 1)
    _charge(books.ctx, first, reissued, 1)
    _agree(books)
    with books.ctx.new_reader() as uow:
        assert uow.invoices.charged_session_ids(among=reissued) == set(reissued)


def test_the_database_keeps_each_sessions_charges_and_credits_in_turn(books: Books) -> None:
    first = books.pos[0]
    charged = _on_invoice(books)[0]
    never = next(s for s, case in zip(books.sessions, CASES, strict=True) if not case[2])
    refused = [
        partial(_charge, books.ctx, first, [charged]),  # a second charge in its round
        partial(_charge, books.ctx, first, [charged], 1),  # again before a credit
        partial(_charge, books.ctx, first, [never], credit=True),  # a credit of no charge
    ]
    for attempt in refused:
        with pytest.raises(DatabaseError):
            attempt()
    _charge(books.ctx, first, [charged], credit=True)
    with pytest.raises(DatabaseError):
        _charge(books.ctx, first, [charged], credit=True)  # credited twice
    for change in ("UPDATE invoice_lines SET charge_round = 5", "DELETE FROM invoice_lines"):
        with pytest.raises(DatabaseError, match="invoice_immutable"), books.ctx.new_uow() as uow:
            uow.db.execute(text(change))  # type: ignore[attr-defined]
    _agree(books)

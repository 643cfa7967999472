"""Finance records purchase orders and raises their value; bookings draw on them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from service.domain.audit import AuditEvent
from service.domain.bookings import Session
from service.domain.errors import Conflict, NotFound, RuleViolation
from service.domain.money import format_pounds
from service.domain.purchasing import PurchaseOrder, PurchaseOrderCommitted
from service.domain.timeslots import spoken_date
from service.domain.users import Role, User
from service.ports import Clock, UnitOfWork
from service.usecases.directory import get_trust, get_venue


@dataclass(frozen=True)
class PurchaseOrderStatement:
    po: PurchaseOrder
    committed_pence: int
    invoiced_pence: int = 0

    @property
    def remaining_pence(self) -> int:
        return self.po.approved_value_pence - self.committed_pence


def create_purchase_order(
    uow: UnitOfWork, clock: Clock, actor: User, po: PurchaseOrder
) -> PurchaseOrderStatement:
    actor.require(Role.FINANCE, Role.ADMIN)
    with uow:
        trust = get_trust(uow, po.trust_id)
        po.check_number(trust.po_number_pattern, trust.name)
        get_venue(uow, po.venue_id)
        if uow.purchase_orders.by_number(po.number):
            raise Conflict(f"PO {po.number} is already recorded.", po=po.number)
        po = uow.purchase_orders.add(po)
        assert po.id is not None
        uow.audit.record(
            AuditEvent(
                clock.now(),
                actor.label,
                "created",
                "purchase_order",
                po.id,
                {"number": po.number, "value": po.approved_value_pence},
            )
        )
        uow.commit()
    return PurchaseOrderStatement(po, 0)


def statement(uow: UnitOfWork, po_id: int) -> PurchaseOrderStatement:
    with uow:
        po = uow.purchase_orders.get(po_id)
        if po is None:
            raise NotFound(f"There is no purchase order {po_id}.")
        return PurchaseOrderStatement(
            po, uow.bookings.committed_pence(po_id), uow.invoices.invoiced_pence(po_id)
        )


def list_statements(uow: UnitOfWork, venue_id: int | None) -> list[PurchaseOrderStatement]:
    with uow:
        return [statement(uow, po.id or 0) for po in uow.purchase_orders.find(venue_id=venue_id)]


def read_statement(uow: UnitOfWork, actor: User, po_id: int) -> PurchaseOrderStatement:
    """Finance and admin read any PO; a facilitator only their own trust's (its value and
    cost centre are the trust's business)."""
    found = statement(uow, po_id)
    if not _may_read(actor, found.po):
        raise NotFound(f"There is no purchase order {po_id}.")
    return found


def read_statements(
    uow: UnitOfWork, actor: User, venue_id: int | None
) -> list[PurchaseOrderStatement]:
    return [s for s in list_statements(uow, venue_id) if _may_read(actor, s.po)]


def _may_read(actor: User, po: PurchaseOrder) -> bool:
    return actor.role is not Role.FACILITATOR or actor.trust_id == po.trust_id


def open_for_booking(
    uow: UnitOfWork, actor: User, venue_id: int, first_day: date
) -> list[PurchaseOrderStatement]:
    """The POs a facilitator can choose for a booking at a venue: their trust's, still valid
    on the first day, with value left. A person without a trust has none to choose."""
    if actor.trust_id is None:
        return []
    with uow:
        return [
            s
            for s in list_statements(uow, venue_id)
            if s.po.trust_id == actor.trust_id
            and s.po.valid_to >= first_day
            and s.remaining_pence > 0
        ]


def amend(
    uow: UnitOfWork,
    clock: Clock,
    actor: User,
    po_id: int,
    *,
    approved_value_pence: int | None,
    valid_to: date | None,
) -> PurchaseOrderStatement:
    """Raise (or lower, never below what is committed) the value; move the end date."""
    actor.require(Role.FINANCE, Role.ADMIN)
    with uow:
        po = uow.purchase_orders.get(po_id, for_update=True)
        if po is None:
            raise NotFound(f"There is no purchase order {po_id}.")
        before = (po.approved_value_pence, po.valid_to)
        committed = uow.bookings.committed_pence(po_id)
        if approved_value_pence is not None:
            if approved_value_pence < committed:
                raise PurchaseOrderCommitted(
                    f"PO {po.number} already has {format_pounds(committed)} committed; "
                    "its value cannot go below that.",
                    field="approved_value_pence",
                )
            po.approved_value_pence = approved_value_pence
        if valid_to is not None:
            if valid_to < po.valid_from:
                raise RuleViolation("valid_to is before the PO's valid_from.")
            _ensure_sessions_before(uow, po, valid_to)
            po.valid_to = valid_to
        uow.purchase_orders.update(po)
        uow.audit.record(
            AuditEvent(
                clock.now(),
                actor.label,
                "amended",
                "purchase_order",
                po_id,
                {
                    "from": [before[0], before[1].isoformat()],
                    "to": [po.approved_value_pence, po.valid_to.isoformat()],
                },
            )
        )
        uow.commit()
    return statement(uow, po_id)


def _ensure_sessions_before(uow: UnitOfWork, po: PurchaseOrder, valid_to: date) -> None:
    """A PO can't end before the chargeable sessions it covers: every later run would refuse
    their month."""
    stranded = sorted(
        s.local_date
        for series in uow.bookings.find(purchase_order_id=po.id)
        for s in series.sessions
        if s.purchase_order_id == po.id and s.chargeable and s.local_date > valid_to
    )
    if stranded:
        days = ", ".join(spoken_date(day) for day in stranded[:5])
        more = f" and {len(stranded) - 5} more" if len(stranded) > 5 else ""
        raise PurchaseOrderCommitted(
            f"PO {po.number} covers sessions booked after {spoken_date(valid_to)}: "
            f"{days}{more}. It can't end before them.",
            field="valid_to",
            sessions=[day.isoformat() for day in stranded],
        )


def draw_on(
    uow: UnitOfWork,
    po_id: int,
    sessions: Sequence[Session],
    trust_id: int | None,
    venue_id: int,
    what: str,
) -> list[Session]:
    """Put the sessions up to the PO's end on it, checked (with the PO locked) for trust,
    venue, dates and value; returns those that moved to it."""
    po = uow.purchase_orders.get(po_id, for_update=True)
    if po is None:
        raise NotFound(f"There is no purchase order {po_id}.")
    return po.cover(sessions, venue_id, trust_id, uow.bookings.committed_pence(po_id), what)

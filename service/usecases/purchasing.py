"""Finance records purchase orders and raises their value; bookings draw on them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Protocol

from service.domain.audit import AuditEvent
from service.domain.bookings import BookingSeries, Session
from service.domain.directory import version_of
from service.domain.errors import Conflict, NotFound, StaleVersion
from service.domain.money import format_pounds
from service.domain.purchasing import PurchaseOrder, PurchaseOrderCommitted
from service.domain.timeslots import spoken_date
from service.domain.users import Role, User
from service.ports.unit_of_work import (
    WithAudit,
    WithBookings,
    WithInvoices,
    WithPurchaseOrders,
    WithRooms,
    WithTrusts,
    WithVenues,
)
from service.usecases.context import Context
from service.usecases.directory import get_room, get_trust, get_venue


class PurchasingStores(
    WithTrusts,
    WithVenues,
    WithRooms,
    WithBookings,
    WithPurchaseOrders,
    WithInvoices,
    WithAudit,
    Protocol,
):
    """The stores the purchasing use cases use: nothing else is in reach."""


class Commitments(WithPurchaseOrders, WithBookings, WithInvoices, Protocol):
    """What a PO's figures need (bookings draw on them without the directory)."""


@dataclass(frozen=True)
class PurchaseOrderStatement:
    po: PurchaseOrder
    committed_pence: int
    invoiced_pence: int = 0

    @property
    def remaining_pence(self) -> int:
        return self.po.approved_value_pence - self.committed_pence


def create_purchase_order(
    ctx: Context, uow: PurchasingStores, actor: User, po: PurchaseOrder
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
                ctx.clock.now(),
                actor.label,
                "created",
                "purchase_order",
                po.id,
                {"number": po.number, "value": po.approved_value_pence},
            )
        )
        uow.commit()
    return PurchaseOrderStatement(po, 0)


def statement(uow: Commitments, po_id: int) -> PurchaseOrderStatement:
    with uow:
        po = uow.purchase_orders.get(po_id)
        if po is None:
            raise NotFound(f"There is no purchase order {po_id}.")
        return PurchaseOrderStatement(
            po, uow.bookings.committed_pence(po_id), uow.invoices.invoiced_pence(po_id)
        )


def list_statements(uow: Commitments, venue_id: int | None) -> list[PurchaseOrderStatement]:
    with uow:
        return [statement(uow, po.id or 0) for po in uow.purchase_orders.find(venue_id=venue_id)]


def read_statement(
    ctx: Context, uow: PurchasingStores, actor: User, po_id: int
) -> PurchaseOrderStatement:
    """Finance and admin read any PO; a facilitator only their own trust's (its value and
    cost centre are the trust's business)."""
    found = statement(uow, po_id)
    if not _may_read(actor, found.po):
        raise NotFound(f"There is no purchase order {po_id}.")
    return found


def read_statements(
    ctx: Context, uow: PurchasingStores, actor: User, venue_id: int | None
) -> list[PurchaseOrderStatement]:
    return [s for s in list_statements(uow, venue_id) if _may_read(actor, s.po)]


def _may_read(actor: User, po: PurchaseOrder) -> bool:
    return actor.role is not Role.FACILITATOR or actor.trust_id == po.trust_id


def open_for_booking(
    ctx: Context, uow: PurchasingStores, actor: User, venue_id: int, first_day: date
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
    ctx: Context,
    uow: PurchasingStores,
    actor: User,
    po_id: int,
    changes: Mapping[str, Any],
    seen: str | None = None,
) -> PurchaseOrderStatement:
    """Change a PO's value, dates or venue (`changes` by field name). Never so that it stops
    covering what is booked on it: not below what is committed, and not so that a chargeable
    session on it falls outside its dates or venue (every later run would refuse its month).
    `seen` (a form's) is the version the editor read: if the PO has changed since, nothing is
    changed, so one person's edit never silently undoes another's."""
    actor.require(Role.FINANCE, Role.ADMIN)
    with uow:
        po = uow.purchase_orders.get(po_id, for_update=True)
        if po is None:
            raise NotFound(f"There is no purchase order {po_id}.")
        if seen is not None and version_of(po) != seen:
            raise StaleVersion(
                f"PO {po.number} has changed since you read it: read it again, then change it."
            )
        if "venue_id" in changes:
            get_venue(uow, changes["venue_id"])
        amended = replace(po, **changes)  # checks the dates and value as a new PO's
        committed = uow.bookings.committed_pence(po_id)
        if amended.approved_value_pence < committed:
            raise PurchaseOrderCommitted(
                f"PO {po.number} already has {format_pounds(committed)} committed; "
                "its value cannot go below that.",
                field="approved_value_pence",
            )
        _ensure_still_covers(uow, amended, changes)
        uow.purchase_orders.update(amended)
        was = {name: getattr(po, name) for name in changes}
        uow.audit.record(
            AuditEvent(
                ctx.clock.now(),
                actor.label,
                "amended",
                "purchase_order",
                po_id,
                {"from": _plain(was), "to": _plain(changes)},
            )
        )
        uow.commit()
    return statement(uow, po_id)


@dataclass(frozen=True)
class CoveredBooking:
    series: BookingSeries
    sessions: list[Session]  # those of its sessions the PO covers, in date order


def covered_bookings(
    ctx: Context, uow: PurchasingStores, actor: User, po_id: int
) -> list[CoveredBooking]:
    """The bookings drawing on a PO, each with the sessions on it (cancelled ones too, which
    no longer count against it), for whoever may read the PO."""
    read_statement(ctx, uow, actor, po_id)
    with uow:
        return [
            CoveredBooking(series, sorted(on_it, key=lambda s: s.slot.start))
            for series in uow.bookings.find(purchase_order_id=po_id)
            for on_it in [[s for s in series.sessions if s.purchase_order_id == po_id]]
            if on_it
        ]


def _plain(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items()}


def _ensure_still_covers(
    uow: PurchasingStores, po: PurchaseOrder, changes: Mapping[str, Any]
) -> None:
    """Refuse, naming them, the chargeable sessions on the PO that its new dates or venue
    would leave outside it."""
    if not changes.keys() & _WORDS.keys():
        return
    stranded = sorted(
        s.local_date
        for series in uow.bookings.find(purchase_order_id=po.id)
        for venue_id in [get_room(uow, series.room_id).venue_id]
        for s in series.sessions
        if s.purchase_order_id == po.id and s.chargeable and not po.covers(s.local_date, venue_id)
    )
    if stranded:
        days = ", ".join(spoken_date(day) for day in stranded[:5])
        more = f" and {len(stranded) - 5} more" if len(stranded) > 5 else ""
        field = next(f for f in ("venue_id", "valid_from", "valid_to") if f in changes)
        raise PurchaseOrderCommitted(
            f"PO {po.number} covers sessions booked on {days}{more}: the change to its "
            f"{_WORDS[field]} would leave them without a PO. Move them to another PO first.",
            field=field,
            sessions=[day.isoformat() for day in stranded],
        )


_WORDS = {"venue_id": "venue", "valid_from": "start date", "valid_to": "end date"}


def draw_on(
    uow: Commitments,
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

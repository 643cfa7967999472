"""Lists for people who use spreadsheets: bookings (a row per session) and invoices (a row per
invoice or credit note), with the same filters as the lists, as CSV or as an Excel workbook.
Sums of money are Money (numbers in pounds in a workbook) so a column adds up to the total;
dates are dates; nothing in them runs as a formula."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from service.domain.bookings import Session
from service.domain.spreadsheets import XLSX, Money, as_csv
from service.domain.timeslots import LONDON, Interval
from service.domain.users import User
from service.ports.ledger import InvoiceQuery
from service.ports.unit_of_work import (
    WithBookings,
    WithInvoices,
    WithPurchaseOrders,
    WithRooms,
    WithVenues,
)
from service.usecases.booking import own_bookings_only
from service.usecases.context import Context
from service.usecases.finance_overview import OverviewStores, matching_invoices


class DownloadStores(
    WithVenues,
    WithRooms,
    WithBookings,
    WithPurchaseOrders,
    WithInvoices,
    Protocol,
):
    """The stores the downloads read."""


class Format(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


MEDIA_TYPES = {Format.CSV: "text/csv", Format.XLSX: XLSX}
Rows = list[list[object]]


@dataclass(frozen=True)
class Download:
    content: bytes
    media_type: str
    filename: str


def as_download(ctx: Context, title: str, rows: Rows, format: Format) -> Download:
    """The table (its header first) as a file named after `title`."""
    content = (
        as_csv(rows).encode() if format is Format.CSV else ctx.spreadsheets.workbook(title, rows)
    )
    name = title.lower().replace(" ", "-")
    return Download(content, MEDIA_TYPES[format], f"{name}.{format.value}")


BOOKING_COLUMNS: list[object] = [
    "booking",
    "group",
    "venue",
    "room",
    "date",
    "starts",
    "ends",
    "status",
    "people expected",
    "purchase order",
    "net (£)",
    "VAT (£)",
    "total (£)",
    "invoiced",
]


def bookings_download(
    ctx: Context,
    uow: DownloadStores,
    actor: User,
    format: Format,
    *,
    room_id: int | None = None,
    held: Interval | None = None,
) -> Download:
    """A row per session of the bookings `GET /bookings` lists for the same filters (with
    `held`, only the sessions starting within it). A session that isn't charged (cancelled in
    time, or by the venue) shows nothing to pay, so the total column adds up to what the
    venue is owed for them."""
    with uow:
        found = uow.bookings.find(
            facilitator_id=own_bookings_only(actor), room_id=room_id, starting_within=held
        )
        rooms = {r.id: r for r in uow.rooms.find()}
        venues = {v.id: v.name for v in uow.venues.all()}
        orders = {po.id: po.number for po in uow.purchase_orders.find()}
        sessions = [
            (series, s)
            for series in found
            for s in series.sessions
            if held is None or held.start <= s.slot.start < held.end
        ]
        invoiced = uow.invoices.charged_session_ids(among=[s.id for _, s in sessions if s.id])
    rows: Rows = [BOOKING_COLUMNS]
    for series, session in sorted(sessions, key=lambda pair: pair[1].slot.start):
        room = rooms[session.room_id]
        rows.append(
            [
                series.id,
                series.group_label,
                venues.get(room.venue_id, ""),
                room.name,
                session.local_date,
                *(f"{t.astimezone(LONDON):%H:%M}" for t in (session.slot.start, session.slot.end)),
                session.status.value.replace("_", " "),
                series.expected_people,
                orders.get(session.purchase_order_id) if session.purchase_order_id else None,
                *_charged(session),
                "yes" if session.id in invoiced else "no",
            ]
        )
    return as_download(ctx, "Bookings", rows, format)


def _charged(session: Session) -> Sequence[Money]:
    if not session.chargeable:
        return [Money(0)] * 3
    return [Money(session.charge.net), Money(session.charge.vat), Money(session.charge.gross)]


INVOICE_COLUMNS: list[object] = [
    "number",
    "kind",
    "venue",
    "trust",
    "purchase order",
    "issued",
    "due",
    "net (£)",
    "VAT (£)",
    "total (£)",
    "status in NHS finance",
    "paid (£)",
    "payment date",
]


def invoices_download(
    ctx: Context, uow: OverviewStores, actor: User, format: Format, query: InvoiceQuery
) -> Download:
    """A row per invoice and credit note the list's query selects (`GET /invoices`, the
    finance invoice list's filters), with its state in the latest export (empty: in none
    yet). Credit notes' sums are negative."""
    found = matching_invoices(ctx, uow, actor, query)
    rows: Rows = [INVOICE_COLUMNS]
    for invoice, state in found:
        rows.append(
            [
                invoice.number,
                invoice.kind.value.replace("_", " "),
                invoice.supplier.name,
                invoice.customer.name,
                invoice.po_number,
                invoice.issue_date,
                invoice.due_date,
                Money(invoice.net_pence),
                Money(invoice.vat_pence),
                Money(invoice.gross_pence),
                state.status.value.replace("_", " ") if state else None,
                Money(state.paid_pence) if state else None,
                state.payment_date if state else None,
            ]
        )
    return as_download(ctx, "Invoices", rows, format)

"""A believable past for the demo, so a fresh install shows the whole money loop: three months
of groups that ran, invoices issued and emailed each month, a late cancellation waived with a
credit note, two finance exports imported (paid, on hold with the owner told, a mis-keyed
number waiting for a person, a lost invoice), and sessions still to come.

Everything is made through the use cases with the clock set to each past moment, exactly as
people would have done it; nothing is written to the database directly."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from service.domain.bookings import BookingRequest, BookingSeries
from service.domain.exports import SBS_AP_COLUMNS
from service.domain.invoicing import DocumentKind, Invoice
from service.domain.purchasing import PurchaseOrder
from service.domain.recurrence import Frequency, Recurrence
from service.domain.timeslots import london_instant
from service.domain.users import Role, User
from service.usecases import booking, invoicing, outbox_worker, reconciliation, status_links
from service.usecases.context import Context
from service.usecases.demo import TRUST, USERS, load_directory
from service.usecases.purchasing import create_purchase_order


class DemoClock:
    """The demo's own clock, moved to each past moment in turn."""

    def __init__(self, now: datetime) -> None:
        self.current = now

    def now(self) -> datetime:
        return self.current


@dataclass(frozen=True)
class Demo:
    keys: dict[str, str]  # each demo person's API key, shown once
    status_link: str  # one venue's status page


@dataclass(frozen=True)
class Group:
    room_id: int
    label: str
    weekday: int  # Monday 0
    start: time
    end: time
    frequency: Frequency
    po: str  # the PO number covering it


GROUPS = (  # the demo directory's rooms 1 (St Michael's), 3 (Harbourside), 4 (Eastfield)
    Group(1, "Tuesday afternoon group", 1, time(13), time(16), Frequency.WEEKLY, "RZZPO0001101"),
    Group(
        3, "Wednesday evening group", 2, time(18), time(20), Frequency.FORTNIGHTLY, "RZZPO0001117"
    ),
    Group(4, "Thursday morning group", 3, time(10), time(12), Frequency.WEEKLY, "RZZPO0001123"),
)


def load_demo(ctx: Context) -> Demo | None:
    """The directory and people, then about three months of history up to now; None when the
    demo is already loaded."""
    now = ctx.clock.now()
    today = now.date()
    first = _months_before(today.replace(day=1), 3)  # the first month that was invoiced
    clock = DemoClock(london_instant(first - timedelta(days=14), time(9)))
    past = replace(ctx, clock=clock)
    keys = load_directory(past, past.new_uow())
    if keys is None:
        return None
    people = _people(ctx)
    finance, facilitator = people[Role.FINANCE], people[Role.FACILITATOR]
    orders = _purchase_orders(past, finance, first, today)
    series = [_book(past, facilitator, group, orders, first, today) for group in GROUPS]
    late = _late_cancellation(past, facilitator, series[0], first)
    months = [_months_before(today.replace(day=1), n) for n in (2, 1, 0)]
    events: list[tuple[datetime, Callable[[], None]]] = [
        (late.at, late.cancel),
        *[(london_instant(m, time(9)), _invoice_run(past, finance, m)) for m in months],
        (london_instant(months[0] + timedelta(days=2), time(11)), _waiver(past, finance, late)),
        (london_instant(months[0] + timedelta(days=20), time(15)), _export(past, finance, 1)),
        (now - timedelta(days=2), _export(past, finance, 2)),
    ]
    for at, happen in sorted(events, key=lambda event: event[0]):
        if at < now:
            clock.current = at
            happen()
            outbox_worker.deliver_due(past, batch=100)  # the outbox worker, as `make run` runs it
    link = status_links.create_link(ctx, ctx.new_uow(), finance, 1)
    return Demo(keys, f"{ctx.public_url}/status/{link.token}")


def _months_before(month: date, n: int) -> date:
    year, index = divmod(month.year * 12 + month.month - 1 - n, 12)
    return date(year, index + 1, 1)


def _people(ctx: Context) -> dict[Role, User]:
    with ctx.new_reader() as reader:
        found = [reader.users.by_email(email) for email, _ in USERS]
    return {user.role: user for user in found if user}


def _purchase_orders(ctx: Context, finance: User, first: date, today: date) -> dict[str, int]:
    """One PO per venue, raised a fortnight before the groups start, lasting past today."""
    venue_of = {1: 1, 3: 2, 4: 3}  # room -> venue in the demo directory
    orders = {}
    for group in GROUPS:
        po = PurchaseOrder(
            number=group.po,
            trust_id=1,
            venue_id=venue_of[group.room_id],
            cost_centre="MH4410",
            approved_value_pence=500_000,
            valid_from=first - timedelta(days=14),
            valid_to=today + timedelta(days=200),
        )
        made = create_purchase_order(ctx, ctx.new_uow(), finance, po)
        orders[group.po] = made.po.id or 0
    return orders


def _book(
    ctx: Context,
    facilitator: User,
    group: Group,
    orders: dict[str, int],
    first: date,
    today: date,
) -> BookingSeries:
    """A group from the first demo month until some weeks from now (bank holidays and the
    hall's Christmas closure skipped)."""
    start = first + timedelta(days=(group.weekday - first.weekday()) % 7)
    request = BookingRequest(
        room_id=group.room_id,
        facilitator_id=facilitator.id or 0,
        group_label=group.label,
        recurrence=Recurrence(
            first_date=start,
            frequency=group.frequency,
            until=today + timedelta(weeks=8),
        ),
        start_time=group.start,
        end_time=group.end,
        purchase_order_id=orders[group.po],
    )
    return booking.book(ctx, ctx.new_uow(), facilitator, request)


@dataclass(frozen=True)
class LateCancellation:
    at: datetime
    cancel: Callable[[], None]
    session_id: int


def _late_cancellation(
    ctx: Context, facilitator: User, series: BookingSeries, first: date
) -> LateCancellation:
    """The group's third session, called off the day before: inside the hall's notice period,
    so still charged, until finance asks the hall to waive it."""
    session = [s for s in series.sessions if s.local_date >= first][2]
    assert session.id is not None
    session_id = session.id

    def cancel() -> None:
        booking.cancel_one(ctx, ctx.new_uow(), facilitator, session_id)

    return LateCancellation(session.slot.start - timedelta(hours=24), cancel, session_id)


def _invoice_run(ctx: Context, finance: User, month: date) -> Callable[[], None]:
    """On the first of the month, finance invoices the month before (emailed on issue)."""

    def run() -> None:
        invoicing.issue_invoices(ctx, ctx.new_uow(), finance, month - timedelta(days=1))

    return run


def _waiver(ctx: Context, finance: User, late: LateCancellation) -> Callable[[], None]:
    def waive() -> None:
        invoicing.waive_late_cancellation(ctx, ctx.new_uow(), finance, late.session_id)

    return waive


def _export(ctx: Context, finance: User, which: int) -> Callable[[], None]:
    """The accounts-payable report finance downloads from SBS and imports."""

    def import_it() -> None:
        invoices = invoicing.list_invoices(ctx, ctx.new_reader(), finance, None)
        rows = [row for invoice in invoices if (row := _ap_row(invoice, which)) is not None]
        data = _csv(rows)
        name = f"sbs-ap-report-{ctx.clock.now():%Y-%m-%d}.csv"
        reconciliation.import_finance_export(
            ctx, ctx.new_uow(), finance, data, name, "sbs-oracle-ap"
        )

    return import_it


def _ap_row(invoice: Invoice, which: int) -> list[str] | None:
    """How SBS has each invoice issued so far in the `which`th export: the hall's first paid
    (in the second), the café's first keyed with a letter O for a zero, the centre's on hold
    until the sessions are receipted, and the centre's second never arrived."""
    supplier = {1: "4400101", 2: "4400117", 3: "4400123"}[invoice.venue_id]
    number, order = invoice.number, int(invoice.number[-4:])
    if invoice.venue_id == 3 and order == 2:
        return None  # lost in the post room: no export ever shows it
    status, approval, hold, paid, paid_on, payment = "Validated", "Approved", "", "", "", ""
    if invoice.venue_id == 2 and order == 1:
        number = number[:-3] + "O" + number[-2:]  # 0001 keyed as O001: a person must confirm
    if invoice.venue_id == 3:
        status, approval, hold = "Needs Revalidation", "Required", "QTY REC"
    if invoice.venue_id == 1 and invoice.kind is DocumentKind.INVOICE and order == 1 and which == 2:
        paid, paid_on, payment = _pounds(invoice.gross_pence), _day(invoice.due_date), "7713388"
    return [
        TRUST.business_unit or "",
        supplier,
        invoice.supplier.name.upper(),
        "MAIN",
        number,
        _day(invoice.issue_date),
        _pounds(invoice.gross_pence),
        "GBP",
        invoice.po_number,
        status,
        approval,
        hold,
        "Quantity billed exceeds quantity received" if hold else "",
        _day(invoice.issue_date + timedelta(days=3)) if hold else "",
        _day(invoice.due_date),
        paid,
        paid_on,
        payment,
    ]


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(SBS_AP_COLUMNS)
    writer.writerows(rows)
    return out.getvalue().encode()


def _pounds(pence: int) -> str:
    sign = "-" if pence < 0 else ""
    return f"{sign}{abs(pence) // 100}.{abs(pence) % 100:02d}"


def _day(day: date) -> str:
    return f"{day:%d-%b-%Y}".upper()

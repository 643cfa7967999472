"""How promptly the NHS pays the venues: the Better Payment Practice Code measure (the share
of valid invoices paid within 30 days of receipt, or by their due date if later, by number
and by value, against a 95% target) per financial year and per month within it, and what is
still owed by age."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from service.domain.exports import FinanceStatus
from service.domain.financial_years import FinancialYear
from service.domain.reconciliation import InvoiceState, IssuedInvoice
from service.domain.spreadsheets import Money

BPPC_DAYS = 30
TARGET_PERCENT = Decimal(95)
AGE_BANDS = (("0-30", 30), ("31-60", 60), ("61-90", 90), ("90+", None))  # days, up to
SETTLED = (FinanceStatus.PAID, FinanceStatus.CANCELLED, FinanceStatus.REJECTED)
SCOPES = ("trust", "venue")

Pair = tuple[IssuedInvoice, InvoiceState | None]


@dataclass(frozen=True)
class Bppc:
    paid: int = 0
    on_time: int = 0
    paid_pence: int = 0
    on_time_pence: int = 0

    @property
    def count_percent(self) -> Decimal | None:
        return _percent(self.on_time, self.paid)

    @property
    def value_percent(self) -> Decimal | None:
        return _percent(self.on_time_pence, self.paid_pence)

    @property
    def meets_target(self) -> bool | None:
        """None while nothing has been paid: there is nothing to measure."""
        if self.count_percent is None or self.value_percent is None:
            return None
        return min(self.count_percent, self.value_percent) >= TARGET_PERCENT


@dataclass(frozen=True)
class AgedBand:
    days: str
    count: int
    pence: int


@dataclass(frozen=True)
class Performance:
    """One row: a trust's or a venue's figure for the financial year (its `aged` is what is
    owed as at today), or for one month of it ("trust-month", "venue-month": no `aged`)."""

    scope: str
    id: int
    name: str
    bppc: Bppc
    aged: tuple[AgedBand, ...]
    year: FinancialYear
    month: date | None = None  # a month's row: the month's first day


@dataclass(frozen=True)
class Report:
    year: FinancialYear
    years: tuple[FinancialYear, ...]  # those anything was paid in, and the current one
    rows: list[Performance]


def report(
    invoices: Iterable[IssuedInvoice],
    states: dict[int, InvoiceState],
    names: dict[tuple[str, int], str],
    today: date,
    year: FinancialYear | None = None,
) -> Report:
    """The figures for `year` (the current financial year by default), and the years that
    could be asked for instead, newest first."""
    invoices = list(invoices)
    current = FinancialYear.of(today)
    paid = {FinancialYear.of(day) for i in invoices if (day := paid_on(i, states.get(i.id)))}
    chosen = year or current
    rows = performance(invoices, states, names, today, chosen)
    return Report(chosen, tuple(sorted(paid | {current}, reverse=True)), rows)


def performance(
    invoices: Iterable[IssuedInvoice],
    states: dict[int, InvoiceState],
    names: dict[tuple[str, int], str],
    today: date,
    year: FinancialYear,
) -> list[Performance]:
    """Per trust, then per venue, for the year (every trust and venue with an invoice); then
    per trust and per venue, for each month of the year (those with an invoice paid in it).
    An invoice is measured in the month it was paid in."""
    pairs = [(invoice, states.get(invoice.id)) for invoice in invoices]
    rows = []
    for scope in SCOPES:
        for key, group in _grouped(pairs, scope):
            name = names.get((scope, key), f"{scope} {key}")
            bppc = _bppc(group, year.__contains__)
            rows.append(Performance(scope, key, name, bppc, _aged(group, today), year))
    paid_in_year = [(i, s) for i, s in pairs if (day := paid_on(i, s)) and day in year]
    for scope in SCOPES:
        for key, group in _grouped(paid_in_year, scope):
            name = names.get((scope, key), f"{scope} {key}")
            rows += [
                Performance(f"{scope}-month", key, name, _bppc(group, _in(month)), (), year, month)
                for month in year.months
            ]
    return rows


def _grouped(pairs: list[Pair], scope: str) -> list[tuple[int, list[Pair]]]:
    groups: dict[int, list[Pair]] = {}
    for invoice, state in pairs:
        key = invoice.trust_id if scope == "trust" else invoice.venue_id
        groups.setdefault(key, []).append((invoice, state))
    return sorted(groups.items())


def _in(month: date) -> Callable[[date], bool]:
    return lambda day: (day.year, day.month) == (month.year, month.month)


def received_on(invoice: IssuedInvoice) -> date:
    """When the trust's accounts payable received it: the day Roomhire emailed it, or, if
    Roomhire never did (it was posted or handed over), its invoice date. Never the day an
    export first showed it, which would start the clock late."""
    return invoice.sent_on or invoice.issue_date


def paid_on(invoice: IssuedInvoice, state: InvoiceState | None) -> date | None:
    """The payment date of a valid invoice that has been paid: not a credit note, and not
    cancelled or rejected (their status is not paid)."""
    if invoice.amount_pence <= 0 or state is None or state.status is not FinanceStatus.PAID:
        return None
    return state.payment_date


def paid_in_time(invoice: IssuedInvoice, paid: date) -> bool:
    """Within 30 days of receipt, or by the agreed due date if that is later."""
    return paid <= max(received_on(invoice) + timedelta(days=BPPC_DAYS), invoice.due_date)


def _bppc(group: list[Pair], counted: Callable[[date], bool]) -> Bppc:
    paid, on_time, paid_pence, on_time_pence = 0, 0, 0, 0
    for invoice, state in group:
        day = paid_on(invoice, state)
        if day is None or not counted(day):
            continue
        in_time = paid_in_time(invoice, day)
        paid, paid_pence = paid + 1, paid_pence + invoice.amount_pence
        on_time, on_time_pence = on_time + in_time, on_time_pence + invoice.amount_pence * in_time
    return Bppc(paid, on_time, paid_pence, on_time_pence)


def still_owed(invoice: IssuedInvoice, state: InvoiceState | None) -> int:
    """The amount less what has been paid of it, on what is neither paid, cancelled nor
    rejected (a credit note's is negative: it reduces what is owed), as the finance
    overview's aged debt counts it."""
    if state is not None and state.status in SETTLED:
        return 0
    return invoice.amount_pence - (state.paid_pence if state else 0)


def _aged(group: list[Pair], today: date) -> tuple[AgedBand, ...]:
    owed = [(i.issue_date, pence) for i, s in group if (pence := still_owed(i, s))]
    counts = aged_debt(((day, 1) for day, _ in owed), today)
    return tuple(
        AgedBand(label, count, pence)
        for (label, _), count, pence in zip(AGE_BANDS, counts, aged_debt(owed, today), strict=True)
    )


def age_band(day: date, today: date) -> int:
    """Which of AGE_BANDS something dated `day` is in on `today` (later days in the first)."""
    age = (today - day).days
    return next(n for n, (_, most) in enumerate(AGE_BANDS) if most is None or age <= most)


def aged_debt(owed: Iterable[tuple[date, int]], today: date) -> tuple[int, ...]:
    """What is owed, by AGE_BANDS, from each open invoice's date and the amount still owed."""
    bands = [0] * len(AGE_BANDS)
    for day, pence in owed:
        bands[age_band(day, today)] += pence
    return tuple(bands)


def _percent(part: int, whole: int) -> Decimal | None:
    if whole == 0:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"))


def table(report: list[Performance]) -> list[list[object]]:
    """The report as a spreadsheet's rows, the header first: sums of money as Money (plain
    pounds in CSV), a figure that can't be worked out (nothing paid yet) as an empty cell,
    and a month's rows with no aged columns (what is owed is as at today, not per month)."""
    header: list[object] = [
        "scope",
        "id",
        "name",
        "financial year",
        "month",
        "paid",
        "paid within 30 days",
        "% by count",
        "% by value",
        f"meets {TARGET_PERCENT}% target",
        *(f"unpaid {days} days ({what})" for days, _ in AGE_BANDS for what in ("count", "£")),
    ]
    rows: list[list[object]] = [
        [
            p.scope,
            p.id,
            p.name,
            p.year.label,
            p.month and f"{p.month:%Y-%m}",
            p.bppc.paid,
            p.bppc.on_time,
            p.bppc.count_percent,
            p.bppc.value_percent,
            None if p.bppc.meets_target is None else "yes" if p.bppc.meets_target else "no",
            *(cell for band in p.aged for cell in (band.count, Money(band.pence))),
        ]
        for p in report
    ]
    return [header, *rows]

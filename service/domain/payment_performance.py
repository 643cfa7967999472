"""How promptly the NHS pays the venues: the Better Payment Practice Code measure (share of
invoices paid within 30 days of receipt, by count and by value) and aged unpaid invoices."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from service.domain.exports import FinanceStatus
from service.domain.reconciliation import InvoiceState, IssuedInvoice
from service.domain.spreadsheets import Money

BPPC_DAYS = 30
TARGET_PERCENT = Decimal(95)
AGE_BANDS = (("0-30", 30), ("31-60", 60), ("61-90", 90), ("90+", None))  # days, up to
SETTLED = (FinanceStatus.PAID, FinanceStatus.CANCELLED, FinanceStatus.REJECTED)


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
    scope: str  # "trust" or "venue"
    id: int
    name: str
    bppc: Bppc
    aged: tuple[AgedBand, ...]


def performance(
    invoices: Iterable[IssuedInvoice],
    states: dict[int, InvoiceState],
    names: dict[tuple[str, int], str],
    today: date,
) -> list[Performance]:
    """Per trust, then per venue. Credit notes don't count; an invoice counts from the day
    the NHS received it (emailed, or first seen in an export)."""
    received = [
        (invoice, states.get(invoice.id))
        for invoice in invoices
        if invoice.amount_pence > 0 and _received_on(invoice, states.get(invoice.id))
    ]
    report = []
    for scope in ("trust", "venue"):
        groups: dict[int, list[tuple[IssuedInvoice, InvoiceState | None]]] = {}
        for invoice, state in received:
            key = invoice.trust_id if scope == "trust" else invoice.venue_id
            groups.setdefault(key, []).append((invoice, state))
        for key, group in sorted(groups.items()):
            name = names.get((scope, key), f"{scope} {key}")
            report.append(Performance(scope, key, name, _bppc(group), _aged(group, today)))
    return report


def _received_on(invoice: IssuedInvoice, state: InvoiceState | None) -> date | None:
    return (state.received_on if state else None) or invoice.sent_on


def _bppc(group: list[tuple[IssuedInvoice, InvoiceState | None]]) -> Bppc:
    result = Bppc()
    for invoice, state in group:
        if state is None or state.status is not FinanceStatus.PAID or state.payment_date is None:
            continue
        received = _received_on(invoice, state) or state.payment_date
        on_time = (state.payment_date - received).days <= BPPC_DAYS
        result = Bppc(
            paid=result.paid + 1,
            on_time=result.on_time + on_time,
            paid_pence=result.paid_pence + invoice.amount_pence,
            on_time_pence=result.on_time_pence + invoice.amount_pence * on_time,
        )
    return result


def _aged(
    group: list[tuple[IssuedInvoice, InvoiceState | None]], today: date
) -> tuple[AgedBand, ...]:
    counts, pence = [0] * len(AGE_BANDS), [0] * len(AGE_BANDS)
    for invoice, state in group:
        if state and state.status in SETTLED:
            continue
        band = age_band(_received_on(invoice, state) or today, today)
        counts[band] += 1
        pence[band] += invoice.amount_pence
    return tuple(
        AgedBand(label, count, value)
        for (label, _), count, value in zip(AGE_BANDS, counts, pence, strict=True)
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
    pounds in CSV), a figure that can't be worked out (nothing paid yet) as an empty cell."""
    header: list[object] = [
        "scope",
        "id",
        "name",
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

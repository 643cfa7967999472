"""Finance's reports: payment performance (the Better Payment Practice Code figure) for a
financial year, on a page and as CSV or an Excel workbook, both safe to open (nothing in
them runs as a formula)."""

from __future__ import annotations

from service.domain.financial_years import FinancialYear
from service.domain.payment_performance import Report, report, table
from service.domain.timeslots import LONDON
from service.domain.users import Role, User
from service.ports.unit_of_work import UnitOfWork
from service.usecases.context import Context
from service.usecases.downloads import Download, Format, as_download
from service.usecases.reconciliation import ReconciliationStores

PAYMENT_PERFORMANCE = "Payment performance"


def payment_performance(
    ctx: Context, uow: ReconciliationStores, actor: User, year: FinancialYear | None = None
) -> Report:
    """Per trust and per venue, for `year` (the current financial year by default) and for
    each of its months; what is still owed as at today."""
    actor.require(Role.FINANCE, Role.ADMIN)
    with uow:
        ours = uow.reconciliation.issued_invoices()
        states = uow.reconciliation.states()
        names = {("trust", t.id or 0): t.name for t in uow.trusts.all()}
        names |= {("venue", v.id or 0): v.name for v in uow.venues.all()}
    return report(ours, states, names, ctx.clock.now().astimezone(LONDON).date(), year)


def payment_performance_download(
    ctx: Context, uow: UnitOfWork, actor: User, format: Format, year: FinancialYear | None = None
) -> Download:
    """The report as a file named after its year: payment-performance-2026-27.xlsx."""
    found = payment_performance(ctx, uow, actor, year)
    title = f"{PAYMENT_PERFORMANCE} {found.year.label}"
    return as_download(ctx, title, table(found.rows), format)

"""Finance's reports as downloads: the payment-performance report as CSV and as an Excel
workbook, both safe to open (nothing in them runs as a formula)."""

from __future__ import annotations

from service.domain.payment_performance import table
from service.domain.spreadsheets import as_csv
from service.domain.users import User
from service.ports.unit_of_work import UnitOfWork
from service.usecases.context import Context
from service.usecases.reconciliation import payment_performance

PAYMENT_PERFORMANCE = "Payment performance"


def payment_performance_csv(ctx: Context, uow: UnitOfWork, actor: User) -> str:
    return as_csv(table(payment_performance(ctx, uow, actor)))


def payment_performance_workbook(ctx: Context, uow: UnitOfWork, actor: User) -> bytes:
    rows = table(payment_performance(ctx, uow, actor))
    return ctx.spreadsheets.workbook(PAYMENT_PERFORMANCE, rows)

"""Finance's reports as downloads: the payment-performance report as CSV and as an Excel
workbook, both safe to open (nothing in them runs as a formula)."""

from __future__ import annotations

from service.domain.payment_performance import table
from service.domain.users import User
from service.ports.unit_of_work import UnitOfWork
from service.usecases.context import Context
from service.usecases.downloads import Download, Format, as_download
from service.usecases.reconciliation import payment_performance

PAYMENT_PERFORMANCE = "Payment performance"


def payment_performance_download(
    ctx: Context, uow: UnitOfWork, actor: User, format: Format
) -> Download:
    rows = table(payment_performance(ctx, uow, actor))
    return as_download(ctx, PAYMENT_PERFORMANCE, rows, format)

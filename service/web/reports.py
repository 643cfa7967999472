"""Finance's payment-performance report for a financial year: per trust and per venue, the
Better Payment Practice Code figure (paid within 30 days) as a chart and a table, then per
trust for each month; and the same as CSV and as an Excel workbook. The year is chosen in a
GET form (no JavaScript). The charts are SVG images drawn on the server, served on their own
with a Content-Security-Policy that lets their one stylesheet in and nothing else."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, render_template, request
from werkzeug.wrappers import Response as BaseResponse

from service.domain.errors import NotFound, PermissionDenied
from service.domain.financial_years import FinancialYear, NotAFinancialYear
from service.domain.payment_performance import TARGET_PERCENT, Performance, Report
from service.domain.users import Role, User
from service.usecases import reports
from service.usecases.downloads import Format
from service.web.charts import bppc_chart
from service.web.forms import FormErrors
from service.web.pages import attachment, ctx, signed_in, staff_blueprint

blp = staff_blueprint("finance_reports", __name__)
charts = Blueprint("finance_report_charts", __name__)  # images, not pages: their own headers
finance = signed_in(Role.FINANCE, Role.ADMIN)
PAGE = "/finance/reports/payment-performance"


@dataclass(frozen=True)
class Section:
    """One table and chart of the report: by trust, or by venue."""

    scope: str
    heading: str
    rows: list[Performance]

    @property
    def measured(self) -> bool:
        return any(p.bppc.paid for p in self.rows)

    @property
    def alt(self) -> str:
        year = self.rows[0].year.label if self.rows else ""
        return (
            f"Bar chart of the share of invoices paid within 30 days in {year}, by "
            f"{self.scope}, by number and by value, against the {TARGET_PERCENT}% target. "
            "The table below gives the same figures."
        )


def sections(report: list[Performance]) -> list[Section]:
    return [
        Section(scope, heading, [p for p in report if p.scope == scope])
        for scope, heading in (("trust", "By trust"), ("venue", "By venue"))
    ]


def by_month(report: list[Performance]) -> dict[str, list[Performance]]:
    """Each trust's twelve months, by the trust's name."""
    months: dict[str, list[Performance]] = {}
    for p in report:
        if p.scope == "trust-month":
            months.setdefault(p.name, []).append(p)
    return months


def _asked_year() -> FinancialYear | None:
    """The year in the query string (None: the current one); NotAFinancialYear if it isn't."""
    asked = request.args.get("year", "")
    return FinancialYear.parse(asked) if asked else None


def _refused(error: NotAFinancialYear) -> Response:
    """A download or chart asked for with a year that isn't one (only by editing the link)."""
    return Response(str(error), 400, mimetype="text/plain")


def _year_items(found: Report) -> list[dict[str, Any]]:
    """The years offered, newest first, and the one shown (which may not be) selected."""
    years = sorted({*found.years, found.year}, reverse=True)
    return [{"value": y.start, "text": y.label, "selected": y == found.year} for y in years]


@blp.get(PAGE)
@finance
def page(user: User) -> tuple[str, int]:
    errors, year = FormErrors(), None
    try:
        year = _asked_year()
    except NotAFinancialYear:
        errors.add("year", "Select a financial year from the list")
    found = reports.payment_performance(ctx(), ctx().new_reader(), user, year)
    return render_template(
        "staff/reports/payment_performance.html",
        title="Payment performance",
        errors=errors,
        year=found.year,
        year_items=_year_items(found),
        sections=[] if errors else sections(found.rows),
        months=by_month(found.rows),
        target=TARGET_PERCENT,
    ), 400 if errors else 200


def _download(user: User, format: Format) -> Response:
    try:
        year = _asked_year()
    except NotAFinancialYear as error:
        return _refused(error)
    return attachment(
        reports.payment_performance_download(ctx(), ctx().new_reader(), user, format, year)
    )


@blp.get(f"{PAGE}.csv")
@finance
def csv(user: User) -> Response:
    return _download(user, Format.CSV)


@blp.get(f"{PAGE}.xlsx")
@finance
def xlsx(user: User) -> Response:
    return _download(user, Format.XLSX)


@charts.get(f"{PAGE}/<any(trust, venue):scope>.svg")
@finance
def chart(user: User, scope: str) -> Response:
    try:
        year = _asked_year()
    except NotAFinancialYear as error:
        return _refused(error)
    found = reports.payment_performance(ctx(), ctx().new_reader(), user, year)
    [section] = [s for s in sections(found.rows) if s.scope == scope]
    drawn = bppc_chart(section.rows, section.alt)
    styles = " ".join(f"'{h}'" for h in drawn.style_hashes) or "'none'"
    response = Response(drawn.svg, mimetype="image/svg+xml")
    response.headers.update(
        {
            "Content-Security-Policy": (
                f"default-src 'none'; style-src {styles}; base-uri 'none'; "
                "form-action 'none'; frame-ancestors 'none'"
            ),
            "Referrer-Policy": "no-referrer",
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
            "X-Robots-Tag": "noindex, nofollow",
        }
    )
    return response


@charts.errorhandler(PermissionDenied)
def _forbidden(_: PermissionDenied) -> BaseResponse:
    return Response("This chart is not part of your role.", 403, mimetype="text/plain")


@charts.errorhandler(NotFound)
def _not_found(_: NotFound) -> BaseResponse:
    return Response("There is no such chart.", 404, mimetype="text/plain")

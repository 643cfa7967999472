"""Finance's payment-performance report: per trust and per venue, the Better Payment Practice
Code figure (paid within 30 days) as a chart and a table, and the same as CSV and as an Excel
workbook. The charts are SVG images drawn on the server (no JavaScript), served on their own
with a Content-Security-Policy that lets their one stylesheet in and nothing else."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, Response, render_template
from werkzeug.wrappers import Response as BaseResponse

from service.domain.errors import NotFound, PermissionDenied
from service.domain.payment_performance import TARGET_PERCENT, Performance
from service.domain.users import Role, User
from service.usecases import reconciliation, reports
from service.usecases.downloads import Format
from service.web.charts import bppc_chart
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
        return (
            f"Bar chart of the share of invoices paid within 30 days, by {self.scope}, by "
            f"number and by value, against the {TARGET_PERCENT}% target. The table below "
            "gives the same figures."
        )


def sections(report: list[Performance]) -> list[Section]:
    return [
        Section(scope, heading, [p for p in report if p.scope == scope])
        for scope, heading in (("trust", "By trust"), ("venue", "By venue"))
    ]


@blp.get(PAGE)
@finance
def page(user: User) -> str:
    report = reconciliation.payment_performance(ctx(), ctx().new_reader(), user)
    return render_template(
        "staff/reports/payment_performance.html",
        title="Payment performance",
        sections=sections(report),
        target=TARGET_PERCENT,
    )


@blp.get(f"{PAGE}.csv")
@finance
def csv(user: User) -> Response:
    return attachment(
        reports.payment_performance_download(ctx(), ctx().new_reader(), user, Format.CSV)
    )


@blp.get(f"{PAGE}.xlsx")
@finance
def xlsx(user: User) -> Response:
    return attachment(
        reports.payment_performance_download(ctx(), ctx().new_reader(), user, Format.XLSX)
    )


@charts.get(f"{PAGE}/<any(trust, venue):scope>.svg")
@finance
def chart(user: User, scope: str) -> Response:
    report = reconciliation.payment_performance(ctx(), ctx().new_reader(), user)
    [section] = [s for s in sections(report) if s.scope == scope]
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

"""Server-rendered pages for people without an account: a venue's payment status page."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, render_template, request

from service.usecases.context import Context
from service.usecases.status_links import LinkNotFound, Statement, TooManyLookups, open_statement

blp = Blueprint(
    "web",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/status-assets",
)
SECURITY_HEADERS = {
    "Referrer-Policy": "no-referrer",  # the token must not leak to any other site
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex, nofollow",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; "
        "form-action 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
}


def _statement(token: str) -> Statement:
    ctx: Context = current_app.extensions["roomhire"]
    return open_statement(ctx, ctx.new_uow(), token, request.remote_addr or "unknown")


@blp.get("/status/<token>")
def status_page(token: str) -> str:
    statement = _statement(token)
    ctx: Context = current_app.extensions["roomhire"]
    return render_template("status.html", statement=statement, contact=ctx.mail_from)


@blp.get("/status/<token>.json")
def status_json(token: str) -> Response:
    statement = _statement(token)
    return jsonify(
        venue=statement.venue.name,
        invoices=[
            {
                "number": line.number,
                "kind": line.kind.value,
                "issue_date": line.issue_date.isoformat(),
                "po_number": line.po_number,
                "description": line.description,
                "amount_pence": line.amount_pence,
                "status": line.badge.value,
                "words": line.words,
            }
            for line in statement.lines
        ],
    )


@blp.errorhandler(LinkNotFound)
def not_found(_: LinkNotFound) -> tuple[str, int]:
    return render_template("not_found.html"), 404


@blp.errorhandler(TooManyLookups)
def too_many(error: TooManyLookups) -> tuple[str, int, dict[str, Any]]:
    page = render_template("too_many.html", minutes=error.retry_after // 60 + 1)
    return page, 429, {"Retry-After": str(error.retry_after)}


@blp.after_request
def secure(response: Response) -> Response:
    response.headers.update(SECURITY_HEADERS)
    return response

"""What people without an account open from a secret link: a venue's payment status page,
and a person's calendar feed."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from threading import Lock
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, render_template, request
from flask.blueprints import BlueprintSetupState

from service.domain.timeslots import LONDON
from service.domain.venue_status import UPCOMING_SHOWN
from service.usecases.calendar_feeds import open_calendar
from service.usecases.context import Context
from service.usecases.secret_links import LinkNotFound, TooManyLookups
from service.usecases.status_links import Statement, open_link, statement

blp = Blueprint(
    "status",
    __name__,
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


class PageCache:
    """Rendered pages by (venue, data version, format), least recently used dropped first.
    Per worker process; the locks make it safe under threaded workers. A page missing is
    rendered once: requests for it meanwhile wait for that render rather than each making
    their own (a cold page under load made a worker's other requests queue behind them)."""

    def __init__(self, size: int = 256) -> None:
        self.size, self._pages, self._lock = size, OrderedDict[Key, Response](), Lock()
        self._rendering: dict[Key, Lock] = {}

    def get(self, key: Key, render: Callable[[], Response]) -> Response:
        page = self._cached(key)
        if page is None:
            with self._lock:
                rendering = self._rendering.setdefault(key, Lock())
            with rendering:  # one render per page; other pages render meanwhile
                page = self._cached(key)
                if page is None:
                    try:
                        page = render()
                        self._keep(key, page)
                    finally:
                        with self._lock:
                            self._rendering.pop(key, None)
        return Response(page.get_data(), page.status_code, mimetype=page.mimetype)

    def _cached(self, key: Key) -> Response | None:
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def _keep(self, key: Key, page: Response) -> None:
        with self._lock:
            self._pages[key] = page
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)


Key = tuple[int, str, str]


@blp.record_once
def _one_cache_per_app(state: BlueprintSetupState) -> None:
    state.app.extensions["roomhire.pages"] = PageCache()


def _page(token: str, render: Callable[[Statement], Response]) -> Response:
    """The link is checked on every request; the page is rendered again only when the data
    behind it may have changed (the version is part of the key)."""
    ctx: Context = current_app.extensions["roomhire"]
    opened = open_link(ctx, token, request.remote_addr or "unknown")
    key = (opened.venue_id, opened.version, render.__name__)
    pages: PageCache = current_app.extensions["roomhire.pages"]
    return pages.get(key, lambda: render(statement(ctx, ctx.new_reader(), opened.venue_id)))


@blp.get("/status/<token>")
def status_page(token: str) -> Response:
    return _page(token, _html)


@blp.get("/status/<token>.json")
def status_json(token: str) -> Response:
    return _page(token, _json)


@blp.get("/calendar/<token>.ics")
def calendar_feed(token: str) -> Response:
    """A person's own sessions for a calendar app subscribed to their secret address."""
    ctx: Context = current_app.extensions["roomhire"]
    feed = open_calendar(ctx, token, request.remote_addr or "unknown")
    return Response(feed, mimetype="text/calendar")


def _html(statement: Statement) -> Response:
    ctx: Context = current_app.extensions["roomhire"]
    page = render_template(
        "status/status.html",
        statement=statement,
        contact=ctx.mail_from,
        upcoming_shown=UPCOMING_SHOWN,
    )
    return Response(page, mimetype="text/html")


def _json(statement: Statement) -> Response:
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
        bookings=[
            {
                "starts_at": b.start.astimezone(LONDON).isoformat(),
                "ends_at": b.end.astimezone(LONDON).isoformat(),
                "room": b.room,
            }
            for b in statement.upcoming
        ],
    )


@blp.errorhandler(LinkNotFound)
def not_found(_: LinkNotFound) -> tuple[str, int]:
    return render_template("status/not_found.html"), 404


@blp.errorhandler(TooManyLookups)
def too_many(error: TooManyLookups) -> tuple[str, int, dict[str, Any]]:
    page = render_template("status/too_many.html", minutes=error.retry_after // 60 + 1)
    return page, 429, {"Retry-After": str(error.retry_after)}


@blp.after_request
def secure(response: Response) -> Response:
    response.headers.update(SECURITY_HEADERS)
    return response

"""What every staff page shares: who is signed in, role checks, CSRF on every form, security
headers (with a nonce for the design system's one inline script), the design system's assets
served from Roomhire itself, and error pages written for people."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, Concatenate, ParamSpec

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    g,
    make_response,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_wtf.csrf import CSRFError, CSRFProtect

from service.domain.errors import DomainError, NotFound, PermissionDenied
from service.domain.users import Role, User
from service.usecases.context import Context
from service.usecases.downloads import Download
from service.usecases.sign_in import signed_in_user

HERE = Path(__file__).parent
ASSET_FOLDERS = (HERE / "assets", HERE / "static")  # the design system's build, then our own
SESSION_COOKIE = "roomhire_session"
csrf = CSRFProtect()
P = ParamSpec("P")
View = Callable[Concatenate[User, P], Any]


def ctx() -> Context:
    context: Context = current_app.extensions["roomhire"]
    return context


def init_app(app: Flask) -> None:
    csrf.init_app(app)
    app.add_url_rule("/assets/<path:filename>", "asset", _asset)
    app.context_processor(lambda: {"cspNonce": nonce(), "person": person(), "navigation": _menu()})


_FINANCE = [
    ("Work to do", "/finance"),
    ("Invoices", "/finance/invoices"),
    ("Issue invoices", "/finance/invoice-runs/new"),
    ("Imports", "/finance/imports"),
    ("Purchase orders", "/finance/purchase-orders"),
    ("Venues", "/finance/venues"),
    ("Reconciliation", "/finance/reconciliation"),
    ("Payment performance", "/finance/reports/payment-performance"),
]
MENUS = {
    Role.FACILITATOR: [("My bookings", "/bookings"), ("Find a room", "/rooms")],
    Role.FINANCE: _FINANCE,
    Role.ADMIN: [*_FINANCE, ("Admin", "/admin")],
}


def _menu() -> list[dict[str, Any]]:
    """The header's links for the signed-in person's role, the current one marked."""
    user = person() if request.blueprint != "status" else None
    return [
        {"text": text, "href": href, "current": request.path == href}
        for text, href in (MENUS.get(user.role, []) if user else [])
    ]


def _asset(filename: str) -> Response:
    for folder in ASSET_FOLDERS:
        if (folder / filename).is_file():
            return send_from_directory(folder, filename, max_age=3600)
    abort(404)


def staff_blueprint(name: str, import_name: str) -> Blueprint:
    """A blueprint of staff pages: forms checked for CSRF, headers set, errors as pages."""
    blp = Blueprint(name, import_name)
    blp.before_request(_check_form)
    blp.after_request(_secure)
    blp.register_error_handler(CSRFError, _form_expired)
    blp.register_error_handler(NotFound, _not_found)
    blp.register_error_handler(PermissionDenied, _forbidden)
    blp.register_error_handler(DomainError, _refused)
    return blp


def person() -> User | None:
    """Who is signed in on this request, if anyone."""
    if "person" not in g:
        secret = request.cookies.get(SESSION_COOKIE)
        g.person = signed_in_user(ctx(), secret) if secret else None
    user: User | None = g.person
    return user


def signed_in(*roles: Role) -> Callable[[View[P]], Callable[P, Any]]:
    """The view gets the signed-in person first; anyone else is sent to sign in, and a
    person without one of `roles` (when given) gets a page saying so (403)."""

    def wrap(view: View[P]) -> Callable[P, Any]:
        @wraps(view)
        def page(*args: P.args, **kwargs: P.kwargs) -> Any:
            user = person()
            if user is None:
                wanted = request.full_path if request.method == "GET" else None
                return redirect(url_for("sign_in.start", next=wanted))
            if roles and user.role not in roles:
                raise PermissionDenied("This page is not part of your role.")
            return view(user, *args, **kwargs)

        return page

    return wrap


def attachment(download: Download) -> Response:
    """A file to save, named for what it holds."""
    response = Response(download.content, mimetype=download.media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{download.filename}"'
    return response


def nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    value: str = g.csp_nonce
    return value


def _check_form() -> None:
    if request.method == "POST":
        csrf.protect()


def _secure(response: Response) -> Response:
    response.headers.update(
        {
            "Content-Security-Policy": (
                f"default-src 'none'; script-src 'self' 'nonce-{nonce()}'; style-src 'self'; "
                "img-src 'self'; manifest-src 'self'; connect-src 'self'; form-action 'self'; "
                "base-uri 'none'; frame-ancestors 'none'"
            ),
            "Referrer-Policy": "no-referrer",  # sign-in links must not leak to other sites
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
            "X-Frame-Options": "DENY",
            "X-Robots-Tag": "noindex, nofollow",
        }
    )
    return response


def _form_expired(_: CSRFError) -> tuple[str, int]:
    return render_template("staff/form_expired.html"), 400


def _not_found(_: Exception) -> tuple[str, int]:
    return render_template("staff/not_found.html"), 404


def page_not_found(error: Exception) -> Response:
    """For an address that is no page at all (outside the API), as people see it."""
    return _secure(make_response(_not_found(error)))


def _forbidden(_: PermissionDenied) -> tuple[str, int]:
    return render_template("staff/forbidden.html"), 403


def _refused(error: DomainError) -> tuple[str, int]:
    """A use case said no to something no form field explains (e.g. already cancelled)."""
    return render_template("staff/refused.html", message=error.message), 409

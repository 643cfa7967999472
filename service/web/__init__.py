"""Server-rendered pages: a venue's status page (secret link, no account), and the staff pages
in the NHS.UK design system, behind sign-in. Forms and HTML errors live here, never
problem+json; every decision comes from the use cases, as for the API."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from jinja2 import ChainableUndefined, ChoiceLoader, FileSystemLoader, PackageLoader

from service.web import (
    account,
    admin,
    admin_people,
    booking_changes,
    facilitator,
    finance,
    finance_venues,
    formatting,
    invoice_actions,
    pages,
    purchase_orders,
    reconciliation,
    reports,
    sign_in,
    venue_status,
)

HERE = Path(__file__).parent


def init_app(app: Flask, *, secure_cookies: bool) -> None:
    app.jinja_options = {
        # the NHS.UK macros read optional parameters through chains of undefined values
        "undefined": ChainableUndefined,
        "loader": ChoiceLoader(
            [
                FileSystemLoader(HERE / "templates"),
                app.create_global_jinja_loader(),  # blueprints' own, e.g. the API docs page
                PackageLoader("nhsuk_frontend_jinja"),
            ]
        ),
        "autoescape": True,
    }
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure_cookies,
        WTF_CSRF_CHECK_DEFAULT=False,  # the API authenticates by header; pages check in pages.py
        WTF_CSRF_TIME_LIMIT=None,  # a form lives as long as the signed-in session
    )
    formatting.init_app(app)
    pages.init_app(app)
    app.register_blueprint(venue_status.blp)
    for module in (
        sign_in,
        facilitator,
        booking_changes,
        finance,
        invoice_actions,
        account,
        admin,
        admin_people,
        purchase_orders,
        finance_venues,
        reconciliation,
        reports,
    ):
        app.register_blueprint(module.blp)
    app.register_blueprint(reports.charts)

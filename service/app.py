"""The composition root: the one place that picks adapters and wires them to the ports."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from flask import Flask, request
from flask.typing import ResponseReturnValue
from sqlalchemy import Engine
from werkzeug.exceptions import NotFound
from werkzeug.middleware.proxy_fix import ProxyFix

from adapters.auth.oidc import OidcProvider
from adapters.calendar.bank_holidays import UkBankHolidays
from adapters.calendar.ics import IcsWriter
from adapters.clock import SystemClock
from adapters.db.engine import make_engine, make_session_factory
from adapters.db.migrate import upgrade
from adapters.db.unit_of_work import SqlAlchemyUnitOfWork
from adapters.einvoice.access_point_http import HttpAccessPoint
from adapters.einvoice.folder_access_point import FolderAccessPoint
from adapters.einvoice.ubl import UblWriter
from adapters.email.file_notifier import FileNotifier
from adapters.email.file_outbox import FileMailer
from adapters.email.notify import NotifyClient
from adapters.email.smtp import SmtpMailer, SmtpSettings
from adapters.email.texts import TemplateEmailTexts
from adapters.exports.profiles import Profiles
from adapters.pdf.preview import PdfiumPreviews
from adapters.pdf.weasyprint_renderer import WeasyPrintRenderer
from adapters.spreadsheets.xlsx import OpenpyxlSpreadsheets
from service import api, web
from service.config import Config
from service.ports.accounts import IdentityProvider
from service.ports.clock import Clock
from service.ports.delivery import Mailer, Notifier
from service.ports.einvoice_delivery import AccessPoint
from service.usecases.context import Context


def upgrade_database(config: Config) -> None:
    upgrade(config.database_url)


def context_for(config: Config) -> Context:
    """For the CLI: the same wiring as the app, without Flask; `close` lets go of the
    database connections."""
    engine = make_engine(config.database_url)
    return replace(_context(config, engine), close=engine.dispose)


def _context(config: Config, engine: Engine, clock: Clock | None = None) -> Context:
    sessions = make_session_factory(engine)
    readers = make_session_factory(engine, read_only=True)
    return Context(
        new_uow=lambda: SqlAlchemyUnitOfWork(sessions),
        new_reader=lambda: SqlAlchemyUnitOfWork(readers),
        clock=clock or SystemClock(),
        holidays=UkBankHolidays(),
        calendar=IcsWriter(),
        renderer=WeasyPrintRenderer(config.template_dir, config.pdf_processes),
        einvoices=UblWriter(),
        previews=PdfiumPreviews(),
        mailer=_mailer(config),
        emails=TemplateEmailTexts(config.template_dir / "emails"),
        notifier=_notifier(config),
        access_point=_access_point(config),
        mail_from=config.mail_from,
        exports=Profiles(config.profiles_dir),
        lost_after=timedelta(days=config.lost_after_days),
        public_url=config.public_url,
        status_link_lifetime=timedelta(days=config.status_link_days),
        spreadsheets=OpenpyxlSpreadsheets(),
        identity=_identity(config),
        import_time_limit=config.import_time_limit,
    )


def _identity(config: Config) -> IdentityProvider | None:
    if config.oidc is None:
        return None
    o = config.oidc
    return OidcProvider(o.issuer, o.client_id, o.client_secret, o.email_claim)


def _notifier(config: Config) -> Notifier:
    if config.notify is None:
        return FileNotifier(config.data_dir / "notifications.jsonl")
    n = config.notify
    return NotifyClient(n.api_key, n.templates, n.base_url)


def _access_point(config: Config) -> AccessPoint:
    if config.access_point is None:
        return FolderAccessPoint(config.peppol_outbox_dir)
    return HttpAccessPoint(config.access_point.base_url, config.access_point.api_key)


def _mailer(config: Config) -> Mailer:
    if config.smtp is None:
        return FileMailer(config.outbox_dir)
    return SmtpMailer(SmtpSettings(**vars(config.smtp)))


def _not_found(error: NotFound) -> ResponseReturnValue:
    """An unknown address: a problem+json body under /api, a page for people elsewhere."""
    if request.path.startswith("/api/"):
        return api.problems.problem(404, "not_found", error.description or "Not Found")
    return web.pages.page_not_found(error)


def create_app(config: Config | None = None, *, clock: Clock | None = None) -> Flask:
    config = config or Config.from_env()
    app = Flask("roomhire")
    app.config.update(SECRET_KEY=config.secret_key, MAX_CONTENT_LENGTH=1024 * 1024)
    engine = make_engine(config.database_url)
    app.extensions["roomhire.engine"] = engine
    app.extensions["roomhire"] = _context(config, engine, clock)
    api.init_app(app)
    web.init_app(app, secure_cookies=config.public_url.startswith("https://"))
    app.register_error_handler(NotFound, _not_found)
    if config.trusted_proxies:  # the client address (rate limits) is the one the proxy saw
        hops = config.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    return app

"""The `roomhire` command: thin, like the API — it parses, calls a use case, prints."""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import BinaryIO

import click

from service.app import context_for, upgrade_database
from service.config import Config, ConfigError
from service.domain.errors import DomainError
from service.domain.financial_years import FinancialYear, NotAFinancialYear
from service.domain.money import format_pounds
from service.domain.payment_performance import table
from service.domain.spreadsheets import as_csv
from service.domain.timeslots import spoken_date
from service.domain.users import OPERATOR, Role
from service.usecases.accounts import create_user, list_users, new_key, set_active
from service.usecases.context import Context
from service.usecases.demo_history import load_demo
from service.usecases.invoicing import issue_invoices
from service.usecases.outbox_worker import run_worker
from service.usecases.reconciliation import ImportOutcome, import_finance_export
from service.usecases.reports import payment_performance
from service.usecases.sign_in import sign_in_link
from service.usecases.status_links import create_link

"""Whoever can run the command on the server acts with admin rights; the audit says 'cli'."""


def _config() -> Config:
    try:
        return Config.from_env()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc


def _context() -> Context:
    """The wiring for this command, let go of when the command ends."""
    context = context_for(_config())
    click.get_current_context().call_on_close(context.close)
    return context


class _Roomhire(click.Group):
    """A use case's refusal (unknown venue, duplicate email…) is a one-line message."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except DomainError as exc:
            raise click.ClickException(exc.message) from exc


@click.group(cls=_Roomhire)
def main() -> None:
    """Roomhire: community room hire for NHS group work."""


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply the Alembic migrations up to the newest."""
    config = _config()
    upgrade_database(config)
    click.echo(f"Database is at the newest schema ({config.database_url.split('@')[-1]}).")


@main.command()
def demo() -> None:
    """Load invented demo data with three months of history, and print the demo people's API
    keys (once) and one venue's status link."""
    context = _context()
    loaded = load_demo(context)
    if loaded is None:
        click.echo("Demo data is already loaded; its API keys were printed when it was loaded.")
        click.echo("Make a new key with: roomhire users new-key EMAIL")
        return
    click.echo("Demo data loaded, with three months of bookings, invoices and payments.")
    click.echo("API keys (shown only now; keep them):")
    for email, key in loaded.keys.items():
        click.echo(f"  {email:40} {key}")
    click.echo(f"Sign in at {context.public_url}/sign-in with one of these emails: the link")
    click.echo("is emailed to var/outbox/ (or run: roomhire users sign-in-link EMAIL).")
    click.echo("St Michael's Community Hall's payment status page (a venue's private link):")
    click.echo(f"  {loaded.status_link}")


@main.group()
def users() -> None:
    """Staff accounts."""


@users.command("create")
@click.option("--email", required=True)
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--trust", "trust_id", type=click.IntRange(1), help="The trust they work for.")
def users_create(email: str, role: str, trust_id: int | None) -> None:
    """Create a user and print their API key (shown only once)."""
    context = _context()
    user, key = create_user(
        context, context.new_uow(), OPERATOR, email=email, role=Role(role), trust_id=trust_id
    )
    click.echo(f"Created {user.role.value} {user.email} (id {user.id}). API key (shown once):")
    click.echo(key)


@users.command("list")
def users_list() -> None:
    """Every account: id, role, email, trust, and whether its key works."""
    context = _context()
    for user in list_users(context, context.new_uow(), OPERATOR):
        trust = f"trust {user.trust_id}" if user.trust_id else "-"
        state = "active" if user.active else "disabled"
        click.echo(f"{user.id:>5}  {user.role.value:12} {user.email:40} {trust:10} {state}")


@users.command("disable")
@click.argument("email")
def users_disable(email: str) -> None:
    """Stop someone's API key and calendar address (e.g. they left)."""
    _set_active(email, active=False)


@users.command("enable")
@click.argument("email")
def users_enable(email: str) -> None:
    """Let a disabled account's key work again."""
    _set_active(email, active=True)


def _set_active(email: str, *, active: bool) -> None:
    context = _context()
    user = set_active(context, context.new_uow(), OPERATOR, email, active=active)
    click.echo(f"{user.email} is {'active' if user.active else 'disabled'}.")


@users.command("new-key")
@click.argument("email")
def users_new_key(email: str) -> None:
    """Replace a lost or leaked API key; the old one stops at once."""
    context = _context()
    user, key = new_key(context, context.new_uow(), OPERATOR, email)
    click.echo(f"New API key for {user.email} (shown once; the old one no longer works):")
    click.echo(key)


@users.command("sign-in-link")
@click.argument("email")
def users_sign_in_link(email: str) -> None:
    """Print a one-time link to the staff pages for an active account (valid 15 minutes).
    This is how the first admin gets in."""
    link = sign_in_link(_context(), email)
    click.echo(f"Sign-in link for {email.strip().lower()} (works once, for 15 minutes):")
    click.echo(link)


@main.group()
def invoices() -> None:
    """Invoices."""


@invoices.command("issue")
@click.option(
    "--through",
    required=True,
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Invoice sessions held up to this date (YYYY-MM-DD).",
)
@click.option("--venue", "venue_id", type=click.IntRange(1), help="Only this venue.")
def invoices_issue(through: datetime, venue_id: int | None) -> None:
    """Issue every invoice due, as finance would through the API."""
    context = _context()
    report = issue_invoices(context, context.new_uow(), OPERATOR, through.date(), venue_id)
    for invoice in report.issued:
        click.echo(
            f"issued {invoice.number}  PO {invoice.po_number}  "
            f"{format_pounds(invoice.gross_pence)}  ({len(invoice.lines)} sessions)"
        )
    for refusal in report.refused:
        click.echo(f"refused booking {refusal.booking_id}: {refusal.reason}", err=True)
    click.echo(f"{len(report.issued)} issued, {len(report.refused)} refused.")


@main.group()
def outbox() -> None:
    """The email outbox."""


@outbox.command("run")
@click.option("--once", is_flag=True, help="Deliver what is due, then exit (for cron).")
@click.option("--batch", default=50, show_default=True, type=click.IntRange(1, 1000))
def outbox_run(once: bool, batch: int) -> None:
    """Deliver queued invoice emails; retry temporary failures with backoff."""
    run = run_worker(_context(), once=once, batch=batch)
    click.echo(f"{run.sent} sent, {run.retrying} to retry, {run.failed} failed.")


@main.group()
def links() -> None:
    """Venues' payment status links."""


@links.command("create")
@click.argument("venue_id", type=click.IntRange(1))
@click.option("--days", type=click.IntRange(1, 730), help="Lifetime (default 180 days).")
def links_create(venue_id: int, days: int | None) -> None:
    """Make a status link for a venue and print its URL (shown only now)."""
    context = _context()
    lifetime = timedelta(days=days) if days else None
    new = create_link(context, context.new_uow(), OPERATOR, venue_id, lifetime)
    click.echo(
        f"Status link {new.link.id} for venue {venue_id}, valid until "
        f"{spoken_date(new.link.expires_at)} (shown once — send it to the venue):"
    )
    click.echo(f"{context.public_url}/status/{new.token}")


@main.group()
def exports() -> None:
    """NHS finance exports."""


@exports.command("import")
@click.argument("file", type=click.File("rb"))
@click.option(
    "--profile",
    default="sbs-oracle-ap",
    show_default=True,
    help="sbs-oracle-ap, spend-over-25k, a mapping file's name, or a path to one (.toml).",
)
@click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The day the report was run (YYYY-MM-DD), if neither a report-date column nor the "
    "file's name says so; otherwise today. An older export never moves an invoice back.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON (for scripts).")
def exports_import(file: BinaryIO, profile: str, as_of: datetime | None, as_json: bool) -> None:
    """Import an export and reconcile our invoices with it (all or nothing)."""
    data = file.read()
    day = as_of.date() if as_of else None
    try:
        outcome = _import(_context(), data, Path(file.name).name, profile, day, show=not as_json)
    except DomainError as exc:
        if not as_json:
            raise
        click.echo(json.dumps({"refused": exc.message, **exc.details}))
        sys.exit(1)
    record = outcome.record
    if as_json:
        report = dataclasses.asdict(record) | {"already_imported": outcome.already_imported}
        click.echo(json.dumps(report, default=str))
        return
    if outcome.already_imported:
        click.echo(
            f"Already imported (import {record.id}, {record.imported_at:%d %b %Y %H:%M}): "
            "nothing changed."
        )
        return
    for error in record.row_errors:
        click.echo(f"line {error.line}, column {error.column}: {error.message}", err=True)
    click.echo(
        f"Import {record.id} (as of {record.as_of}): {record.rows_read} rows read, "
        f"{record.matched} of our invoices matched, {record.other_suppliers} rows of other "
        f"suppliers and {record.other_units} of other business units ignored, "
        f"{record.errors} errors, {record.changes} status changes, "
        f"{record.discrepancies} discrepancies."
    )
    if record.older_than:
        click.echo(
            f"Older than an export imported before (as of {record.older_than}): "
            f"{record.kept} invoices kept their later status."
        )


def _import(
    context: Context, data: bytes, name: str, profile: str, as_of: date | None, show: bool
) -> ImportOutcome:
    """With a progress bar when someone is watching a terminal."""
    if not (show and sys.stderr.isatty()):
        return import_finance_export(
            context, context.new_uow(), OPERATOR, data, name, profile, as_of=as_of
        )
    lines = data.count(b"\n") or 1
    with click.progressbar(length=lines, label="Reading", file=sys.stderr) as bar:
        outcome = import_finance_export(
            context,
            context.new_uow(),
            OPERATOR,
            data,
            name,
            profile,
            lambda line: bar.update(line - bar.pos),
            as_of=as_of,
        )
        bar.update(lines - bar.pos)
    return outcome


@main.group()
def reports() -> None:
    """Reports for finance, as spreadsheets."""


class _FinancialYear(click.ParamType[FinancialYear]):
    name = "year"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> FinancialYear:
        if isinstance(value, FinancialYear):
            return value
        try:
            return FinancialYear.parse(str(value))
        except NotAFinancialYear as exc:
            self.fail(str(exc), param, ctx)


@reports.command("payment-performance")
@click.option(
    "--year",
    type=_FinancialYear(),
    help="The financial year: 2026 (or 2026-27) for April 2026 to March 2027. "
    "The current one by default.",
)
def reports_payment_performance(year: FinancialYear | None) -> None:
    """The payment-performance report for a financial year (the Better Payment Practice Code
    figure per trust and venue, for the year and each month, and what is still owed by age)
    as CSV on standard output, as the API downloads it."""
    context = _context()
    report = payment_performance(context, context.new_uow(), OPERATOR, year)
    click.echo(as_csv(table(report.rows)), nl=False)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64))
def serve(host: str, port: int, workers: int) -> None:
    """Serve the app with gunicorn."""
    _config()
    argv = [sys.executable, "-m", "gunicorn", "--bind", f"{host}:{port}", "--workers", str(workers)]
    argv += ["--config", "python:service.gunicorn_hooks", "--access-logfile", "-"]
    argv += ["service.app:create_app()"]
    os.execv(sys.executable, argv)  # noqa: S606 — replaces this process with gunicorn

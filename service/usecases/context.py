"""What the edges hand to use cases: the unit of work and the other ports, wired in app.py."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from service.ports.accounts import IdentityProvider
from service.ports.bookings import CalendarWriter, HolidayCalendar
from service.ports.clock import Clock
from service.ports.delivery import EmailTexts, Mailer, Notifier
from service.ports.einvoice_delivery import AccessPoint
from service.ports.invoicing import DocumentPreviews, EInvoiceWriter, InvoiceRenderer
from service.ports.reconciliation import ExportFormats
from service.ports.reports import Spreadsheets
from service.ports.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Context:
    new_uow: Callable[[], UnitOfWork]
    new_reader: Callable[[], UnitOfWork]  # for reading only: never waits for the write lock
    clock: Clock
    holidays: HolidayCalendar
    calendar: CalendarWriter
    renderer: InvoiceRenderer
    einvoices: EInvoiceWriter  # UBL e-invoices, for trusts on the PEPPOL network
    previews: DocumentPreviews  # pictures of invoice PDFs for the pages
    mailer: Mailer
    emails: EmailTexts
    notifier: Notifier
    access_point: AccessPoint  # e-invoices to trusts whose invoices travel by PEPPOL
    mail_from: str
    exports: ExportFormats
    lost_after: timedelta
    public_url: str  # where venues open their status links, e.g. https://roomhire.example.nhs.uk
    status_link_lifetime: timedelta
    spreadsheets: Spreadsheets  # .xlsx downloads
    identity: IdentityProvider | None = None  # an organisation's OpenID Connect sign-in
    import_time_limit: float | None = None  # seconds an import may take; None: no limit
    close: Callable[[], None] = lambda: None  # lets go of the database connections

"""Invoices and credit notes: built once from held sessions, checked the way NHS Shared
Business Services would check them, and never changed after issue."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum

from service.domain.bookings import BookingSeries, InvoiceCadence, Session
from service.domain.directory import VatTreatment, Venue
from service.domain.errors import Conflict
from service.domain.money import LineAmount, format_pounds
from service.domain.timeslots import LONDON, london_instant

PAYMENT_TERMS = timedelta(days=30)
MAX_DAYS_AHEAD = 14
NUMBER_FORMAT = re.compile(r"[A-Z0-9]{1,30}")
_NOT_INITIALS = {"CIC", "LTD", "LIMITED", "PLC", "THE", "OF", "AND", "INTEREST", "COMPANY"}


class DocumentKind(StrEnum):
    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"


PDF = "application/pdf"
EXTENSIONS = {PDF: "pdf", "application/xml": "xml"}


@dataclass(frozen=True)
class Document:
    """One rendering of an invoice, stored as issued and never changed: its PDF (and, for
    trusts that take them, its e-invoice)."""

    media_type: str
    content: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    def filename(self, number: str) -> str:
        return f"{number}.{EXTENSIONS.get(self.media_type, 'bin')}"


def documents_digest(hashes: Iterable[tuple[str, str]]) -> str:
    """One SHA-256 for an invoice's documents, from each one's (media type, SHA-256): a
    message checks it before sending, so it never sends documents other than those it was
    queued with. For the one PDF, the PDF's own SHA-256."""
    ordered = sorted(hashes)
    if len(ordered) == 1:
        return ordered[0][1]
    return hashlib.sha256(" ".join(f"{kind}={sha}" for kind, sha in ordered).encode()).hexdigest()


class InvoiceRefused(Conflict):
    """A pre-issue check that SBS would fail; nothing is issued for that booking."""

    code = "invoice_refused"


class InvoiceImmutable(Conflict):
    code = "invoice_immutable"


def number_prefix(venue_name: str, kind: DocumentKind) -> str:
    """'St Michael's Community Hall CIC' -> 'SMCH' (credit notes 'SMCHCN'); a short name
    gives its first letters instead: 'Chapel Hall CIC' -> 'CHAP'. Capitals only."""
    words = re.findall(r"[A-Z]+", venue_name.upper().replace("'S", ""))
    initials = "".join(w[0] for w in words if w not in _NOT_INITIALS)[:6]
    if len(initials) < 3:
        initials = "".join(words)[:4].ljust(3, "X")
    return initials + ("CN" if kind is DocumentKind.CREDIT_NOTE else "")


def format_number(prefix: str, sequence: int) -> str:
    number = f"{prefix}{sequence:04d}"
    if not NUMBER_FORMAT.fullmatch(number):
        raise InvoiceRefused(f"Invoice number {number} is not 1-30 capitals and digits.")
    return number


@dataclass(frozen=True)
class Party:
    """Who sends or receives the invoice, as it was on the day of issue. The supplier's
    details beyond its name and address are what SBS and UK law expect of a supplier; an
    invoice issued before they were kept has none of them."""

    name: str
    address: str
    email: str
    vat_number: str | None = None
    supplier_number: str | None = None  # the NHS supplier number SBS pays it under
    phone: str | None = None  # for queries
    queries_email: str | None = None
    company_number: str | None = None
    charity_number: str | None = None
    registered_office: str | None = None
    sort_code: str | None = None  # "12-34-56", for remittance
    account_number: str | None = None

    @property
    def bank_details(self) -> bool:
        return self.sort_code is not None and self.account_number is not None


def supplier_party(venue: Venue) -> Party:
    """The venue as the invoice names it on the day of issue (later edits don't change it)."""
    return Party(
        venue.name,
        f"{venue.address}\n{venue.postcode}",
        venue.remittance_email,
        venue.vat_number,
        supplier_number=venue.supplier_number,
        phone=venue.queries_phone,
        queries_email=venue.queries_email,
        company_number=venue.company_number,
        charity_number=venue.charity_number,
        registered_office=venue.registered_office,
        sort_code=venue.bank_sort_code,
        account_number=venue.bank_account_number,
    )


def spoken_duration(minutes: int) -> str:
    """160 -> '2 h 40 min'; 120 -> '2 h'; 45 -> '45 min'."""
    hours, rest = divmod(abs(minutes), 60)
    parts = ([f"{hours} h"] if hours else []) + ([f"{rest} min"] if rest or not hours else [])
    return ("-" if minutes < 0 else "") + " ".join(parts)


def hourly_rate(price_per_hour_pence: int | None) -> str:
    """1234 -> '£12.34 an hour'; '' when the price was not kept (sessions booked before
    Roomhire kept it: their invoices show no rate rather than a guess)."""
    return "" if price_per_hour_pence is None else f"{format_pounds(price_per_hour_pence)} an hour"


def line_treatment(room_treatment: VatTreatment, rate: Decimal) -> VatTreatment | None:
    """The VAT treatment an invoice line records, from the rate the session was charged at
    booking and the room's treatment now: a charged rate is standard-rated; a nil rate takes
    the room's nil treatment (exempt, zero-rated, outside the scope). A nil rate on a room
    now standard-rated (it changed, or the venue registered for VAT, since the booking) is
    not guessed: None, and the line shows its rate."""
    if rate:
        return VatTreatment.STANDARD
    return None if room_treatment is VatTreatment.STANDARD else room_treatment


_TREATMENT_WORDS = {
    VatTreatment.EXEMPT: "Exempt",
    VatTreatment.OUTSIDE_SCOPE: "Outside the scope of VAT",
}


def vat_label(treatment: VatTreatment | None, rate: Decimal) -> str:
    """What the VAT rate column says: 'Exempt', 'Outside the scope of VAT', else the rate
    charged ('0%' zero-rated, '20%' standard): exempt and zero-rated both have rate 0, and
    an invoice must tell them apart."""
    words = _TREATMENT_WORDS.get(treatment) if treatment is not None else None
    return words or f"{rate * 100:.0f}%"


@dataclass(frozen=True)
class Line:
    description: str
    day: date
    start: time
    end: time
    room: str
    minutes: int
    amount: LineAmount
    session_id: int | None
    price_per_hour_pence: int | None = None  # the room's price when the session was booked
    vat_treatment: VatTreatment | None = None  # at issue; None: not recorded (older lines)
    # Which charge of the session the line makes (or, on a credit note, takes back): 0, then
    # one more each time a credited session is invoiced again (a reissue).
    charge_round: int = 0

    @property
    def duration(self) -> str:
        return spoken_duration(self.minutes)

    def credited(self, why: str) -> Line:
        """The line a credit note takes this charge back with, saying why."""
        return replace(
            self, description=f"Credit: {self.description}, {why}", amount=self.amount.negated()
        )

    @property
    def rate(self) -> str:
        return hourly_rate(self.price_per_hour_pence)

    @property
    def vat(self) -> str:
        return vat_label(self.vat_treatment, self.amount.rate)


@dataclass(frozen=True)
class Invoice:
    """Frozen: an issued invoice never changes. Corrections are credit notes."""

    kind: DocumentKind
    number: str
    venue_id: int
    trust_id: int
    purchase_order_id: int
    po_number: str
    booking_id: int
    issue_date: date
    tax_point: date
    due_date: date
    supplier: Party
    customer: Party
    lines: tuple[Line, ...]
    credits_invoice: str | None = None
    id: int | None = None

    @property
    def net_pence(self) -> int:
        return sum(line.amount.net for line in self.lines)

    @property
    def vat_pence(self) -> int:
        return sum(line.amount.vat for line in self.lines)

    @property
    def gross_pence(self) -> int:
        return self.net_pence + self.vat_pence

    @property
    def vat_registered(self) -> bool:
        return self.supplier.vat_number is not None


@dataclass(frozen=True)
class Draft:
    """What is due for one booking, period and PO, before numbering and checks."""

    series: BookingSeries
    sessions: tuple[Session, ...]

    @property
    def purchase_order_id(self) -> int | None:
        return self.sessions[0].purchase_order_id


def due_drafts(
    series: BookingSeries, invoiced: set[int], through: date, now: datetime
) -> list[Draft]:
    """Chargeable, held (ended), not yet invoiced sessions up to `through`, grouped by the
    cadence and by PO (an invoice quotes one PO; sessions with none make a draft of their
    own, which is refused: no PO, no invoice). Monthly is in arrears: a month is invoiced
    once it has ended by `through`."""
    last = min(through, now.astimezone(LONDON).date())
    ready = [
        s
        for s in series.sessions
        if s.chargeable and s.id not in invoiced and s.slot.end <= now and s.local_date <= last
    ]
    if series.invoice_cadence is InvoiceCadence.PER_SESSION:
        return [Draft(series, (s,)) for s in ready]
    if series.invoice_cadence is InvoiceCadence.END_OF_SERIES:
        outstanding = [s for s in series.sessions if s.chargeable and s.id not in invoiced]
        return _by_po(series, ready, lambda _: ()) if len(ready) == len(outstanding) else []
    over = [s for s in ready if _month_over(s.local_date, through, now)]
    return _by_po(series, over, lambda s: (s.local_date.year, s.local_date.month))


def _by_po(
    series: BookingSeries, sessions: list[Session], period: Callable[[Session], tuple[int, ...]]
) -> list[Draft]:
    """One draft per period and PO, in date order."""
    groups: dict[tuple[tuple[int, ...], int], list[Session]] = {}
    for s in sessions:
        groups.setdefault((period(s), s.purchase_order_id or 0), []).append(s)
    drafts = [Draft(series, tuple(group)) for group in groups.values()]
    return sorted(drafts, key=lambda d: d.sessions[0].slot.start)


def _month_over(day: date, through: date, now: datetime) -> bool:
    """The month of `day` has ended in London, and by `through`: a run at 10:00 on 31 March
    must not invoice March without its 13:00 session (which would then get an invoice of
    its own); one booking and month, one invoice."""
    first_of_next = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    last_day = first_of_next - timedelta(days=1)
    return last_day <= through and london_instant(first_of_next, time(0)) <= now


TAX_POINT_DAYS = 14


def tax_point(issue_date: date, last_supply: date) -> date:
    """HMRC's 14-day rule: an invoice issued within 14 days after the supply (its last
    session) makes the invoice date the tax point; issued later, the supply's date is."""
    return issue_date if issue_date - last_supply <= timedelta(days=TAX_POINT_DAYS) else last_supply


def check_issue_date(issue_date: date, today: date) -> None:
    if issue_date > today + timedelta(days=MAX_DAYS_AHEAD):
        raise InvoiceRefused(
            f"The invoice date {issue_date} is more than {MAX_DAYS_AHEAD} days ahead; "
            "SBS rejects it."
        )


def total(lines: Iterable[Line]) -> int:
    return sum(line.amount.gross for line in lines)

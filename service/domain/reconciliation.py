"""Where each invoice really is in the NHS finance system, read from its exports: statuses,
holds explained in plain words, and the discrepancies a person has to look at."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from operator import attrgetter

from service.domain.exports import AsOfSource, ExportRow, FinanceStatus, RowError
from service.domain.money import format_pounds
from service.domain.timeslots import LONDON


class Owner(StrEnum):
    FACILITATOR = "facilitator"
    FINANCE = "finance"
    VENUE = "venue"


@dataclass(frozen=True)
class HoldMeaning:
    for_staff: str  # what finance reads in an invoice's history
    owner: Owner  # who must act: the hold notice goes to them
    for_venue: str  # what the venue reads on its status page
    to_owner: str  # what the hold notice says to the person who must act


_QTY = HoldMeaning(
    "The NHS team hasn't confirmed the sessions on the purchase order yet; the booking's "
    "facilitator has been asked to.",
    Owner.FACILITATOR,
    "the NHS team hasn't confirmed the sessions yet — we've asked them",
    "You need to confirm the sessions on the purchase order (receipt them in the NHS finance "
    "system): the venue isn't paid until you do.",
)
_VALUE = HoldMeaning(
    "The invoice is more than the purchase order allows; NHS finance must raise the PO value "
    "(or the invoice is wrong).",
    Owner.FINANCE,
    "the invoice is more than the purchase order allows — NHS finance is sorting it out",
    "The invoice is more than the purchase order allows: please raise the PO value, or tell "
    "the venue if the invoice is wrong.",
)
_PO = HoldMeaning(
    "There is a problem with the purchase order; NHS procurement must sort it out.",
    Owner.FINANCE,
    "there is a problem with the purchase order — NHS procurement is sorting it out",
    "There is a problem with the purchase order: please ask NHS procurement to sort it out.",
)
_CODING = HoldMeaning(
    "NHS finance must correct its internal accounting codes; nothing is needed from the venue.",
    Owner.FINANCE,
    "NHS finance is correcting its own accounting codes — nothing is needed from you",
    "The invoice's accounting codes need correcting in the NHS finance system; nothing is "
    "needed from the venue.",
)
HOLDS = {
    "QTY REC": _QTY,
    **dict.fromkeys(("QTY ORD", "PRICE", "AMT ORD", "AMOUNT"), _VALUE),
    **dict.fromkeys(("PO NOT APPROVED", "MATCH REQUIRED", "FINAL MATCHING"), _PO),
    **dict.fromkeys(("DIST ACCT INVALID", "ERV ACCT INVALID", "FUTURE PERIOD"), _CODING),
    "VENDOR": HoldMeaning(
        "The venue's supplier record is on hold (for example bank details being checked); "
        "the venue and NHS Shared Business Services must resolve it.",
        Owner.VENUE,
        "your supplier record with the NHS is on hold (often bank details being checked) — "
        "please contact NHS Shared Business Services",
        "Your supplier record with the NHS is on hold (often while bank details are checked): "
        "please contact NHS Shared Business Services to resolve it.",
    ),
}


def explain_hold(code: str) -> HoldMeaning:
    return HOLDS.get(
        code,
        HoldMeaning(
            f"NHS accounts payable has put it on hold ({code}).",
            Owner.FINANCE,
            "NHS accounts has put it on hold — we are finding out why",
            f"NHS accounts payable has put it on hold ({code}): please find out why.",
        ),
    )


@dataclass(frozen=True, slots=True)
class IssuedInvoice:
    """What matching needs of one of our invoices (a credit note's amount is negative, as in
    the exports)."""

    id: int
    venue_id: int
    trust_id: int
    booking_id: int
    number: str
    po_number: str
    amount_pence: int
    sent_on: date | None
    issue_date: date
    due_date: date


@dataclass
class ImportRecord:
    """One export imported: its file's hash (the same file twice changes nothing), who and
    when, and what came of it."""

    profile: str
    filename: str
    sha256: str
    imported_by: str
    imported_at: datetime
    trust_id: int | None
    as_of: date | None = None  # the day its data is as of (None: read before it was kept)
    as_of_source: AsOfSource | None = None
    older_than: date | None = None  # a newer export had been imported already, as of then
    rows_read: int = 0
    matched: int = 0
    other_suppliers: int = 0
    other_units: int = 0  # rows of another trust's business unit, left alone
    kept: int = 0  # invoices it showed earlier than they now are: their later state was kept
    blank_lines: int = 0
    errors: int = 0
    discrepancies: int = 0
    changes: int = 0
    row_errors: list[RowError] = field(default_factory=list)
    id: int | None = None


@dataclass(frozen=True, slots=True)
class Hold:
    code: str
    reason: str | None
    line: int


@dataclass(frozen=True, slots=True)
class Observation:
    """What one export says about one of our invoices, from all the rows matched to it."""

    status: FinanceStatus
    holds: tuple[Hold, ...]
    amount_pence: int | None
    po_number: str | None
    paid_pence: int
    payments: int
    payment_date: date | None
    payment_number: str | None
    line: int
    fallback: bool


@dataclass(slots=True)
class InvoiceState:
    """The latest known state of one of our invoices in the finance system."""

    invoice_id: int
    status: FinanceStatus
    holds: tuple[str, ...] = ()
    export_amount_pence: int | None = None
    export_po_number: str | None = None
    paid_pence: int = 0
    payments: int = 0
    payment_date: date | None = None
    payment_number: str | None = None
    fallback: bool = False
    confirmed: bool = False
    received_on: date | None = None
    last_import_id: int | None = None
    as_of: date | None = None  # the day the export that set it is as of

    @property
    def unconfirmed(self) -> bool:
        """Matched by PO and amount, not by number, and no person has confirmed it yet: not
        to be relied on (the invoice may still be lost, and the venue is not told)."""
        return self.fallback and not self.confirmed


@dataclass(frozen=True, slots=True)
class StatusEvent:
    invoice_id: int
    status: FinanceStatus
    at: datetime
    hold_code: str | None = None
    hold_reason: str | None = None
    paid_pence: int = 0
    payment_date: date | None = None
    payment_number: str | None = None
    import_id: int | None = None
    line: int | None = None
    as_of: date | None = None  # the day the export that showed it is as of
    id: int | None = None

    @property
    def key(self) -> tuple[FinanceStatus, str | None, str | None]:
        """What it records, whenever it was seen: an older export adds only what the
        history does not have yet."""
        return (self.status, self.hold_code, self.payment_number)

    @property
    def explanation(self) -> str | None:
        return explain_hold(self.hold_code).for_staff if self.hold_code else None


@dataclass(frozen=True)
class TrustScope:
    """Whose rows an export's are. Trusts record their business unit as the export spells
    it; a row naming one is that trust's. A row naming none, or a unit no trust records, is
    the importing person's trust's, unless that trust records its own unit: then the row is
    another organisation's and left alone. With neither (an administrator importing a file
    without units), the trust is unknown: see `match`."""

    units: Mapping[str, int] = field(default_factory=dict)  # unit -> trust id
    importer: int | None = None

    def is_ours(self, row: ExportRow) -> bool:
        unit = row.business_unit
        return not unit or unit in self.units or self.importer not in self.units.values()

    def trust_of(self, row: ExportRow) -> int | None:
        return self.units.get(row.business_unit or "", self.importer)


@dataclass
class Matching:
    """Rows grouped by the invoice they are about; rows for our venues that match nothing;
    how many rows were another trust's."""

    rows: dict[int, list[ExportRow]] = field(default_factory=dict)
    fallback: set[int] = field(default_factory=set)
    unknown: list[ExportRow] = field(default_factory=list)
    other_units: int = 0


def match(
    rows: list[ExportRow], invoices: list[IssuedInvoice], scope: TrustScope | None = None
) -> Matching:
    """Within the row's trust (never across trusts): by venue and normalised number; then by
    a number inside the description; then, for a mis-keyed number, by PO and amount (or
    amount alone when the export has no PO) against a single candidate, flagged for a person
    to confirm. The fallback needs the row's trust to be known, or the venue to invoice only
    one trust."""
    scope = scope or TrustScope()
    by_number = {(i.venue_id, i.number): i for i in invoices}
    by_venue: dict[int, list[IssuedInvoice]] = defaultdict(list)
    for invoice in invoices:
        by_venue[invoice.venue_id].append(invoice)
    result = Matching()
    leftovers: list[tuple[ExportRow, int | None]] = []
    for row in rows:
        if not scope.is_ours(row):
            result.other_units += 1
            continue
        trust = scope.trust_of(row)
        found = by_number.get((row.venue_id, row.invoice_number or "")) or _mentioned(
            row, by_venue[row.venue_id]
        )
        if found and trust in (None, found.trust_id):
            result.rows.setdefault(found.id, []).append(row)
        else:
            leftovers.append((row, trust))
    for row, trust in leftovers:
        venues_invoices = by_venue[row.venue_id]
        if trust is None and len({i.trust_id for i in venues_invoices}) == 1:
            trust = venues_invoices[0].trust_id  # the venue invoices one trust alone
        candidates = [
            i
            for i in venues_invoices
            if trust == i.trust_id
            if i.id not in result.rows or i.id in result.fallback
            if (row.po_number is None or row.po_number == i.po_number)
            and row.amount_pence in (i.amount_pence, None)
            and (row.amount_pence is not None or row.amount_paid_pence == i.amount_pence)
        ]
        if len({c.id for c in candidates}) == 1:
            result.rows.setdefault(candidates[0].id, []).append(row)
            result.fallback.add(candidates[0].id)
        else:
            result.unknown.append(row)
    return result


def _mentioned(row: ExportRow, candidates: list[IssuedInvoice]) -> IssuedInvoice | None:
    if row.invoice_number or not row.description:
        return None
    text = "".join(ch for ch in row.description.upper() if ch.isalnum())
    found = [i for i in candidates if i.number in text]
    return found[0] if len(found) == 1 else None


def observe(rows: list[ExportRow], invoice: IssuedInvoice, *, fallback: bool) -> Observation:
    """Cancelled or rejected win; then paid in full; then any hold; then part paid; then
    approved; otherwise received. Distinct payment numbers are distinct payments."""
    statuses = {row.status for row in rows}
    paid_by_payment: dict[str | None, int] = {}
    for row in rows:
        paid = row.amount_paid_pence or (
            row.amount_pence or 0 if row.status is FinanceStatus.PAID else 0
        )
        if paid:
            paid_by_payment[row.payment_number] = max(
                paid, paid_by_payment.get(row.payment_number, 0)
            )
    paid = sum(paid_by_payment.values())
    holds = tuple(
        {
            row.hold_name: Hold(row.hold_name, row.hold_reason, row.line)
            for row in rows
            if row.hold_name
        }.values()
    )
    owed = abs(invoice.amount_pence)
    if FinanceStatus.CANCELLED in statuses:
        status = FinanceStatus.CANCELLED
    elif FinanceStatus.REJECTED in statuses:
        status = FinanceStatus.REJECTED
    elif owed and abs(paid) >= owed:
        status = FinanceStatus.PAID
    elif holds:
        status = FinanceStatus.ON_HOLD
    elif paid:
        status = FinanceStatus.PART_PAID
    elif FinanceStatus.APPROVED in statuses:
        status = FinanceStatus.APPROVED
    else:
        status = FinanceStatus.RECEIVED
    latest = max(
        (row for row in rows if row.payment_date),
        key=lambda r: r.payment_date or date.min,
        default=None,
    )
    amounts = [row.amount_pence for row in rows if row.amount_pence is not None]
    pos = [row.po_number for row in rows]
    return Observation(
        status=status,
        holds=holds,
        amount_pence=amounts[0] if amounts else None,
        po_number=pos[0] if pos else None,
        paid_pence=paid,
        payments=len(paid_by_payment),
        payment_date=latest.payment_date if latest else None,
        payment_number=latest.payment_number if latest else None,
        line=rows[0].line,
        fallback=fallback,
    )


def changes(
    state: InvoiceState | None,
    seen: Observation,
    invoice_id: int,
    import_id: int,
    at: datetime,
    as_of: date | None = None,
) -> list[StatusEvent]:
    """The events a new observation adds to the history: nothing when nothing changed; one
    event per newly appearing hold; `received` first when the export shows it the first time."""
    known = state.status if state else None
    held = set(state.holds) if state and state.status is FinanceStatus.ON_HOLD else set()

    def event(status: FinanceStatus, line: int, hold: Hold | None = None) -> StatusEvent:
        return StatusEvent(
            invoice_id,
            status,
            at,
            hold_code=hold.code if hold else None,
            hold_reason=hold.reason if hold else None,
            paid_pence=seen.paid_pence,
            payment_date=seen.payment_date,
            payment_number=seen.payment_number,
            import_id=import_id,
            line=line,
            as_of=as_of,
        )

    events = []
    if known in (None, FinanceStatus.SENT) and seen.status is not FinanceStatus.RECEIVED:
        events.append(event(FinanceStatus.RECEIVED, seen.line))
    if seen.status is FinanceStatus.ON_HOLD:
        events += [
            event(FinanceStatus.ON_HOLD, h.line, h) for h in seen.holds if h.code not in held
        ]
    elif seen.status is not known or (state and seen.paid_pence != state.paid_pence):
        events.append(event(seen.status, seen.line))
    return events


def updated(
    state: InvoiceState | None,
    seen: Observation,
    invoice: IssuedInvoice,
    import_id: int,
    as_of: date | None = None,
) -> InvoiceState:
    """An invoice Roomhire never emailed was received, at the earliest, on its own date."""
    received_on = (state.received_on if state else None) or invoice.sent_on or invoice.issue_date
    return InvoiceState(
        invoice_id=invoice.id,
        status=seen.status,
        holds=tuple(h.code for h in seen.holds),
        export_amount_pence=seen.amount_pence,
        export_po_number=seen.po_number,
        paid_pence=seen.paid_pence,
        payments=seen.payments,
        payment_date=seen.payment_date,
        payment_number=seen.payment_number,
        fallback=seen.fallback,
        confirmed=bool(state and state.confirmed and state.fallback == seen.fallback),
        received_on=received_on,
        last_import_id=import_id,
        as_of=as_of,
    )


class DiscrepancyKind(StrEnum):
    AMOUNT_DIFFERS = "amount_differs"
    PO_DIFFERS = "po_differs"
    LOST = "lost"
    UNKNOWN_INVOICE = "unknown_invoice"
    PAID_TWICE = "paid_twice"
    OVERPAID = "overpaid"
    UNDERPAID = "underpaid"
    UNCONFIRMED_MATCH = "unconfirmed_match"


@dataclass(frozen=True)
class Discrepancy:
    problem: DiscrepancyKind
    detail: str
    invoice_id: int | None = None
    venue_id: int | None = None
    import_id: int | None = None
    line: int | None = None

    @property
    def key(self) -> str:
        """What the discrepancy is known by, so that a person can resolve it: its kind, what
        it is about (the invoice, or for a row matching nothing the venue) and what it says
        (`detail`, which carries the figures: amounts, PO numbers, payments). A newer import
        saying the same keeps the key; different figures make a new one. Not the import or
        line, which change with every export that repeats the same row."""
        about = f"{self.problem}|{self.invoice_id or ''}|{self.venue_id or ''}|{self.detail}"
        return hashlib.sha256(about.encode()).hexdigest()


def discrepancies(
    invoice: IssuedInvoice, state: InvoiceState | None, lost: bool
) -> list[Discrepancy]:
    """What a person must look at for one of our invoices, given its latest state; `lost`
    when no export has shown it long after it was sent."""

    def found(problem: DiscrepancyKind, detail: str) -> Discrepancy:
        return Discrepancy(
            problem,
            f"{invoice.number}: {detail}",
            invoice.id,
            invoice.venue_id,
            state.last_import_id if state else None,
        )

    result = []
    if lost and (state is None or state.unconfirmed):
        result.append(
            found(DiscrepancyKind.LOST, f"sent on {invoice.sent_on}, never seen in an export")
        )
    if state is None:
        return result
    if state.export_amount_pence is not None and state.export_amount_pence != invoice.amount_pence:
        result.append(
            found(
                DiscrepancyKind.AMOUNT_DIFFERS,
                f"the export says {format_pounds(state.export_amount_pence)}, "
                f"we invoiced {format_pounds(invoice.amount_pence)}",
            )
        )
    if state.export_po_number != invoice.po_number and state.export_amount_pence is not None:
        result.append(
            found(
                DiscrepancyKind.PO_DIFFERS,
                f"the export has PO {state.export_po_number or '(none)'}, "
                f"we quoted {invoice.po_number}",
            )
        )
    owed = abs(invoice.amount_pence)
    if state.payments > 1 and state.paid_pence > owed:
        result.append(
            found(
                DiscrepancyKind.PAID_TWICE,
                f"{state.payments} payments, {format_pounds(state.paid_pence)} in all",
            )
        )
    elif state.paid_pence > owed:
        result.append(
            found(
                DiscrepancyKind.OVERPAID,
                f"paid {format_pounds(state.paid_pence)} of {format_pounds(owed)}",
            )
        )
    elif state.status is FinanceStatus.PART_PAID:
        result.append(
            found(
                DiscrepancyKind.UNDERPAID,
                f"paid {format_pounds(state.paid_pence)} of {format_pounds(owed)}",
            )
        )
    if state.fallback and not state.confirmed:
        result.append(
            found(
                DiscrepancyKind.UNCONFIRMED_MATCH,
                "matched by PO and amount, not by number: please confirm",
            )
        )
    return result


def unknown_row(row: ExportRow, import_id: int) -> Discrepancy:
    return Discrepancy(
        DiscrepancyKind.UNKNOWN_INVOICE,
        f"{row.supplier_name}: {row.invoice_number or row.payment_number} is not one we issued",
        venue_id=row.venue_id,
        import_id=import_id,
        line=row.line,
    )


def is_lost(invoice: IssuedInvoice, last_import_on: date | None, lost_after: timedelta) -> bool:
    """Sent, and an export as of long enough after sending still did not show it (by its
    number: a match by PO and amount counts only once a person confirms it)."""
    return (
        invoice.sent_on is not None
        and last_import_on is not None
        and last_import_on >= invoice.sent_on + lost_after
    )


def lost_if_sent_before(last_import_on: date | None, lost_after: timedelta) -> datetime | None:
    """is_lost as a bound a database can use: an invoice in no export, sent before this
    instant, is lost (None: no export yet, so none is)."""
    if last_import_on is None:
        return None
    return datetime.combine(last_import_on - lost_after + timedelta(days=1), time(), LONDON)


@dataclass(frozen=True)
class Reconciliation:
    """What one import changes: the events it adds to histories, the states that changed
    (new or different), the rows about our venues that match nothing we issued, how many
    invoices it matched, how many discrepancies a person now has to look at, how many rows
    were another trust's, how many invoices it showed as they were before a newer export
    (their later state kept), and the states it shows unchanged (now known as of it)."""

    events: list[StatusEvent]
    changed: list[InvoiceState]
    findings: list[Discrepancy]
    matched: int
    discrepancies: int
    other_units: int = 0
    kept: int = 0
    unchanged: list[int] = field(default_factory=list)  # states it shows as they were
    older_than: date | None = None  # the newest export its kept invoices were seen in


EventKey = tuple[FinanceStatus, str | None, str | None]


def reconcile(
    rows: list[ExportRow],
    invoices: list[IssuedInvoice],
    states: dict[int, InvoiceState],
    *,
    import_id: int,
    at: datetime,
    as_of: date | None = None,
    scope: TrustScope | None = None,
    recorded: Mapping[int, set[EventKey]] | None = None,
) -> Reconciliation:
    """The core of an import: match the rows to our invoices, observe what they say about
    each, and compare that with each invoice's known state (`states`, by invoice id). An
    export older (`as_of`) than the one an invoice's state came from never moves it back:
    it adds to the history only what is not recorded there yet (`recorded`: what each such
    invoice's history holds, by StatusEvent.key)."""
    ours = {i.id: i for i in invoices}
    matching = match(rows, invoices, scope)
    events: list[StatusEvent] = []
    changed: list[InvoiceState] = []
    unchanged: list[int] = []
    older_than: date | None = None
    problems = kept = 0
    for invoice_id, matched in matching.rows.items():
        invoice, old = ours[invoice_id], states.get(invoice_id)
        seen = observe(matched, invoice, fallback=invoice_id in matching.fallback)
        if is_older(as_of, old):
            assert old is not None
            known = (recorded or {}).get(invoice_id, set())
            added = changes(None, seen, invoice_id, import_id, at, as_of)
            events += [e for e in added if e.key not in known]
            kept += (seen.status, seen.paid_pence) != (old.status, old.paid_pence)
            older_than = max(filter(None, (older_than, old.as_of)))
            continue
        events += changes(old, seen, invoice_id, import_id, at, as_of)
        new = updated(old, seen, invoice, import_id, as_of)
        if old is None or _differs(old, new):
            changed.append(new)
        else:
            unchanged.append(invoice_id)
        problems += len(discrepancies(invoice, new, lost=False))
    findings = [unknown_row(row, import_id) for row in matching.unknown]
    return Reconciliation(
        events,
        changed,
        findings,
        len(matching.rows),
        problems + len(findings),
        matching.other_units,
        kept,
        unchanged,
        older_than,
    )


def is_older(as_of: date | None, state: InvoiceState | None) -> bool:
    """An export as of `as_of` is older than the one the state came from."""
    return (
        as_of is not None
        and state is not None
        and state.as_of is not None
        and (as_of < state.as_of)
    )


_COMPARED = attrgetter(
    *(f.name for f in fields(InvoiceState) if f.name not in ("last_import_id", "as_of"))
)


def _differs(old: InvoiceState, new: InvoiceState) -> bool:
    return bool(_COMPARED(old) != _COMPARED(new))

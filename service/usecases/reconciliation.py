"""Finance imports a finance-system export; every invoice it mentions gets its true status,
each change is recorded once, hold owners are notified, and what doesn't add up is listed."""

from __future__ import annotations

import gc
import hashlib
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Protocol

from service.domain.audit import AuditEvent
from service.domain.delivery import OutboxMessage, Recipient, hold_topic, message_id
from service.domain.errors import NotFound, RuleViolation, TooSlow
from service.domain.exports import (
    FinanceStatus,
    ProfileInvalid,
    SupplierIndex,
    export_as_of,
    normalise_business_unit,
)
from service.domain.reconciliation import (
    Discrepancy,
    ImportRecord,
    InvoiceState,
    IssuedInvoice,
    Owner,
    StatusEvent,
    TrustScope,
    discrepancies,
    explain_hold,
    is_lost,
    is_older,
    reconcile,
)
from service.domain.timeslots import LONDON
from service.domain.users import Role, User
from service.ports.unit_of_work import (
    WithAudit,
    WithBookings,
    WithInvoices,
    WithOutbox,
    WithReconciliation,
    WithTrusts,
    WithUsers,
    WithVenues,
)
from service.usecases.context import Context


class ReconciliationStores(
    WithTrusts,
    WithVenues,
    WithBookings,
    WithInvoices,
    WithOutbox,
    WithUsers,
    WithAudit,
    WithReconciliation,
    Protocol,
):
    """The stores the reconciliation use cases use: nothing else is in reach."""


@dataclass(frozen=True)
class ImportOutcome:
    record: ImportRecord
    already_imported: bool


@contextmanager
def _cycles_collected_after() -> Iterator[None]:
    """Pauses the cyclic garbage collector, and resumes it as it was. An import holds tens of
    thousands of objects until it ends (rows, invoices, events, states), freed then by
    reference counting; meanwhile they would set off full collections of the whole process
    (a fifth of an import's time, measured), finding nothing to free."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


@_cycles_collected_after()
def import_finance_export(
    ctx: Context,
    uow: ReconciliationStores,
    actor: User,
    data: bytes,
    filename: str,
    profile_name: str,
    progress: Callable[[int], None] | None = None,
    *,
    time_limit: float | None = None,
    as_of: date | None = None,
) -> ImportOutcome:
    """All or nothing: a refused file, or any failure, leaves the database as it was. The same
    file twice (by SHA-256) changes nothing; a later export records only what changed, and
    an older one (by the day its data is as of: `as_of`, else as export_as_of finds it)
    never moves an invoice back. Rows are matched within their trust (TrustScope). Past
    `time_limit` seconds it stops (TooSlow) at the next check and rolls back."""
    actor.require(Role.FINANCE, Role.ADMIN)
    in_time = _Deadline(time_limit)
    profile = ctx.exports.get(profile_name)
    digest = hashlib.sha256(data).hexdigest()
    now = ctx.clock.now()
    with uow:
        earlier = uow.reconciliation.import_of(profile.name, digest)
        if earlier:
            return ImportOutcome(earlier, already_imported=True)
        suppliers = SupplierIndex(
            (v.id, v.supplier_number, v.name) for v in uow.venues.all() if v.id is not None
        )
        scope = TrustScope(
            {
                normalise_business_unit(t.business_unit): t.id
                for t in uow.trusts.all()
                if t.id and t.business_unit
            },
            actor.trust_id,
        )
    reading = ctx.exports.read(data, profile, suppliers, in_time.watching(progress))
    day, source = export_as_of(as_of, reading.rows, filename, now.astimezone(LONDON).date())
    with uow:
        in_time.check()
        uow.reconciliation.lock()  # may wait for another import
        in_time.check()
        earlier = uow.reconciliation.import_of(profile.name, digest)  # imported meanwhile
        if earlier:
            return ImportOutcome(earlier, already_imported=True)
        record = uow.reconciliation.add_import(
            ImportRecord(
                profile.name,
                filename[:255],
                digest,
                actor.label,
                now,
                actor.trust_id,
                as_of=day,
                as_of_source=source,
                rows_read=reading.rows_read,
                other_suppliers=reading.other_suppliers,
                blank_lines=reading.blank_lines,
                errors=len(reading.errors),
                row_errors=reading.errors[:1000],
            )
        )
        assert record.id is not None
        ours = {i.id: i for i in uow.reconciliation.issued_invoices()}
        states = uow.reconciliation.states()
        found = reconcile(
            reading.rows,
            list(ours.values()),
            states,
            import_id=record.id,
            at=now,
            as_of=day,
            scope=scope,
            recorded=uow.reconciliation.recorded(
                [i for i, state in states.items() if is_older(day, state)]
            ),
        )
        uow.reconciliation.add_events(found.events)
        replacing = [s.invoice_id for s in found.changed if s.invoice_id in states]
        uow.reconciliation.save_states(found.changed, replacing=replacing)
        uow.reconciliation.now_as_of(found.unchanged, day)
        uow.reconciliation.add_findings(found.findings)
        record.matched, record.changes = found.matched, len(found.events)
        record.discrepancies = found.discrepancies
        record.other_units, record.kept = found.other_units, found.kept
        record.older_than = found.older_than
        uow.reconciliation.update_import(record)
        _notify_hold_owners(ctx, uow, [e for e in found.events if e.hold_code], ours, record.id)
        uow.audit.record(AuditEvent(now, actor.label, "imported", "procurement_import", record.id))
        in_time.check()
        uow.commit()
    return ImportOutcome(record, already_imported=False)


class _Deadline:
    """Checked between every few thousand lines read and between the steps of storing: an
    import that would outlast the web server's worker timeout stops while it can still roll
    back and say so, instead of the worker being killed mid-request."""

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self.at = None if seconds is None else time.monotonic() + seconds

    def check(self, *_: object) -> None:
        if self.at is not None and time.monotonic() > self.at:
            raise TooSlow(
                f"The import took longer than the {self.seconds:g} seconds it may take, so it "
                "was stopped and nothing was changed. Try again when fewer imports are running, "
                "or split the file (or import it with `roomhire exports import`, which has "
                "no time limit).",
                limit_seconds=self.seconds,
            )

    def watching(self, progress: Callable[[int], None] | None) -> Callable[[int], None]:
        def watched(line: int) -> None:
            self.check()
            if progress:
                progress(line)

        return watched


def _notify_hold_owners(
    ctx: Context,
    uow: ReconciliationStores,
    holds: list[StatusEvent],
    ours: dict[int, IssuedInvoice],
    import_id: int,
) -> None:
    """One notice per new hold and person who must act, through the delivery outbox."""
    held = [ours[event.invoice_id] for event in holds]
    digests = uow.invoices.documents_digests([i.id for i in held])
    facilitators = uow.bookings.facilitator_emails([i.booking_id for i in held])
    venues = {v.id: v.contact_email for v in uow.venues.all()}
    finance: dict[int, list[str]] = {}
    notices = []
    for event, invoice in zip(holds, held, strict=True):
        assert event.hold_code is not None
        match explain_hold(event.hold_code).owner:
            case Owner.FACILITATOR:
                people = (
                    [facilitators[invoice.booking_id]] if invoice.booking_id in facilitators else []
                )
            case Owner.VENUE:
                people = [venues[invoice.venue_id]]
            case Owner.FINANCE:
                if invoice.trust_id not in finance:
                    users = uow.users.find(role=Role.FINANCE, trust_id=invoice.trust_id)
                    finance[invoice.trust_id] = [u.email for u in users]
                people = finance[invoice.trust_id]
        for to in people:
            topic = hold_topic(event.hold_code, import_id, to)
            notices.append(
                OutboxMessage(
                    invoice.id,
                    Recipient.HOLD_NOTICE,
                    to,
                    f"{invoice.number} is on hold ({event.hold_code})",
                    message_id(invoice.venue_id, invoice.number, Recipient.HOLD_NOTICE, topic),
                    digests[invoice.id],
                    ctx.clock.now(),
                    topic=topic,
                )
            )
    uow.outbox.add_all(notices)


def export_profiles(ctx: Context, actor: User) -> dict[str, str]:
    """The export profiles finance may choose from by name (not mapping files by path), each
    with its description; a configured mapping file that is wrong is listed without one (an
    import with it says what is wrong)."""
    actor.require(Role.FINANCE, Role.ADMIN)
    profiles = {}
    for name in ctx.exports.names():
        try:
            profiles[name] = ctx.exports.get(name).description
        except ProfileInvalid:
            profiles[name] = ""
    return profiles


def imports(ctx: Context, uow: ReconciliationStores, actor: User) -> list[ImportRecord]:
    actor.require(Role.FINANCE, Role.ADMIN)
    with uow:
        return uow.reconciliation.imports()


def get_import(
    ctx: Context, uow: ReconciliationStores, actor: User, import_id: int
) -> ImportRecord:
    actor.require(Role.FINANCE, Role.ADMIN)
    with uow:
        record = uow.reconciliation.get_import(import_id)
    if record is None:
        raise NotFound(f"There is no import {import_id}.")
    return record


def open_discrepancies(ctx: Context, uow: ReconciliationStores, actor: User) -> list[Discrepancy]:
    """Per invoice from its latest state, invoices no export has shown long after sending,
    and rows of the latest import of each profile and trust that match nothing we issued;
    but not those a person has marked as resolved (by `Discrepancy.key`)."""
    actor.require(Role.FINANCE, Role.ADMIN)
    with uow:
        found = found_discrepancies(ctx, uow)
        resolved = uow.reconciliation.resolved([d.key for d in found])
    return [d for d in found if d.key not in resolved]


def found_discrepancies(ctx: Context, uow: ReconciliationStores) -> list[Discrepancy]:
    """Every discrepancy, resolved or not, read in the caller's unit of work."""
    with uow:
        records = uow.reconciliation.imports()
        states = uow.reconciliation.states()
        ours = uow.reconciliation.issued_invoices()
        latest = {(r.profile, r.trust_id): r.id for r in reversed(records) if r.id is not None}
        findings = uow.reconciliation.findings(list(latest.values()))
    imported_on = {trust: last_import_on(records, trust) for trust in {i.trust_id for i in ours}}
    found: list[Discrepancy] = []
    for invoice in ours:
        lost = is_lost(invoice, imported_on[invoice.trust_id], ctx.lost_after)
        found += discrepancies(invoice, states.get(invoice.id), lost)
    return found + findings


def last_import_on(records: list[ImportRecord], trust_id: int) -> date | None:
    """The day the newest export that could have shown an invoice of that trust is as of."""
    days = [
        r.as_of or r.imported_at.astimezone(LONDON).date()
        for r in records
        if r.trust_id in (None, trust_id)
    ]
    return max(days, default=None)


@dataclass(frozen=True)
class InvoiceStatus:
    """What is known of an invoice: its state in NHS finance as the latest export showed it,
    or `sent` while no export has yet (None: not sent, not seen); and how it got there."""

    state: InvoiceState | None
    history: list[StatusEvent]

    @property
    def sent_at(self) -> datetime | None:
        """When the outbox first delivered it to the trust's accounts-payable inbox."""
        return min((e.at for e in self.history if e.status is FinanceStatus.SENT), default=None)


def invoice_status(
    ctx: Context, uow: ReconciliationStores, actor: User, invoice_id: int
) -> InvoiceStatus:
    actor.require(Role.FINANCE, Role.ADMIN)
    with uow:
        if uow.invoices.get(invoice_id) is None:
            raise NotFound(f"There is no invoice {invoice_id}.")
        state = uow.reconciliation.state(invoice_id)
        known = InvoiceStatus(state, uow.reconciliation.events(invoice_id))
    if state is None and known.sent_at is not None:
        return replace(known, state=InvoiceState(invoice_id, FinanceStatus.SENT))
    return known


def confirm_match(ctx: Context, uow: ReconciliationStores, actor: User, invoice_id: int) -> None:
    """A person confirms that a row matched by PO and amount really is this invoice."""
    actor.require(Role.FINANCE, Role.ADMIN)
    with uow:
        if uow.invoices.get(invoice_id) is None:
            raise NotFound(f"There is no invoice {invoice_id}.")
        state = uow.reconciliation.state(invoice_id)
        if state is None or not state.fallback or state.confirmed:
            raise RuleViolation(f"Invoice {invoice_id} has no match waiting to be confirmed.")
        uow.reconciliation.confirm(invoice_id)
        uow.audit.record(
            AuditEvent(ctx.clock.now(), actor.label, "match_confirmed", "invoice", invoice_id)
        )
        uow.commit()

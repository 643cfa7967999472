"""Finance's view across invoices, outbox and export states, as SQL: filters, counts and sums
run in the database and only a page of ids comes back."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, false, func, or_, select, true
from sqlalchemy.dialects.postgresql import JSONB

from adapters.db.repositories.base import Repository
from adapters.db.tables import Base, InvoiceRow, InvoiceStateRow, OutboxRow, StatusEventRow
from service.domain.delivery import TO_THE_TRUST, OutboxState
from service.domain.exports import FinanceStatus
from service.domain.payment_performance import SETTLED
from service.ports.ledger import InvoiceFilter, InvoiceQuery, ListedInvoice

_STATE = InvoiceStateRow
# Filters answered from the invoice, its emails and its status history, not its state.
_WITHOUT_STATE = frozenset(
    (
        InvoiceFilter.NOT_EMAILED,
        InvoiceFilter.EMAIL_FAILED,
        InvoiceFilter.NOT_SEEN,
        InvoiceFilter.LOST,
    )
)


def _unconfirmed() -> ColumnElement[bool]:
    """InvoiceState.unconfirmed, as its partial index spells it."""
    return and_(_STATE.fallback.is_(true()), _STATE.confirmed.is_(false()))


def _to_payables(*states: OutboxState) -> ColumnElement[bool]:
    """The invoice has a message to accounts payable (in one of `states`, when given). As
    IN over one uncorrelated subquery: SQLite would otherwise search the outbox by state for
    each invoice."""
    messages = select(OutboxRow.invoice_id).where(
        OutboxRow.invoice_id.is_not(None),
        OutboxRow.recipient.in_(sorted(TO_THE_TRUST)),
    )
    if states:
        messages = messages.where(OutboxRow.state.in_([s.value for s in states]))
    return InvoiceRow.id.in_(messages)


def _every(table: type[Base]) -> Select[Any]:
    return select(func.count()).select_from(table)


class Ledger(Repository):
    def invoice_ids(self, query: InvoiceQuery, limit: int, offset: int) -> tuple[list[int], int]:
        selected = self._selecting(select(InvoiceRow.id), query)
        page = selected.order_by(InvoiceRow.id.desc()).limit(limit).offset(offset)
        ids = list(self.db.scalars(page))
        if len(ids) < limit and (ids or not offset):  # the last page: no need to count
            return ids, offset + len(ids)
        return ids, self.count(query)

    def listed(self, invoice_ids: Sequence[int]) -> list[ListedInvoice]:
        """Only the columns the list shows: no lines, no ORM objects."""
        query = select(
            InvoiceRow.id,
            InvoiceRow.number,
            InvoiceRow.supplier,
            InvoiceRow.issue_date,
            InvoiceRow.gross_pence,
            InvoiceRow.credits_invoice,
        ).where(InvoiceRow.id.in_(set(invoice_ids)))
        found = {
            id_: ListedInvoice(id_, number, supplier["name"], issued, gross, credits)
            for id_, number, supplier, issued, gross, credits in self.db.execute(query)
        }
        return [found[i] for i in invoice_ids if i in found]

    def count(self, query: InvoiceQuery) -> int:
        return int(self.db.scalar(self._selecting(select(func.count()), query)) or 0)

    def email_counts(self) -> tuple[int, int]:
        """Invoices not emailed, and those whose email failed, by counting messages: an
        invoice has at most one to accounts payable (uq_outbox_once; its topic is empty),
        and a failed one is found through the outbox's state index."""
        payables = (
            select(func.count())
            .select_from(OutboxRow)
            .where(
                OutboxRow.recipient.in_(sorted(TO_THE_TRUST)),
                OutboxRow.invoice_id.is_not(None),
            )
        )
        failed = payables.where(OutboxRow.state == OutboxState.FAILED.value)
        invoices, emailed, failures = self._scalars(_every(InvoiceRow), payables, failed)
        return invoices - emailed, failures

    def _scalars(self, *queries: Select[Any]) -> tuple[int, ...]:
        """Several counts or sums in one statement (each a round trip fewer)."""
        one = select(*(query.scalar_subquery() for query in queries))
        return tuple(int(n or 0) for n in self.db.execute(one).one())

    def holds(self) -> dict[str, int]:
        held = select(_STATE.holds).where(_STATE.status == FinanceStatus.ON_HOLD.value)
        counts: dict[str, int] = {}
        for codes in self.db.scalars(held):
            for code in set(codes):
                counts[code] = counts.get(code, 0) + 1
        return dict(sorted(counts.items()))

    def month_totals(self, first: date, last: date) -> tuple[int, int]:
        invoiced = select(func.coalesce(func.sum(InvoiceRow.gross_pence), 0)).where(
            InvoiceRow.issue_date.between(first, last)
        )
        paid = select(func.coalesce(func.sum(_STATE.paid_pence), 0)).where(
            _STATE.payment_date.between(first, last)
        )
        invoiced_pence, paid_pence = self._scalars(invoiced, paid)
        return invoiced_pence, paid_pence

    def owed(self) -> list[tuple[date, int]]:
        """Two narrow reads rather than one over every invoice: the unsettled states (by
        their status index), and the invoices in no export (see _unseen); each summed by
        invoice date in the database, so a few dozen rows come back, not every open invoice."""
        open_ = [s.value for s in FinanceStatus if s not in SETTLED]
        day = InvoiceRow.issue_date
        unsettled = (
            select(day, func.sum(InvoiceRow.gross_pence - _STATE.paid_pence))
            .join(_STATE, _STATE.invoice_id == InvoiceRow.id)
            .where(InvoiceRow.id.in_(select(_STATE.invoice_id).where(_STATE.status.in_(open_))))
            .group_by(day)
        )
        unseen = (
            select(day, func.sum(InvoiceRow.gross_pence))
            .where(InvoiceRow.id.in_(self._unseen()))
            .group_by(day)
        )
        owed: dict[date, int] = {}
        for query in (unsettled, unseen):
            for issued, pence in self.db.execute(query):
                owed[issued] = owed.get(issued, 0) + int(pence)
        return sorted(owed.items())

    def _unseen(self) -> Select[Any]:
        """The ids of the invoices in no export. A state is kept per invoice an export has
        shown, so their number is a difference of two counts; they are looked for newest
        first (an export soon shows an invoice), stopping once all are found."""
        invoices, seen = self._scalars(_every(InvoiceRow), _every(_STATE))
        return (
            select(InvoiceRow.id)
            .outerjoin(_STATE, _STATE.invoice_id == InvoiceRow.id)
            .where(_STATE.invoice_id.is_(None))
            .order_by(InvoiceRow.id.desc())
            .limit(max(invoices - seen, 0))
        )

    def _selecting(self, selected: Select[Any], query: InvoiceQuery) -> Select[Any]:
        """The invoices the query selects. Their states are joined only when a filter reads
        them, and then inner: an invoice in no export has no state, and no filter on the
        state selects it (so a count of every invoice reads no state, and matches to confirm
        are found through their partial index)."""
        selected = selected.select_from(InvoiceRow)
        if query.hold is not None or (
            query.status is not None and query.status not in _WITHOUT_STATE
        ):
            selected = selected.join(_STATE, _STATE.invoice_id == InvoiceRow.id)
        if query.venue_id is not None:
            selected = selected.where(InvoiceRow.venue_id == query.venue_id)
        if query.trust_id is not None:
            selected = selected.where(InvoiceRow.trust_id == query.trust_id)
        if query.issued_from is not None:
            selected = selected.where(InvoiceRow.issue_date >= query.issued_from)
        if query.issued_to is not None:
            selected = selected.where(InvoiceRow.issue_date <= query.issued_to)
        if query.hold is not None:
            selected = selected.where(self._held_for(query.hold))
        if query.status is not None:
            selected = selected.where(self._status(query))
        return selected

    def _status(self, query: InvoiceQuery) -> ColumnElement[bool]:
        match query.status:
            case InvoiceFilter.NOT_EMAILED:
                return ~_to_payables()
            case InvoiceFilter.EMAIL_FAILED:
                return and_(_to_payables(OutboxState.FAILED), ~_to_payables(OutboxState.SENT))
            case InvoiceFilter.TO_CONFIRM:
                return _unconfirmed()
            case InvoiceFilter.NOT_SEEN:
                return InvoiceRow.id.in_(self._unseen())
            case InvoiceFilter.LOST:  # a match by PO and amount counts once a person confirms it
                unconfirmed = select(_STATE.invoice_id).where(_unconfirmed())
                return and_(
                    or_(InvoiceRow.id.in_(self._unseen()), InvoiceRow.id.in_(unconfirmed)),
                    self._sent_long_ago(query),
                )
        assert query.status is not None
        return _STATE.status == query.status.value

    @staticmethod
    def _sent_long_ago(query: InvoiceQuery) -> ColumnElement[bool]:
        if not query.lost_if_sent_before:
            return false()
        return or_(
            *(
                and_(
                    InvoiceRow.trust_id == trust_id,
                    InvoiceRow.id.in_(
                        select(StatusEventRow.invoice_id).where(
                            StatusEventRow.status == FinanceStatus.SENT.value,
                            StatusEventRow.at < before,
                        )
                    ),
                )
                for trust_id, before in query.lost_if_sent_before.items()
            )
        )

    def _held_for(self, code: str) -> ColumnElement[bool]:
        """The state's holds (a JSON list) include the code."""
        if self.db.get_bind().dialect.name == "postgresql":
            contains: ColumnElement[bool] = _STATE.holds.cast(JSONB).contains([code])
            return contains
        each = func.json_each(_STATE.holds).table_valued("value")
        return exists().select_from(each).where(each.c.value == code)

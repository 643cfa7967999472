"""Finance's view across invoices, outbox and export states, as SQL: filters, counts and sums
run in the database and only a page of ids comes back."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, exists, false, func, or_, select, true
from sqlalchemy.dialects.postgresql import JSONB

from adapters.db.repositories.base import Repository
from adapters.db.tables import InvoiceRow, InvoiceStateRow, OutboxRow, StatusEventRow
from service.domain.delivery import OutboxState, Recipient
from service.domain.exports import FinanceStatus
from service.ports.ledger import InvoiceFilter, InvoiceQuery, Money

_STATE = InvoiceStateRow
_CLOSED = (FinanceStatus.CANCELLED.value, FinanceStatus.REJECTED.value)
_AGE_BANDS = (30, 60, 90)  # the last day of each band but the last (90+)


def _to_payables(*states: OutboxState) -> ColumnElement[bool]:
    """The invoice has a message to accounts payable (in one of `states`, when given). As
    IN over one uncorrelated subquery: SQLite would otherwise search the outbox by state for
    each invoice."""
    messages = select(OutboxRow.invoice_id).where(
        OutboxRow.invoice_id.is_not(None),
        OutboxRow.recipient == Recipient.ACCOUNTS_PAYABLE.value,
    )
    if states:
        messages = messages.where(OutboxRow.state.in_([s.value for s in states]))
    return InvoiceRow.id.in_(messages)


class Ledger(Repository):
    def invoice_ids(self, query: InvoiceQuery, limit: int, offset: int) -> tuple[list[int], int]:
        selected = self._selecting(select(InvoiceRow.id), query)
        page = selected.order_by(InvoiceRow.id.desc()).limit(limit).offset(offset)
        ids = list(self.db.scalars(page))
        if len(ids) < limit and (ids or not offset):  # the last page: no need to count
            return ids, offset + len(ids)
        return ids, self.count(query)

    def count(self, query: InvoiceQuery) -> int:
        return int(self.db.scalar(self._selecting(select(func.count()), query)) or 0)

    def holds(self) -> dict[str, int]:
        held = select(_STATE.holds).where(_STATE.status == FinanceStatus.ON_HOLD.value)
        counts: dict[str, int] = {}
        for codes in self.db.scalars(held):
            for code in set(codes):
                counts[code] = counts.get(code, 0) + 1
        return dict(sorted(counts.items()))

    def money(self, month: tuple[date, date], today: date) -> Money:
        first, last = month
        invoiced = select(func.coalesce(func.sum(InvoiceRow.gross_pence), 0)).where(
            InvoiceRow.issue_date.between(first, last)
        )
        paid = select(func.coalesce(func.sum(_STATE.paid_pence), 0)).where(
            _STATE.payment_date.between(first, last)
        )
        owed = InvoiceRow.gross_pence - func.coalesce(_STATE.paid_pence, 0)
        band = case(
            *(
                (InvoiceRow.issue_date >= today - timedelta(days=most), n)
                for n, most in enumerate(_AGE_BANDS)
            ),
            else_=len(_AGE_BANDS),
        )
        aged_query = (
            select(band, func.sum(owed))
            .select_from(InvoiceRow)
            .outerjoin(_STATE, _STATE.invoice_id == InvoiceRow.id)
            .where(or_(_STATE.status.is_(None), _STATE.status.not_in(_CLOSED)))
            .group_by(band)
        )
        aged = [0] * (len(_AGE_BANDS) + 1)
        for n, pence in self.db.execute(aged_query):
            aged[n] = int(pence or 0)
        return Money(
            int(self.db.scalar(invoiced) or 0),
            int(self.db.scalar(paid) or 0),
            (aged[0], aged[1], aged[2], aged[3]),
        )

    def _selecting(self, selected: Select[Any], query: InvoiceQuery) -> Select[Any]:
        selected = selected.select_from(InvoiceRow).outerjoin(
            _STATE, _STATE.invoice_id == InvoiceRow.id
        )
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
                return and_(_STATE.fallback.is_(true()), _STATE.confirmed.is_(false()))
            case InvoiceFilter.NOT_SEEN:
                return _STATE.invoice_id.is_(None)
            case InvoiceFilter.LOST:
                return and_(_STATE.invoice_id.is_(None), self._sent_long_ago(query))
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

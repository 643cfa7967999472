"""The rules behind finance's work-to-do page: when a PO is running out, and where an
invoice's email to accounts payable is."""

from __future__ import annotations

from datetime import UTC, date, datetime

from service.domain.delivery import EmailState, OutboxMessage, OutboxState, Recipient, email_state
from service.domain.purchasing import PurchaseOrder

TODAY = date(2027, 1, 4)


def po(valid_to: date = date(2027, 3, 31)) -> PurchaseOrder:
    return PurchaseOrder("RZZPO0000123", 1, 1, "CC1", 100_000, date(2026, 4, 1), valid_to)


def test_a_po_runs_out_past_80_percent_committed() -> None:
    assert not po().running_out(80_000, TODAY, sessions_after_end=True)
    assert po().running_out(80_001, TODAY, sessions_after_end=False)


def test_a_po_runs_out_ending_within_30_days_with_sessions_after_it() -> None:
    ending = po(date(2027, 2, 3))  # 30 days on
    assert ending.running_out(0, TODAY, sessions_after_end=True)
    assert not ending.running_out(0, TODAY, sessions_after_end=False)
    assert not po(date(2027, 2, 4)).running_out(0, TODAY, sessions_after_end=True)
    assert not po(date(2027, 1, 3)).running_out(0, TODAY, sessions_after_end=True)  # ended


def message(recipient: Recipient, state: OutboxState) -> OutboxMessage:
    at = datetime(2027, 1, 4, tzinfo=UTC)
    return OutboxMessage(1, recipient, "ap@example.nhs.uk", "s", "<id>", "", at, state=state)


def test_the_accounts_payable_message_decides_the_email_state() -> None:
    assert email_state([]) is EmailState.NOT_QUEUED
    copy = message(Recipient.VENUE_COPY, OutboxState.SENT)
    assert email_state([copy]) is EmailState.NOT_QUEUED
    ap = message(Recipient.ACCOUNTS_PAYABLE, OutboxState.PENDING)
    assert email_state([copy, ap]) is EmailState.QUEUED
    failed = message(Recipient.ACCOUNTS_PAYABLE, OutboxState.FAILED)
    assert email_state([failed]) is EmailState.FAILED
    sent = message(Recipient.ACCOUNTS_PAYABLE, OutboxState.SENT)
    assert email_state([failed, sent]) is EmailState.SENT

"""Delivery's rules on plain objects: each message is sent once, retried with growing,
jittered backoff while failures are temporary, dead-lettered when not; subjects are filled
from a checked template, and message ids are stable."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.domain.delivery import (
    DEFAULT_SUBJECT,
    FIRST_RETRY,
    LONGEST_RETRY,
    MAX_ATTEMPTS,
    EmailState,
    OutboxState,
    Recipient,
    check_subject_template,
    closed_session,
    closure_topic,
    email_state,
    ensure_attachable,
    hold_code,
    hold_topic,
    message_id,
    subject,
)
from service.domain.errors import RuleViolation
from service.domain.invoicing import DocumentKind
from tests.unit.builders import IMPORTED_AT, a_message, a_party, an_invoice

NOW = IMPORTED_AT


class Fixed(random.Random):
    """A random source that always draws the same point of the jitter range."""

    def __init__(self, fraction: float) -> None:
        super().__init__()
        self.fraction = fraction

    def uniform(self, a: float, b: float) -> float:
        return a + (b - a) * self.fraction


def failed_after(attempts: int, rng: random.Random) -> timedelta:
    """How long a message waits after its `attempts`th attempt failed for now."""
    message = a_message()
    for _ in range(attempts):
        message.claim(NOW)
    message.failed_temporarily("421 try later", NOW, rng)
    assert message.state is OutboxState.PENDING and message.next_attempt_at is not None
    return message.next_attempt_at - NOW


def test_the_wait_doubles_from_thirty_seconds_with_each_failed_attempt() -> None:
    """Eight attempts over about an hour; the one-hour ceiling (LONGEST_RETRY) is not reached
    before the last attempt dead-letters the message."""
    waits = [failed_after(n, Fixed(1.0)) for n in range(1, MAX_ATTEMPTS)]
    assert waits == [FIRST_RETRY * 2**n for n in range(MAX_ATTEMPTS - 1)]
    assert waits[:3] == [timedelta(seconds=30), timedelta(minutes=1), timedelta(minutes=2)]
    assert max(waits) < LONGEST_RETRY


def test_jitter_waits_between_half_and_all_of_the_ceiling() -> None:
    assert failed_after(1, Fixed(0.0)) == FIRST_RETRY / 2
    assert failed_after(3, Fixed(0.5)) == timedelta(seconds=90)


@settings(max_examples=200, deadline=None)
@given(attempts=st.integers(1, MAX_ATTEMPTS - 1), seed=st.integers(0, 2**32))
def test_every_wait_lies_between_half_and_all_of_its_ceiling(attempts: int, seed: int) -> None:
    ceiling = min(FIRST_RETRY * 2 ** (attempts - 1), LONGEST_RETRY)
    assert ceiling / 2 <= failed_after(attempts, random.Random(seed)) <= ceiling


def test_the_last_attempt_failing_dead_letters_the_message_for_finance() -> None:
    message = a_message(attempts=MAX_ATTEMPTS - 1)
    message.claim(NOW)
    message.failed_temporarily("421 try later", NOW, random.Random(1))
    assert (message.state, message.last_error, message.next_attempt_at) == (
        OutboxState.FAILED,
        "421 try later",
        None,
    )


def test_a_permanent_failure_dead_letters_at_once_and_finance_may_retry_it() -> None:
    message = a_message()
    message.claim(NOW)
    message.failed_permanently("550 no such mailbox")
    assert (message.state, message.last_error) == (OutboxState.FAILED, "550 no such mailbox")
    later = NOW + timedelta(hours=2)
    message.retry(later)
    assert (message.state, message.attempts, message.next_attempt_at) == (
        OutboxState.PENDING,
        0,
        later,
    )


@pytest.mark.parametrize("state", [OutboxState.PENDING, OutboxState.SENDING, OutboxState.SENT])
def test_only_a_failed_message_can_be_retried(state: OutboxState) -> None:
    with pytest.raises(RuleViolation, match="Only failed messages"):
        a_message(state=state).retry(NOW)


def test_a_claim_counts_an_attempt_and_a_sent_message_keeps_the_server_reply() -> None:
    message = a_message(last_error="timed out")
    message.claim(NOW)
    assert (message.state, message.attempts, message.claimed_at) == (OutboxState.SENDING, 1, NOW)
    message.sent("250 2.0.0 Ok: queued as 4F2", NOW)
    assert (message.state, message.server_reply, message.sent_at, message.last_error) == (
        OutboxState.SENT,
        "250 2.0.0 Ok: queued as 4F2",
        NOW,
        None,
    )
    assert not message.possible_duplicate


def test_reclaiming_a_message_a_dead_worker_left_sending_flags_a_possible_duplicate() -> None:
    message = a_message(state=OutboxState.SENDING, attempts=1)
    message.claim(NOW)
    assert message.possible_duplicate and message.attempts == 2


def test_a_failure_after_the_server_may_have_accepted_it_flags_a_possible_duplicate() -> None:
    unsure, sure = a_message(), a_message()
    unsure.failed_temporarily("connection reset", NOW, random.Random(1), maybe_delivered=True)
    sure.failed_temporarily("connection refused", NOW, random.Random(1))
    assert unsure.possible_duplicate and not sure.possible_duplicate


# Subjects


def test_the_subject_names_the_document_number_po_and_supplier() -> None:
    assert subject(DEFAULT_SUBJECT, an_invoice()) == (
        "Invoice SMCH0001 - PO RZZPO0000001 - St Mark's Community Hall CIC"
    )
    note = an_invoice(kind=DocumentKind.CREDIT_NOTE, number="SMCHCN0001")
    assert subject("{document} {number} {po_number}", note).startswith("Credit note SMCHCN0001")


def test_a_subject_is_one_line_of_at_most_300_characters_whatever_the_supplier_is_called() -> None:
    long_name = an_invoice(supplier=a_party(name="Hall\r\nBcc: x@example.org " + "x" * 400))
    filled = subject(DEFAULT_SUBJECT, long_name)
    assert "\n" not in filled and "\r" not in filled and len(filled) == 300


def test_a_template_saved_before_the_checks_fills_only_the_known_placeholders() -> None:
    assert subject("{number} {0.__class__} {po_number:>999}", an_invoice()) == (
        "SMCH0001 {0.__class__} {po_number:>999}"
    )


@pytest.mark.parametrize(
    ("template", "says"),
    [
        ("{number} {po_number} {document} {total}", "{total}"),
        ("{number} {po_number} {document} {", "{ is not one of them"),
        ("{number} {po_number} {document:>99}", "{document:>99}"),
        ("{number} {po_number}", "must contain {document}"),
        ("{number} {po_number} {document}\nBcc: x", "one line"),
        ("{number} {po_number} {document} " + "x" * 200, "at most 200 characters"),
    ],
)
def test_a_subject_template_is_refused_saying_what_is_wrong(template: str, says: str) -> None:
    with pytest.raises(RuleViolation, match="invoice email subject") as refused:
        check_subject_template(template)
    assert says in str(refused.value)


def test_the_default_subject_template_is_accepted() -> None:
    assert check_subject_template(DEFAULT_SUBJECT) == DEFAULT_SUBJECT


# Identities and topics


def test_a_message_id_is_the_same_for_the_same_invoice_inbox_and_topic_only() -> None:
    first = message_id(7, "SMCH0001", Recipient.ACCOUNTS_PAYABLE)
    assert first == message_id(7, "SMCH0001", Recipient.ACCOUNTS_PAYABLE)
    assert first.startswith("<SMCH0001.") and first.endswith(".accounts_payable@roomhire.invalid>")
    others = {
        message_id(8, "SMCH0001", Recipient.ACCOUNTS_PAYABLE),
        message_id(7, "SMCH0002", Recipient.ACCOUNTS_PAYABLE),
        message_id(7, "SMCH0001", Recipient.ACCOUNTS_PAYABLE, "hold QTY REC"),
    }
    assert first not in others and len(others) == 3


def test_topics_give_back_what_they_are_about() -> None:
    topic = hold_topic("PO NOT APPROVED", 12, "finance@example.nhs.uk")
    assert topic == "hold PO NOT APPROVED | import 12 | finance@example.nhs.uk"
    assert hold_code(topic) == "PO NOT APPROVED"
    assert closed_session(closure_topic(345)) == 345


def test_documents_over_10_mb_in_all_cannot_be_attached() -> None:
    ensure_attachable([10 * 1024 * 1024])
    ensure_attachable([6 * 1024 * 1024, 4 * 1024 * 1024])
    with pytest.raises(RuleViolation, match="at most 10 MB"):
        ensure_attachable([6 * 1024 * 1024, 4 * 1024 * 1024 + 1])


def test_the_message_to_the_trust_decides_whether_by_email_or_through_peppol() -> None:
    copy = a_message(recipient=Recipient.VENUE_COPY, state=OutboxState.SENT)
    assert email_state([copy]) is EmailState.NOT_QUEUED
    for route in (Recipient.ACCOUNTS_PAYABLE, Recipient.ACCESS_POINT):
        assert email_state([copy, a_message(recipient=route)]) is EmailState.QUEUED
        failed = a_message(recipient=route, state=OutboxState.FAILED)
        assert email_state([copy, failed]) is EmailState.FAILED
        sent = a_message(recipient=route, state=OutboxState.SENT)
        assert email_state([copy, sent]) is EmailState.SENT

"""Delivering invoices by email through a transactional outbox: each message is sent once,
retried with backoff while failures are temporary, and dead-lettered for finance when not."""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from service.domain.errors import RuleViolation
from service.domain.invoicing import DocumentKind, Invoice

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=1)
CLAIM_EXPIRES = timedelta(minutes=10)
DEFAULT_SUBJECT = "{document} {number} - PO {po_number} - {supplier}"
_REQUIRED = ("{document}", "{number}", "{po_number}")
PLACEHOLDERS = (*_REQUIRED, "{supplier}")
LONGEST_SUBJECT = 200  # characters of the setting; the email's subject is cut at 300


class Recipient(StrEnum):
    ACCOUNTS_PAYABLE = "accounts_payable"
    ACCESS_POINT = "access_point"  # the e-invoice, through PEPPOL, for a trust that takes them
    VENUE_COPY = "venue_copy"
    FACILITATOR_REMINDER = "facilitator_reminder"  # by GOV.UK Notify: confirm the sessions
    HOLD_NOTICE = "hold_notice"  # by GOV.UK Notify: the invoice is on hold and you must act
    STATUS_LINK = "status_link"  # a venue's status page link (the token is made when sent)
    SIGN_IN_LINK = "sign_in_link"  # a person's one-time link to sign in (made when sent)
    CLOSURE_NOTICE = "closure_notice"  # the venue closed on a booked session's day
    BANK_DETAILS_NOTICE = "bank_details_notice"  # a venue's recorded bank details changed
    VENUE_BOOKING = "venue_booking"  # a calendar invitation: a series booked, changed, cancelled


# The one message that carries an invoice to the trust: by email, or through PEPPOL.
TO_THE_TRUST = frozenset({Recipient.ACCOUNTS_PAYABLE, Recipient.ACCESS_POINT})


class OutboxState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"  # dead letter: finance sees it and may retry


def check_subject_template(template: str) -> str:
    """Only the known placeholders, written plainly: the setting is filled in by replacing
    them, never by Python's str.format (whose format specs could make 40 MB subjects)."""
    unknown = sorted(set(re.findall(r"\{[^}]*\}?", template)) - set(PLACEHOLDERS))
    if unknown or "{" in re.sub("|".join(map(re.escape, PLACEHOLDERS)), "", template):
        raise RuleViolation(
            f"The invoice email subject may use only {', '.join(PLACEHOLDERS)}; "
            f"{', '.join(unknown) or 'a lone {'} is not one of them.",
            field="invoice_subject",
        )
    if len(template) > LONGEST_SUBJECT or any(ord(c) < 32 for c in template):
        raise RuleViolation(
            f"The invoice email subject must be one line of at most {LONGEST_SUBJECT} characters.",
            field="invoice_subject",
        )
    missing = [part for part in _REQUIRED if part not in template]
    if missing:
        raise RuleViolation(
            f"The invoice email subject must contain {', '.join(missing)} so accounts payable "
            "can match it.",
            field="invoice_subject",
        )
    return template


def subject(template: str, invoice: Invoice) -> str:
    """The trust's subject with its placeholders filled in. A setting saved before it was
    checked this strictly can't stop the invoice: only the known placeholders are replaced."""
    values = {
        "{document}": "Credit note" if invoice.kind is DocumentKind.CREDIT_NOTE else "Invoice",
        "{number}": invoice.number,
        "{po_number}": invoice.po_number,
        "{supplier}": invoice.supplier.name,
    }
    pattern = "|".join(map(re.escape, values))
    filled = re.sub(pattern, lambda m: values[m.group(0)], template)
    return " ".join(filled.split())[:300]  # one line, and no longer than the outbox keeps


def message_id(venue_id: int, number: str, recipient: Recipient, topic: str = "") -> str:
    """Deterministic, so a resend of the same invoice to the same inbox can be recognised."""
    key = f"{venue_id}/{number}" + (f"/{topic}" if topic else "")
    digest = hashlib.sha256(key.encode()).hexdigest()[:20]
    return f"<{number}.{digest}.{recipient.value}@roomhire.invalid>"


def hold_topic(code: str, import_id: int, to: str) -> str:
    return f"hold {code} | import {import_id} | {to}"


def hold_code(topic: str) -> str:
    return topic.removeprefix("hold ").split(" | ")[0]


def closure_topic(session_id: int) -> str:
    return f"closure of session {session_id}"


def closed_session(topic: str) -> int:
    return int(topic.removeprefix("closure of session "))


_BANK = "bank details of venue "


def bank_details_topic(venue_id: int, changed: str, actor: str) -> str:
    """What the notice says, masked (the outbox keeps no body): the venue, what changed,
    who changed it; cut to what the outbox keeps, the actor last."""
    return f"{_BANK}{venue_id} | {changed} | {actor}"[:300]


def bank_details_changed(topic: str) -> tuple[int, str, str]:
    """(venue id, what changed, by whom) from bank_details_topic."""
    venue_id, changed, actor = topic.removeprefix(_BANK).split(" | ", 2)
    return int(venue_id), changed, actor


def ensure_attachable(sizes: Iterable[int]) -> None:
    total = sum(sizes)
    if total > MAX_ATTACHMENT_BYTES:
        raise RuleViolation(
            f"The invoice's documents are {total} bytes; the inbox takes at most 10 MB."
        )


@dataclass
class OutboxMessage:
    invoice_id: int | None  # None for a status or sign-in link
    recipient: Recipient
    to: str
    subject: str
    message_id: str
    documents_sha256: str  # of the invoice's documents when queued ("" for Roomhire's own)
    created_at: datetime
    state: OutboxState = OutboxState.PENDING
    attempts: int = 0
    next_attempt_at: datetime | None = None
    claimed_at: datetime | None = None
    last_error: str | None = None
    server_reply: str | None = None
    sent_at: datetime | None = None
    possible_duplicate: bool = False
    topic: str = ""  # what a notice is about, e.g. hold_topic(...): one message per topic
    status_link_id: int | None = None
    sign_in_link_id: int | None = None
    calendar: str = ""  # an iCalendar object to attach, as it was when queued
    note: str = ""  # lines of text the email says, as they were when queued
    id: int | None = None

    def claim(self, now: datetime) -> None:
        """A claim left in `sending` by a worker that died may have been accepted by the
        server before the result was recorded: sending again may duplicate, so flag it."""
        if self.state is OutboxState.SENDING:
            self.possible_duplicate = True
        self.state, self.claimed_at = OutboxState.SENDING, now
        self.attempts += 1

    def sent(self, reply: str, now: datetime) -> None:
        self.state, self.server_reply, self.sent_at, self.last_error = (
            OutboxState.SENT,
            reply,
            now,
            None,
        )

    def failed_temporarily(
        self, error: str, now: datetime, rng: random.Random, *, maybe_delivered: bool = False
    ) -> None:
        self.last_error = error
        self.possible_duplicate |= maybe_delivered  # the next send may repeat a delivered one
        if self.attempts >= MAX_ATTEMPTS:
            self.state = OutboxState.FAILED
            return
        ceiling = min(FIRST_RETRY * 2 ** (self.attempts - 1), LONGEST_RETRY)
        self.state = OutboxState.PENDING
        self.next_attempt_at = now + ceiling * rng.uniform(0.5, 1.0)  # jitter spreads retries

    def failed_permanently(self, error: str) -> None:
        self.state, self.last_error = OutboxState.FAILED, error

    def retry(self, now: datetime) -> None:
        if self.state is not OutboxState.FAILED:
            raise RuleViolation(f"Only failed messages can be retried; this one is {self.state}.")
        self.state, self.attempts, self.next_attempt_at = OutboxState.PENDING, 0, now


class EmailState(StrEnum):
    """Where an invoice's email to the trust's accounts-payable inbox is."""

    NOT_QUEUED = "not_queued"  # never sent
    QUEUED = "queued"  # waiting in the outbox (or being retried)
    SENT = "sent"
    FAILED = "failed"  # dead-lettered: finance must look


def email_state(messages: Iterable[OutboxMessage]) -> EmailState:
    """From an invoice's outbox messages: the one to the trust (its accounts-payable inbox or
    its PEPPOL access point) decides."""
    to_payables = [m for m in messages if m.recipient in TO_THE_TRUST]
    if not to_payables:
        return EmailState.NOT_QUEUED
    states = {m.state for m in to_payables}
    if OutboxState.SENT in states:
        return EmailState.SENT
    return EmailState.FAILED if OutboxState.FAILED in states else EmailState.QUEUED

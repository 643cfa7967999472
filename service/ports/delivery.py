"""The outbox, and the ways out: email (SMTP or a folder) and notices (GOV.UK Notify or a file)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from service.domain.delivery import OutboxMessage, OutboxState


class OutboxRepository(Protocol):
    def add(self, message: OutboxMessage) -> OutboxMessage: ...
    def add_all(self, messages: Sequence[OutboxMessage]) -> None: ...
    def get(self, message_id: int) -> OutboxMessage | None: ...
    def find(
        self,
        *,
        state: OutboxState | None = None,
        invoice_id: int | None = None,
        invoice_ids: Sequence[int] | None = None,
    ) -> list[OutboxMessage]: ...
    def due(self, now: datetime, stale_before: datetime, limit: int) -> list[OutboxMessage]:
        """Pending messages due now and abandoned claims, locked for this transaction
        (skipping rows other workers hold)."""
        ...

    def save(self, message: OutboxMessage) -> None: ...
    def save_all(self, messages: Sequence[OutboxMessage]) -> None:
        """Write each message's state, in one statement (no read first)."""
        ...


@dataclass(frozen=True)
class Attachment:
    filename: str
    media_type: str  # "application/pdf", "text/calendar; method=REQUEST"
    content: bytes


@dataclass(frozen=True)
class Email:
    sender: str
    to: str
    subject: str
    message_id: str
    text: str
    attachments: tuple[Attachment, ...] = ()
    sender_name: str | None = None  # shown beside the address: who the email is from
    reply_to: str | None = None  # where answers go, when not to the sender
    html: str | None = None  # the same words as `text`, for mail programs that show HTML


class TemporaryDeliveryError(Exception):
    """Worth retrying: connection refused or dropped, timeout, SMTP 4xx. `maybe_delivered`
    when it failed after the message was handed over (the server may have accepted it)."""

    def __init__(self, message: str, *, maybe_delivered: bool = False) -> None:
        super().__init__(message)
        self.maybe_delivered = maybe_delivered


class PermanentDeliveryError(Exception):
    """Not worth retrying: SMTP 5xx (e.g. the recipient does not exist)."""


class Mailer(Protocol):
    def send(self, email: Email) -> str:
        """Hand the email over; return the server's reply once it has accepted it.
        Raises TemporaryDeliveryError or PermanentDeliveryError otherwise."""
        ...


@dataclass(frozen=True)
class Notice:
    """A short notification by GOV.UK Notify (which cannot attach a PDF)."""

    email_address: str
    template: str  # which message: a key of the configured Notify template ids
    personalisation: dict[str, str]
    reference: str


class Notifier(Protocol):
    def notify(self, notice: Notice) -> str:
        """Send it; return the provider's id for it. Raises TemporaryDeliveryError (429, 5xx,
        network) or PermanentDeliveryError (400, 403: retrying would not help)."""
        ...


class EmailTexts(Protocol):
    """The words of Roomhire's own emails, from templates people can edit."""

    def subject(self, name: str, **values: object) -> str: ...
    def body(self, name: str, **values: object) -> tuple[str, str]:
        """The plain text, and the same as HTML."""
        ...

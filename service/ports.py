"""The interfaces the use cases need. Adapters implement them; tests may fake them."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from types import TracebackType
from typing import Protocol, Self

from service.domain.audit import AuditEvent
from service.domain.bank_holidays import Region
from service.domain.bookings import BookingSeries, Session, SessionLine
from service.domain.calendar import CalendarEntry
from service.domain.calendar_links import CalendarLink
from service.domain.delivery import OutboxMessage, State
from service.domain.directory import Closure, Room, Trust, Venue
from service.domain.exports import ExportReading, Profile, SupplierIndex
from service.domain.invoicing import Invoice, Kind
from service.domain.purchasing import PurchaseOrder
from service.domain.reconciliation import (
    Discrepancy,
    ImportRecord,
    InvoiceState,
    Ours,
    StatusEvent,
)
from service.domain.staff_sessions import SignInLink, StaffSession
from service.domain.status_links import StatusLink
from service.domain.timeslots import Interval
from service.domain.users import Role, User
from service.domain.venue_status import StatementEntry


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware."""
        ...


class HolidayCalendar(Protocol):
    def holiday_name(self, day: date, region: Region) -> str | None:
        """The name of the bank holiday on that day in that region, or None. Only the dates
        GOV.UK publishes count: a holiday on a weekend counts on its substitute weekday
        ("Boxing Day (substitute day)"), not on the weekend day (see domain.bank_holidays)."""
        ...


class CalendarWriter(Protocol):
    def feed(self, name: str, entries: Sequence[CalendarEntry]) -> bytes: ...


class InvoiceRenderer(Protocol):
    def render(self, invoice: Invoice) -> bytes:
        """The invoice (or credit note) as a PDF document."""
        ...


@dataclass(frozen=True)
class Email:
    sender: str
    to: str
    subject: str
    message_id: str
    text: str
    attachment_name: str | None = None
    attachment: bytes | None = None  # a PDF
    sender_name: str | None = None  # shown beside the address: who the email is from
    reply_to: str | None = None  # where answers go, when not to the sender


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


class TrustRepository(Protocol):
    def add(self, trust: Trust) -> Trust: ...
    def update(self, trust: Trust) -> None: ...
    def get(self, trust_id: int, *, for_update: bool = False) -> Trust | None: ...
    def all(self) -> list[Trust]: ...


class VenueRepository(Protocol):
    def add(self, venue: Venue) -> Venue: ...
    def update(self, venue: Venue) -> None: ...
    def get(self, venue_id: int, *, for_update: bool = False) -> Venue | None: ...
    def all(self) -> list[Venue]: ...
    def add_closure(self, venue_id: int, closure: Closure) -> None: ...


class RoomRepository(Protocol):
    def add(self, room: Room) -> Room: ...
    def update(self, room: Room) -> None: ...
    def get(self, room_id: int, *, for_update: bool = False) -> Room | None: ...
    def find(self, *, min_capacity: int = 0, venue_id: int | None = None) -> list[Room]: ...


class BookingRepository(Protocol):
    def add(self, series: BookingSeries) -> BookingSeries: ...
    def get(self, series_id: int) -> BookingSeries | None: ...
    def find(
        self,
        *,
        facilitator_id: int | None = None,
        room_id: int | None = None,
        starting_within: Interval | None = None,
        purchase_order_id: int | None = None,
    ) -> list[BookingSeries]:
        """Series with at least one session starting within the interval, when given."""
        ...

    def session(self, session_id: int) -> Session | None: ...
    def session_lines(
        self,
        facilitator_id: int,
        *,
        now: datetime,
        past: bool,
        beyond: tuple[datetime, int] | None,
        limit: int,
    ) -> list[SessionLine]:
        """A facilitator's sessions to come (soonest first) or held (latest first), after
        (start, id) `beyond` in that order when given; at most `limit`."""
        ...

    def update_session(self, session: Session) -> None: ...
    def booked_overlapping(self, room_ids: Sequence[int], span: Interval) -> list[Session]:
        """Booked (not cancelled) sessions whose occupied time overlaps `span`."""
        ...

    def set_purchase_order(self, session_ids: Sequence[int], purchase_order_id: int) -> None: ...
    def facilitator_emails(self, series_ids: Sequence[int]) -> dict[int, str]:
        """The active facilitator of each booking series, by series id."""
        ...

    def committed_pence(self, purchase_order_id: int) -> int:
        """Gross value of every chargeable session of the series the PO covers."""
        ...


class PurchaseOrderRepository(Protocol):
    def add(self, po: PurchaseOrder) -> PurchaseOrder: ...
    def get(self, po_id: int, *, for_update: bool = False) -> PurchaseOrder | None:
        """`for_update` locks the PO until the transaction ends (value checks cannot race)."""
        ...

    def by_number(self, number: str) -> PurchaseOrder | None: ...
    def find(self, *, venue_id: int | None = None) -> list[PurchaseOrder]: ...
    def update(self, po: PurchaseOrder) -> None: ...


class InvoiceRepository(Protocol):
    def lock_issuing(self) -> None:
        """Serialise invoice runs until the transaction ends."""
        ...

    def next_number(self, venue_id: int, kind: Kind, prefix: str) -> tuple[str, int]:
        """The venue's prefix for this kind and its next sequence value, locked until commit;
        `prefix` is used only for the venue's first document of this kind."""
        ...

    def add(self, invoice: Invoice, pdf: bytes, created_at: datetime) -> Invoice: ...
    def get(self, invoice_id: int) -> Invoice | None: ...
    def find(self, *, venue_id: int | None = None) -> list[Invoice]: ...
    def charged_session_ids(self) -> set[int]: ...
    def invoice_charging(self, session_id: int) -> Invoice | None: ...
    def invoiced_pence(self, purchase_order_id: int) -> int:
        """Gross invoiced on the PO, credit notes deducted."""
        ...

    def document(self, invoice_id: int) -> tuple[bytes, str] | None:
        """The stored PDF and its SHA-256."""
        ...

    def document_hashes(self, invoice_ids: Sequence[int]) -> dict[int, str]: ...


class OutboxRepository(Protocol):
    def add(self, message: OutboxMessage) -> OutboxMessage: ...
    def add_all(self, messages: Sequence[OutboxMessage]) -> None: ...
    def get(self, message_id: int) -> OutboxMessage | None: ...
    def find(
        self, *, state: State | None = None, invoice_id: int | None = None
    ) -> list[OutboxMessage]: ...
    def due(self, now: datetime, stale_before: datetime, limit: int) -> list[OutboxMessage]:
        """Pending messages due now and abandoned claims, locked for this transaction
        (skipping rows other workers hold)."""
        ...

    def save(self, message: OutboxMessage) -> None: ...


class UserRepository(Protocol):
    def add(self, user: User) -> User: ...
    def update(self, user: User) -> None: ...
    def all(self) -> list[User]: ...
    def get(self, user_id: int) -> User | None: ...
    def by_key_hash(self, key_hash: str) -> User | None: ...
    def by_email(self, email: str) -> User | None: ...
    def find(self, *, role: Role, trust_id: int | None, for_update: bool = False) -> list[User]:
        """Active users with that role (of that trust, when given); `for_update` locks them
        until the transaction ends."""
        ...


class ExportFormats(Protocol):
    """The finance export layouts Roomhire reads (built-in profiles and mapping files)."""

    def names(self) -> list[str]: ...
    def get(self, name: str) -> Profile:
        """A profile by name or a mapping file by path; ProfileInvalid if neither."""
        ...

    def read(
        self,
        data: bytes,
        profile: Profile,
        suppliers: SupplierIndex,
        progress: Callable[[int], None] | None = None,
    ) -> ExportReading:
        """Rows about our venues, row errors, counts; ExportRefused for a broken file."""
        ...


class ReconciliationRepository(Protocol):
    def lock(self) -> None:
        """Serialise imports until the transaction ends."""
        ...

    def ours(self) -> list[Ours]: ...
    def states(self) -> dict[int, InvoiceState]: ...
    def state(self, invoice_id: int) -> InvoiceState | None: ...
    def save_states(self, states: Sequence[InvoiceState], *, replacing: Sequence[int]) -> None:
        """Store these states, replacing the stored states of the invoices `replacing` names."""
        ...

    def confirm(self, invoice_id: int) -> None: ...
    def add_events(self, events: Sequence[StatusEvent]) -> None: ...
    def events(self, invoice_id: int) -> list[StatusEvent]: ...
    def add_import(self, record: ImportRecord) -> ImportRecord: ...
    def update_import(self, record: ImportRecord) -> None: ...
    def get_import(self, import_id: int) -> ImportRecord | None: ...
    def import_of(self, profile: str, sha256: str) -> ImportRecord | None: ...
    def imports(self) -> list[ImportRecord]:
        """Newest first."""
        ...

    def data_version(self) -> str:
        """Changes whenever an invoice, a status event or an import is added."""
        ...

    def statement(self, venue_id: int) -> list[StatementEntry]:
        """The venue's invoices and credit notes, newest first, with their states."""
        ...

    def add_findings(self, findings: Sequence[Discrepancy]) -> None: ...
    def findings(self, import_ids: Sequence[int]) -> list[Discrepancy]: ...


@dataclass(frozen=True)
class StoredResponse:
    fingerprint: str
    status: int | None
    body: str | None


class IdempotencyStore(Protocol):
    def get(self, user_id: int, key: str) -> StoredResponse | None: ...
    def claim(self, user_id: int, key: str, fingerprint: str) -> None:
        """Reserve the key inside the current transaction; raises KeyAlreadyClaimed if taken."""
        ...

    def complete(self, user_id: int, key: str, status: int, body: str) -> None: ...


class SlotTaken(Exception):
    """The database refused a session because its room is taken at that time."""


class KeyAlreadyClaimed(Exception):
    """Another transaction holds or has committed the same idempotency key."""


class AuditLog(Protocol):
    def record(self, event: AuditEvent) -> None: ...


class StatusLinkRepository(Protocol):
    def add(self, link: StatusLink) -> StatusLink: ...
    def get(self, link_id: int) -> StatusLink | None: ...
    def by_hash(self, token_hash: str) -> StatusLink | None: ...
    def find(self, venue_id: int) -> list[StatusLink]: ...
    def save(self, link: StatusLink) -> None: ...


class CalendarLinkRepository(Protocol):
    def add(self, link: CalendarLink) -> CalendarLink: ...
    def by_hash(self, token_hash: str) -> CalendarLink | None: ...
    def revoke_all(self, user_id: int, at: datetime) -> None: ...
    def has_live(self, user_id: int) -> bool: ...


class SignInLinkRepository(Protocol):
    def add(self, link: SignInLink) -> SignInLink: ...
    def get(self, link_id: int) -> SignInLink | None: ...
    def by_hash(self, token_hash: str) -> SignInLink | None: ...
    def save(self, link: SignInLink) -> None: ...
    def use(self, link_id: int, at: datetime) -> bool:
        """Mark the link used if it is still unused and unexpired; False if it was not."""
        ...


class StaffSessionRepository(Protocol):
    def add(self, session: StaffSession) -> StaffSession: ...
    def by_hash(self, token_hash: str) -> StaffSession | None: ...
    def save(self, session: StaffSession) -> None: ...
    def touch(self, session_id: int, at: datetime) -> bool:
        """Record activity on a session that has not ended; False if it has ended."""
        ...

    def end_all(self, user_id: int, at: datetime) -> None: ...


class RateLimits(Protocol):
    """Counters in a fixed window, shared by every process of the service."""

    def count(self, key: str, window_start: datetime) -> int: ...
    def hit(self, key: str, window_start: datetime) -> None:
        """One more for `key` in that window (older windows are forgotten)."""
        ...


class SignInRefused(Exception):
    """The identity provider's answer can't be trusted (wrong state, replayed code, bad
    signature or audience) or carries no email address. The message is for the log."""


@dataclass(frozen=True)
class AuthorizationRequest:
    url: str  # where to send the person's browser
    kept: dict[str, str]  # state, nonce and PKCE verifier, kept in their cookie until the callback


class IdentityProvider(Protocol):
    """OpenID Connect sign-in (authorization code flow with PKCE) at an organisation's
    identity provider, such as NHS CIS2 or Microsoft Entra ID."""

    def authorization(self, redirect_uri: str) -> AuthorizationRequest: ...
    def verified_email(
        self, redirect_uri: str, kept: Mapping[str, str], callback: Mapping[str, str]
    ) -> str:
        """Check the callback against `kept` (state), exchange the code, verify the ID token
        (signature, issuer, audience, expiry, nonce) and return its email claim, lower-cased.
        Raises SignInRefused."""
        ...


class UnitOfWork(Protocol):
    """One transaction. Nested `with` blocks join the outer one; only the outermost commits.
    Leaving the outermost block without `commit()` rolls everything back."""

    trusts: TrustRepository
    venues: VenueRepository
    rooms: RoomRepository
    bookings: BookingRepository
    purchase_orders: PurchaseOrderRepository
    invoices: InvoiceRepository
    outbox: OutboxRepository
    users: UserRepository
    idempotency: IdempotencyStore
    audit: AuditLog
    reconciliation: ReconciliationRepository
    status_links: StatusLinkRepository
    calendar_links: CalendarLinkRepository
    rate_limits: RateLimits
    sign_in_links: SignInLinkRepository
    staff_sessions: StaffSessionRepository

    def __enter__(self) -> Self: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    def commit(self) -> None: ...

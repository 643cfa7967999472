"""One transaction over the stores. A use case asks only for the stores it uses: each module
of use cases names its own view, combined from the `With…` protocols below (e.g.
`class BookingStores(WithBookings, WithRooms, …, Protocol)`), and any unit of work that has
them all (`UnitOfWork`, what the adapters provide) satisfies every view."""

from __future__ import annotations

from types import TracebackType
from typing import Protocol, Self

from service.ports.accounts import (
    RateLimits,
    SignInLinkRepository,
    StaffSessionRepository,
    UserRepository,
)
from service.ports.bookings import BookingRepository
from service.ports.delivery import OutboxRepository
from service.ports.directory import RoomRepository, TrustRepository, VenueRepository
from service.ports.invoicing import InvoiceRepository
from service.ports.ledger import Ledger
from service.ports.purchasing import PurchaseOrderRepository
from service.ports.reconciliation import ReconciliationRepository
from service.ports.records import AuditLog, IdempotencyStore
from service.ports.secret_links import CalendarLinkRepository, StatusLinkRepository


class Transaction(Protocol):
    """Nested `with` blocks join the outer one; only the outermost commits. Leaving the
    outermost block without `commit()` rolls everything back."""

    def __enter__(self) -> Self: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    def commit(self) -> None: ...


class WithTrusts(Transaction, Protocol):
    trusts: TrustRepository


class WithVenues(Transaction, Protocol):
    venues: VenueRepository


class WithRooms(Transaction, Protocol):
    rooms: RoomRepository


class WithBookings(Transaction, Protocol):
    bookings: BookingRepository


class WithPurchaseOrders(Transaction, Protocol):
    purchase_orders: PurchaseOrderRepository


class WithInvoices(Transaction, Protocol):
    invoices: InvoiceRepository


class WithLedger(Transaction, Protocol):
    ledger: Ledger


class WithOutbox(Transaction, Protocol):
    outbox: OutboxRepository


class WithUsers(Transaction, Protocol):
    users: UserRepository


class WithIdempotency(Transaction, Protocol):
    idempotency: IdempotencyStore


class WithAudit(Transaction, Protocol):
    audit: AuditLog


class WithReconciliation(Transaction, Protocol):
    reconciliation: ReconciliationRepository


class WithStatusLinks(Transaction, Protocol):
    status_links: StatusLinkRepository


class WithCalendarLinks(Transaction, Protocol):
    calendar_links: CalendarLinkRepository


class WithRateLimits(Transaction, Protocol):
    rate_limits: RateLimits


class WithSignInLinks(Transaction, Protocol):
    sign_in_links: SignInLinkRepository


class WithStaffSessions(Transaction, Protocol):
    staff_sessions: StaffSessionRepository


class UnitOfWork(
    WithTrusts,
    WithVenues,
    WithRooms,
    WithBookings,
    WithPurchaseOrders,
    WithInvoices,
    WithLedger,
    WithOutbox,
    WithUsers,
    WithIdempotency,
    WithAudit,
    WithReconciliation,
    WithStatusLinks,
    WithCalendarLinks,
    WithRateLimits,
    WithSignInLinks,
    WithStaffSessions,
    Protocol,
):
    """Every store in one transaction: what the adapters provide and the entry points pass."""

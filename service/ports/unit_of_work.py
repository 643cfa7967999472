"""One transaction over every store: what the use cases take."""

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
from service.ports.purchasing import PurchaseOrderRepository
from service.ports.reconciliation import ReconciliationRepository
from service.ports.records import AuditLog, IdempotencyStore
from service.ports.secret_links import CalendarLinkRepository, StatusLinkRepository


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

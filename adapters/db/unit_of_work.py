"""A unit of work is one database transaction; nested `with` blocks join the outer one."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.orm import Session, sessionmaker

from adapters.db import repositories as repos
from service import ports


class SqlAlchemyUnitOfWork:
    trusts: ports.TrustRepository
    venues: ports.VenueRepository
    rooms: ports.RoomRepository
    bookings: ports.BookingRepository
    purchase_orders: ports.PurchaseOrderRepository
    invoices: ports.InvoiceRepository
    outbox: ports.OutboxRepository
    users: ports.UserRepository
    idempotency: ports.IdempotencyStore
    audit: ports.AuditLog
    reconciliation: ports.ReconciliationRepository
    status_links: ports.StatusLinkRepository
    calendar_links: ports.CalendarLinkRepository
    rate_limits: ports.RateLimits
    sign_in_links: ports.SignInLinkRepository
    staff_sessions: ports.StaffSessionRepository

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._factory = session_factory
        self._depth = 0
        self._committed = False

    def __enter__(self) -> Self:
        if self._depth == 0:
            self.db = self._factory()
            self._committed = False
            self.trusts = repos.TrustRepository(self.db)
            self.venues = repos.VenueRepository(self.db)
            self.rooms = repos.RoomRepository(self.db)
            self.bookings = repos.BookingRepository(self.db)
            self.purchase_orders = repos.PurchaseOrderRepository(self.db)
            self.invoices = repos.InvoiceRepository(self.db)
            self.outbox = repos.OutboxRepository(self.db)
            self.users = repos.UserRepository(self.db)
            self.idempotency = repos.IdempotencyStore(self.db)
            self.audit = repos.AuditLog(self.db)
            self.reconciliation = repos.ReconciliationRepository(self.db)
            self.status_links = repos.StatusLinkRepository(self.db)
            self.calendar_links = repos.CalendarLinkRepository(self.db)
            self.rate_limits = repos.RateLimits(self.db)
            self.sign_in_links = repos.SignInLinkRepository(self.db)
            self.staff_sessions = repos.StaffSessionRepository(self.db)
        self._depth += 1
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._depth -= 1
        if self._depth > 0:
            return
        try:
            if self._committed and exc_type is None:
                self.db.commit()
            else:
                self.db.rollback()
        finally:
            self.db.close()

    def commit(self) -> None:
        """Mark the work done; the outermost block commits it when it ends."""
        self._committed = True

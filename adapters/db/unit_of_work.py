"""A unit of work is one database transaction; nested `with` blocks join the outer one."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.orm import Session, sessionmaker

from adapters.db.repositories.accounts import (
    RateLimits,
    SignInLinkRepository,
    StaffSessionRepository,
    UserRepository,
)
from adapters.db.repositories.bookings import BookingRepository
from adapters.db.repositories.delivery import OutboxRepository
from adapters.db.repositories.directory import RoomRepository, TrustRepository, VenueRepository
from adapters.db.repositories.invoicing import InvoiceRepository
from adapters.db.repositories.ledger import Ledger
from adapters.db.repositories.purchasing import PurchaseOrderRepository
from adapters.db.repositories.reconciliation import ReconciliationRepository
from adapters.db.repositories.records import AuditLog, IdempotencyStore
from adapters.db.repositories.secret_links import CalendarLinkRepository, StatusLinkRepository
from service.ports import (
    accounts,
    bookings,
    delivery,
    directory,
    invoicing,
    ledger,
    purchasing,
    reconciliation,
    records,
    secret_links,
)


class SqlAlchemyUnitOfWork:
    trusts: directory.TrustRepository
    venues: directory.VenueRepository
    rooms: directory.RoomRepository
    bookings: bookings.BookingRepository
    purchase_orders: purchasing.PurchaseOrderRepository
    invoices: invoicing.InvoiceRepository
    ledger: ledger.Ledger
    outbox: delivery.OutboxRepository
    users: accounts.UserRepository
    idempotency: records.IdempotencyStore
    audit: records.AuditLog
    reconciliation: reconciliation.ReconciliationRepository
    status_links: secret_links.StatusLinkRepository
    calendar_links: secret_links.CalendarLinkRepository
    rate_limits: accounts.RateLimits
    sign_in_links: accounts.SignInLinkRepository
    staff_sessions: accounts.StaffSessionRepository

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._factory = session_factory
        self._depth = 0
        self._committed = False

    def __enter__(self) -> Self:
        if self._depth == 0:
            self.db = self._factory()
            self._committed = False
            self.trusts = TrustRepository(self.db)
            self.venues = VenueRepository(self.db)
            self.rooms = RoomRepository(self.db)
            self.bookings = BookingRepository(self.db)
            self.purchase_orders = PurchaseOrderRepository(self.db)
            self.invoices = InvoiceRepository(self.db)
            self.ledger = Ledger(self.db)
            self.outbox = OutboxRepository(self.db)
            self.users = UserRepository(self.db)
            self.idempotency = IdempotencyStore(self.db)
            self.audit = AuditLog(self.db)
            self.reconciliation = ReconciliationRepository(self.db)
            self.status_links = StatusLinkRepository(self.db)
            self.calendar_links = CalendarLinkRepository(self.db)
            self.rate_limits = RateLimits(self.db)
            self.sign_in_links = SignInLinkRepository(self.db)
            self.staff_sessions = StaffSessionRepository(self.db)
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

"""What every benchmark needs first: a migrated SQLite database with a trust, a user and
venues that each have a room, a purchase order and a booking series to invoice; a free port."""

from __future__ import annotations

import socket
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path

from service.app import context_for, upgrade_database
from service.config import Config
from service.domain.bookings import BookingSeries
from service.domain.directory import Room, Trust, VatTreatment, Venue
from service.domain.invoicing import DocumentKind, Invoice, Line, Party
from service.domain.money import charge
from service.domain.purchasing import PurchaseOrder
from service.domain.recurrence import Recurrence
from service.domain.users import Role, User
from service.ports.unit_of_work import UnitOfWork
from service.usecases.context import Context

TEMPLATES = Path(__file__).parents[1] / "invoice_templates"


@dataclass(frozen=True)
class Bookable:
    venue: Venue
    po: PurchaseOrder
    series: BookingSeries

    def invoice(self, trust: Trust, number: str, lines: tuple[Line, ...]) -> Invoice:
        """An invoice of this venue's booking to the trust, issued 4 January 2027."""
        venue = self.venue
        return Invoice(
            DocumentKind.INVOICE,
            number,
            venue.id or 0,
            trust.id or 0,
            self.po.id or 0,
            self.po.number,
            self.series.id or 0,
            date(2027, 1, 4),
            date(2026, 12, 22),
            date(2027, 2, 3),
            Party(venue.name, venue.address, venue.remittance_email),
            Party(trust.name, trust.invoice_address, trust.accounts_payable_email),
            lines,
        )


def room_hire(day: date) -> Line:
    """One three-hour session at £25 an hour, VAT exempt."""
    return Line(
        "Room hire", day, time(13), time(16), "Hall", 180, charge(2500, 180, Decimal(0)), None
    )


def sqlite_context(folder: Path, name: str = "bench.db") -> tuple[Config, Context]:
    config = Config(f"sqlite:///{folder / name}", "bench", folder, TEMPLATES)
    upgrade_database(config)
    return config, context_for(config)


def free_port() -> int:
    """A port of 127.0.0.1 that nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def venues(
    uow: UnitOfWork, count: int, role: Role, *, supplier_numbers: bool = False
) -> tuple[Trust, User, list[Bookable]]:
    """`count` venues named 'Venue N CIC' (supplier number 22NNNN if asked), in `uow`."""
    trust = uow.trusts.add(Trust("T", "RZZ", "P", "ap@example.nhs.uk", "PO", r"RZZPO\d{7}"))
    user = uow.users.add(User(f"{role.value}@example.org", role, "h", trust_id=trust.id))
    made = []
    for v in range(count):
        venue = uow.venues.add(
            Venue(
                f"Venue {v} CIC",
                "1 Row",
                "BS5 9XX",
                "v@example.org",
                "m@example.org",
                supplier_number=f"22{v:04d}" if supplier_numbers else None,
            )
        )
        room = uow.rooms.add(Room(venue.id or 0, "Hall", 20, True, 2500, VatTreatment.EXEMPT))
        po = uow.purchase_orders.add(
            PurchaseOrder(
                f"RZZPO{v:07d}",
                trust.id or 0,
                venue.id or 0,
                "CC",
                10**9,
                date(2026, 1, 1),
                date(2027, 12, 31),
            )
        )
        series = uow.bookings.add(
            BookingSeries(
                room.id or 0,
                user.id or 0,
                "G",
                Recurrence(date(2026, 12, 1)),
                time(13),
                time(16),
                datetime.now(UTC),
            )
        )
        made.append(Bookable(venue, po, series))
    return trust, user, made

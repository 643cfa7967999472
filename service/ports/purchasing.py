"""Purchase orders."""

from __future__ import annotations

from datetime import date
from typing import Protocol

from service.domain.purchasing import PurchaseOrder


class PurchaseOrderRepository(Protocol):
    def add(self, po: PurchaseOrder) -> PurchaseOrder: ...
    def get(self, po_id: int, *, for_update: bool = False) -> PurchaseOrder | None:
        """`for_update` locks the PO until the transaction ends (value checks cannot race)."""
        ...

    def by_number(self, number: str) -> PurchaseOrder | None: ...
    def find(
        self, *, venue_id: int | None = None, valid_on_or_after: date | None = None
    ) -> list[PurchaseOrder]:
        """Oldest first; those ending on or after the date, when given."""
        ...

    def update(self, po: PurchaseOrder) -> None: ...

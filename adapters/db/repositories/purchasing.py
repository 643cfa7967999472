"""Purchase orders."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from adapters.db import mapping
from adapters.db.repositories.base import Repository
from adapters.db.tables import (
    PurchaseOrderRow,
)
from service.domain.purchasing import PurchaseOrder


class PurchaseOrderRepository(Repository):
    def add(self, po: PurchaseOrder) -> PurchaseOrder:
        return self.inserted(mapping.purchase_order_row(po), mapping.purchase_order)

    def get(self, po_id: int, *, for_update: bool = False) -> PurchaseOrder | None:
        row = self.db.get(PurchaseOrderRow, po_id, with_for_update=for_update)
        return mapping.purchase_order(row) if row else None

    def by_number(self, number: str) -> PurchaseOrder | None:
        row = self.db.scalar(select(PurchaseOrderRow).where(PurchaseOrderRow.number == number))
        return mapping.purchase_order(row) if row else None

    def find(
        self, *, venue_id: int | None = None, valid_on_or_after: date | None = None
    ) -> list[PurchaseOrder]:
        query = select(PurchaseOrderRow).order_by(PurchaseOrderRow.id)
        if venue_id is not None:
            query = query.where(PurchaseOrderRow.venue_id == venue_id)
        if valid_on_or_after is not None:
            query = query.where(PurchaseOrderRow.valid_to >= valid_on_or_after)
        return [mapping.purchase_order(r) for r in self.db.scalars(query)]

    def update(self, po: PurchaseOrder) -> None:
        row = self.db.get_one(PurchaseOrderRow, po.id)
        for name in ("approved_value_pence", "valid_from", "valid_to", "venue_id"):
            setattr(row, name, getattr(po, name))
        self.db.flush()

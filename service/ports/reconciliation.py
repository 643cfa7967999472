"""The finance exports as read, and what reconciliation keeps of them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Protocol

from service.domain.exports import ExportReading, Profile, SupplierIndex
from service.domain.reconciliation import (
    Discrepancy,
    EventKey,
    ImportRecord,
    InvoiceState,
    IssuedInvoice,
    StatusEvent,
)
from service.domain.resolutions import Resolution
from service.domain.venue_status import StatementEntry


class ReconciliationRepository(Protocol):
    def lock(self) -> None:
        """Serialise imports until the transaction ends."""
        ...

    def issued_invoices(self) -> list[IssuedInvoice]: ...
    def states(self, among: Sequence[int] | None = None) -> dict[int, InvoiceState]: ...
    def state(self, invoice_id: int) -> InvoiceState | None: ...
    def save_states(self, states: Sequence[InvoiceState], *, replacing: Sequence[int]) -> None:
        """Store these states, replacing the stored states of the invoices `replacing` names."""
        ...

    def now_as_of(self, invoice_ids: Sequence[int], as_of: date) -> None:
        """These states, shown unchanged by an export as of `as_of`, are known as of it."""
        ...

    def recorded(self, invoice_ids: Sequence[int]) -> dict[int, set[EventKey]]:
        """What each invoice's history records (StatusEvent.key)."""
        ...

    def confirm(self, invoice_id: int) -> None: ...
    def add_events(self, events: Sequence[StatusEvent]) -> None: ...
    def events(self, invoice_id: int) -> list[StatusEvent]:
        """As recorded (an older export's additions last, each with the day it is as of)."""
        ...

    def add_import(self, record: ImportRecord) -> ImportRecord: ...
    def update_import(self, record: ImportRecord) -> None: ...
    def get_import(self, import_id: int) -> ImportRecord | None: ...
    def import_of(self, profile: str, sha256: str) -> ImportRecord | None: ...
    def imports(self) -> list[ImportRecord]:
        """Newest first."""
        ...

    def data_version(self) -> str:
        """Changes whenever an invoice, a status event, an import or an outbox message (a
        booking's invitation to its venue among them) is added."""
        ...

    def statement(self, venue_id: int) -> list[StatementEntry]:
        """The venue's invoices and credit notes, newest first, with their states."""
        ...

    def add_findings(self, findings: Sequence[Discrepancy]) -> None: ...
    def findings(self, import_ids: Sequence[int]) -> list[Discrepancy]: ...
    def add_resolution(self, resolution: Resolution) -> Resolution: ...
    def resolved(self, keys: Sequence[str]) -> dict[str, Resolution]:
        """The resolutions of those of `keys` a person has resolved, by key."""
        ...

    def resolutions(self, limit: int) -> list[Resolution]:
        """The latest `limit` resolutions, newest first."""
        ...


class ExportFormats(Protocol):
    """The finance export layouts Roomhire reads (built-in profiles and mapping files)."""

    def names(self) -> list[str]:
        """The profiles a person may choose by name (built in, then configured), sorted."""
        ...

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

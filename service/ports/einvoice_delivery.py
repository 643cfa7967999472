"""The way out for e-invoices: a PEPPOL access point, which carries a UBL document from the
venue (the sender) to the trust (the receiver) over the network."""

from __future__ import annotations

from typing import Protocol


class AccessPoint(Protocol):
    def send(self, *, document: bytes, sender: str, receiver: str, message_id: str) -> str:
        """Hand the e-invoice over; return the proof (the access point's transmission id) once
        it has accepted it. `message_id` is an idempotency key: sending the same one again
        never transmits twice. Raises service.ports.delivery's TemporaryDeliveryError (worth
        retrying: unreachable, timeout, 5xx) or PermanentDeliveryError (refused, 4xx)."""
        ...

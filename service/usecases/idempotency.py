"""Safe retries: a creating request with an Idempotency-Key runs once; replays get its response."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from service.domain.errors import IdempotencyKeyReused
from service.ports.records import KeyAlreadyClaimed
from service.ports.unit_of_work import WithIdempotency


class IdempotencyStores(WithIdempotency, Protocol):
    """The stores the idempotency use cases use: nothing else is in reach."""


@dataclass(frozen=True)
class Outcome:
    status: int
    body: str


def run_once(
    uow: IdempotencyStores,
    *,
    user_id: int,
    key: str,
    fingerprint: str,
    action: Callable[[], Outcome],
) -> Outcome:
    """Run `action` in the same transaction as the key's record, so either both are stored or
    neither. A concurrent request with the same key waits on the key and then replays.
    Failures (exceptions) are not stored: the client may retry them with the same key."""
    while True:
        try:
            with uow:
                stored = uow.idempotency.get(user_id, key)
                if stored is None:
                    uow.idempotency.claim(user_id, key, fingerprint)
                    outcome = action()
                    uow.idempotency.complete(user_id, key, outcome.status, outcome.body)
                    uow.commit()
                    return outcome
        except KeyAlreadyClaimed:
            continue
        if stored.fingerprint != fingerprint:
            raise IdempotencyKeyReused(
                "This Idempotency-Key was used with a different request body.", key=key
            )
        assert stored.status is not None and stored.body is not None
        return Outcome(stored.status, stored.body)

"""What every secret link (a venue's status page, a calendar address) shares: each way it can
fail to open looks the same from outside, and failed lookups are counted per client in the
database, so every worker process shares the count."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import NoReturn, Protocol

from service.domain.errors import DomainError, NotFound
from service.ports.unit_of_work import WithRateLimits
from service.usecases.context import Context


class RateLimitStores(WithRateLimits, Protocol):
    """The stores the secret links use cases use: nothing else is in reach."""


FAILED_LOOKUPS = 20  # per client and window, whichever kind of link was guessed
WINDOW = timedelta(minutes=15)


class LinkNotFound(NotFound):
    """Unknown, expired and revoked links alike: the message says nothing more."""

    code = "not_found"


class TooManyLookups(DomainError):
    code = "too_many_requests"

    def __init__(self, retry_after: int) -> None:
        super().__init__("Too many unknown links from here; try again later.")
        self.retry_after = retry_after


def refuse_if_limited(reader: RateLimitStores, client: str, now: datetime) -> None:
    window = window_start(now)
    if reader.rate_limits.count(_key(client), window) >= FAILED_LOOKUPS:
        raise TooManyLookups(max(1, math.ceil((window + WINDOW - now).total_seconds())))


def failed_lookup(ctx: Context, client: str, now: datetime) -> NoReturn:
    """Count the failure, then answer as for any link that does not open."""
    with ctx.new_uow() as uow:
        uow.rate_limits.hit(_key(client), window_start(now))
        uow.commit()
    raise LinkNotFound("There is no such page.")


def _key(client: str) -> str:
    return f"secret-link {client}"[:100]


def window_start(now: datetime) -> datetime:
    seconds = int(WINDOW.total_seconds())
    return datetime.fromtimestamp(int(now.timestamp()) // seconds * seconds, UTC)

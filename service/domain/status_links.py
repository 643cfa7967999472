"""Secret links that let a venue see its own invoices without an account. Only a hash of each
token is kept; a link expires, can be revoked, and is replaced (rotated) by a new one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from service.domain.errors import RuleViolation
from service.domain.secret_tokens import hash_matches

LONGEST_LIFETIME = timedelta(days=730)
TOUCH_EVERY = timedelta(minutes=5)  # last-used is a write: not on every page view


def check_lifetime(lifetime: timedelta) -> timedelta:
    if not timedelta(days=1) <= lifetime <= LONGEST_LIFETIME:
        raise RuleViolation(
            f"A status link lives 1 to {LONGEST_LIFETIME.days} days.", field="expires_in_days"
        )
    return lifetime


@dataclass
class StatusLink:
    venue_id: int
    token_hash: str
    created_at: datetime
    expires_at: datetime
    created_by: str
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None
    id: int | None = None

    def opens_with(self, token: str, now: datetime) -> bool:
        """Constant-time comparison of the hashes; a revoked or expired link opens nothing."""
        same = hash_matches(self.token_hash, token)
        return same and self.revoked_at is None and now < self.expires_at

    def state(self, now: datetime) -> str:
        if self.revoked_at is not None:
            return "revoked"
        return "active" if now < self.expires_at else "expired"

    def revoke(self, now: datetime) -> None:
        if self.revoked_at is None:
            self.revoked_at = now

    def needs_touch(self, now: datetime) -> bool:
        return self.last_used_at is None or now - self.last_used_at >= TOUCH_EVERY

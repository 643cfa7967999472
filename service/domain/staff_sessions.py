"""How staff sign in to the pages: a one-time link emailed to them, then a session kept in
the database (so signing out, being disabled or getting a new key ends it on every worker).
Only hashes of the link's and the session's secrets are kept."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from service.domain.secret_tokens import hash_matches

LINK_LIFETIME = timedelta(minutes=15)
IDLE_TIMEOUT = timedelta(minutes=30)
ABSOLUTE_TIMEOUT = timedelta(hours=12)
TOUCH_EVERY = timedelta(minutes=1)  # how stale `last_seen_at` may get before it is written


@dataclass
class SignInLink:
    user_id: int
    created_at: datetime
    expires_at: datetime
    token_hash: str | None = None  # made when the email is sent, so only the email holds it
    used_at: datetime | None = None
    id: int | None = None

    def opens_with(self, token: str, now: datetime) -> bool:
        """Single use, for 15 minutes; the hashes are compared in constant time."""
        return (
            self.token_hash is not None
            and hash_matches(self.token_hash, token)
            and self.used_at is None
            and now < self.expires_at
        )


@dataclass
class StaffSession:
    user_id: int
    token_hash: str
    started_at: datetime
    last_seen_at: datetime
    ended_at: datetime | None = None
    id: int | None = None

    def live(self, now: datetime) -> bool:
        return (
            self.ended_at is None
            and now - self.last_seen_at < IDLE_TIMEOUT
            and now - self.started_at < ABSOLUTE_TIMEOUT
        )

    def stale(self, now: datetime) -> bool:
        """Worth recording that the person is still here (not on every page view)."""
        return now - self.last_seen_at >= TOUCH_EVERY

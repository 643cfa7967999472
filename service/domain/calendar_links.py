"""A secret address for a person's own calendar feed, for calendar apps that cannot send an
API key. Only the token's hash is kept; a new address retires the old one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from service.domain.secret_tokens import hash_matches


@dataclass
class CalendarLink:
    user_id: int
    token_hash: str
    created_at: datetime
    revoked_at: datetime | None = None
    id: int | None = None

    def opens_with(self, token: str) -> bool:
        """Constant-time comparison of the hashes; a revoked address opens nothing. It does
        not expire: a subscribed calendar would silently stop updating."""
        return hash_matches(self.token_hash, token) and self.revoked_at is None

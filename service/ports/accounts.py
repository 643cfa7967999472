"""Staff accounts and signing in: one-time links, sessions, rate limits, an identity provider."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from service.domain.staff_sessions import SignInLink, StaffSession
from service.domain.users import Role, User


class UserRepository(Protocol):
    def add(self, user: User) -> User: ...
    def update(self, user: User) -> None: ...
    def all(self) -> list[User]: ...
    def get(self, user_id: int) -> User | None: ...
    def by_key_hash(self, key_hash: str) -> User | None: ...
    def by_email(self, email: str) -> User | None: ...
    def find(self, *, role: Role, trust_id: int | None, for_update: bool = False) -> list[User]:
        """Active users with that role (of that trust, when given); `for_update` locks them
        until the transaction ends."""
        ...


class SignInLinkRepository(Protocol):
    def add(self, link: SignInLink) -> SignInLink: ...
    def get(self, link_id: int) -> SignInLink | None: ...
    def by_hash(self, token_hash: str) -> SignInLink | None: ...
    def save(self, link: SignInLink) -> None: ...
    def use(self, link_id: int, at: datetime) -> bool:
        """Mark the link used if it is still unused and unexpired; False if it was not."""
        ...


class StaffSessionRepository(Protocol):
    def add(self, session: StaffSession) -> StaffSession: ...
    def by_hash(self, token_hash: str) -> StaffSession | None: ...
    def save(self, session: StaffSession) -> None: ...
    def touch(self, session_id: int, at: datetime) -> bool:
        """Record activity on a session that has not ended; False if it has ended."""
        ...

    def end_all(self, user_id: int, at: datetime) -> None: ...
    def last_sign_ins(self) -> dict[int, datetime]:
        """When each person who has ever signed in last did, by user id."""
        ...


class RateLimits(Protocol):
    """Counters in a fixed window, shared by every process of the service."""

    def count(self, key: str, window_start: datetime) -> int: ...
    def hit(self, key: str, window_start: datetime) -> None:
        """One more for `key` in that window (older windows are forgotten)."""
        ...


class SignInRefused(Exception):
    """The identity provider's answer can't be trusted (wrong state, replayed code, bad
    signature or audience) or carries no email address. The message is for the log."""


@dataclass(frozen=True)
class AuthorizationRequest:
    url: str  # where to send the person's browser
    kept: dict[str, str]  # state, nonce and PKCE verifier, kept in their cookie until the callback


class IdentityProvider(Protocol):
    """OpenID Connect sign-in (authorization code flow with PKCE) at an organisation's
    identity provider, such as NHS CIS2 or Microsoft Entra ID."""

    def authorization(self, redirect_uri: str) -> AuthorizationRequest: ...
    def verified_email(
        self, redirect_uri: str, kept: Mapping[str, str], callback: Mapping[str, str]
    ) -> str:
        """Check the callback against `kept` (state), exchange the code, verify the ID token
        (signature, issuer, audience, expiry, nonce) and return its email claim, lower-cased.
        Raises SignInRefused."""
        ...

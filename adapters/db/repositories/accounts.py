"""Staff accounts, sign-in links, staff sessions and rate limits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from adapters.db import mapping
from adapters.db.repositories.base import Repository, changed
from adapters.db.tables import (
    RateLimitRow,
    SignInLinkRow,
    StaffSessionRow,
    UserRow,
)
from service.domain.staff_sessions import SignInLink, StaffSession
from service.domain.users import Role, User


class UserRepository(Repository):
    def add(self, user: User) -> User:
        return self.inserted(mapping.user_row(user), mapping.user)

    def update(self, user: User) -> None:
        self.overwrite(mapping.user_row(user), user.id)

    def all(self) -> list[User]:
        return [mapping.user(r) for r in self.db.scalars(select(UserRow).order_by(UserRow.id))]

    def get(self, user_id: int) -> User | None:
        row = self.db.get(UserRow, user_id)
        return mapping.user(row) if row else None

    def by_key_hash(self, key_hash: str) -> User | None:
        row = self.db.scalar(select(UserRow).where(UserRow.key_hash == key_hash))
        return mapping.user(row) if row else None

    def find(self, *, role: Role, trust_id: int | None, for_update: bool = False) -> list[User]:
        """Active users with that role (of that trust, when given)."""
        query = select(UserRow).where(UserRow.role == role.value, UserRow.active)
        if trust_id is not None:
            query = query.where(UserRow.trust_id == trust_id)
        query = query.order_by(UserRow.id)  # rows locked in one order: no deadlock
        if for_update:
            query = query.with_for_update()
        return [mapping.user(r) for r in self.db.scalars(query)]

    def by_email(self, email: str) -> User | None:
        row = self.db.scalar(select(UserRow).where(UserRow.email == email))
        return mapping.user(row) if row else None


class SignInLinkRepository(Repository):
    def add(self, link: SignInLink) -> SignInLink:
        return self.inserted(mapping.sign_in_link_row(link), mapping.sign_in_link)

    def get(self, link_id: int) -> SignInLink | None:
        row = self.db.get(SignInLinkRow, link_id)
        return mapping.sign_in_link(row) if row else None

    def by_hash(self, token_hash: str) -> SignInLink | None:
        row = self.db.scalar(select(SignInLinkRow).where(SignInLinkRow.token_hash == token_hash))
        return mapping.sign_in_link(row) if row else None

    def save(self, link: SignInLink) -> None:
        self.overwrite(mapping.sign_in_link_row(link), link.id)

    def use(self, link_id: int, at: datetime) -> bool:
        """One conditional UPDATE, so two requests racing with one link can't both win."""
        unused = (
            (SignInLinkRow.id == link_id)
            & SignInLinkRow.used_at.is_(None)
            & (SignInLinkRow.expires_at > at)
        )
        return changed(self.db.execute(update(SignInLinkRow).where(unused).values(used_at=at)))


class StaffSessionRepository(Repository):
    def add(self, session: StaffSession) -> StaffSession:
        return self.inserted(mapping.staff_session_row(session), mapping.staff_session)

    def by_hash(self, token_hash: str) -> StaffSession | None:
        query = select(StaffSessionRow).where(StaffSessionRow.token_hash == token_hash)
        row = self.db.scalar(query)
        return mapping.staff_session(row) if row else None

    def save(self, session: StaffSession) -> None:
        self.overwrite(mapping.staff_session_row(session), session.id)

    def touch(self, session_id: int, at: datetime) -> bool:
        """Never brings an ended session back (a sign-out may land between read and write)."""
        live = (StaffSessionRow.id == session_id) & StaffSessionRow.ended_at.is_(None)
        statement = update(StaffSessionRow).where(live).values(last_seen_at=at)
        return changed(self.db.execute(statement))

    def end_all(self, user_id: int, at: datetime) -> None:
        live = (StaffSessionRow.user_id == user_id) & StaffSessionRow.ended_at.is_(None)
        self.db.execute(update(StaffSessionRow).where(live).values(ended_at=at))

    def last_sign_ins(self) -> dict[int, datetime]:
        latest = func.max(StaffSessionRow.started_at)
        query = select(StaffSessionRow.user_id, latest).group_by(StaffSessionRow.user_id)
        return {user_id: at for user_id, at in self.db.execute(query)}


_LIMITS = RateLimitRow.__table__.c
_COUNT = select(_LIMITS.count).where(
    _LIMITS.key == bindparam("key"), _LIMITS.window_start == bindparam("window_start")
)


class RateLimits(Repository):
    def count(self, key: str, window_start: datetime) -> int:
        """On every page view behind a secret link: a statement built once (see base)."""
        found = self.db.scalar(_COUNT, {"key": key, "window_start": window_start})
        return found or 0

    def hit(self, key: str, window_start: datetime) -> None:
        """Count one more, atomically, whichever worker process it is."""
        upsert = sqlite_insert if self.db.get_bind().dialect.name == "sqlite" else pg_insert
        statement = upsert(RateLimitRow).values(key=key, window_start=window_start, count=1)
        self.db.execute(
            statement.on_conflict_do_update(
                index_elements=["key", "window_start"],
                set_={"count": RateLimitRow.count + 1},
            )
        )
        self.db.execute(delete(RateLimitRow).where(RateLimitRow.window_start < window_start))

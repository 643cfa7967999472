"""Staff who use Roomhire through API keys, and what each role may do."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from service.domain.errors import PermissionDenied


class Role(StrEnum):
    FACILITATOR = "facilitator"
    FINANCE = "finance"
    ADMIN = "admin"


@dataclass
class User:
    email: str
    role: Role
    key_hash: str
    active: bool = True
    trust_id: int | None = None  # the NHS trust a facilitator works for
    id: int | None = None

    def require(self, *roles: Role) -> None:
        if self.role not in roles:
            allowed = " or ".join(r.value for r in roles)
            raise PermissionDenied(f"This needs the {allowed} role; you are {self.role.value}.")

    def may_manage_booking_of(self, facilitator_id: int) -> bool:
        """Facilitators manage their own bookings; admin manages any."""
        return self.role is Role.ADMIN or (
            self.role is Role.FACILITATOR and self.id == facilitator_id
        )

    @property
    def label(self) -> str:
        return f"user {self.id} <{self.email}>" if self.id is not None else self.email


# Whoever runs `roomhire` commands on the server (and the demo loader): trusted as an admin.
OPERATOR = User(email="roomhire-cli", role=Role.ADMIN, key_hash="")

"""Reading the audit log (admin): who changed what and when, newest first, a page at a time,
about one entry or by one person."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from service.domain.audit import AuditEvent, AuditQuery
from service.domain.errors import RuleViolation
from service.domain.users import Role, User
from service.ports.unit_of_work import WithAudit
from service.usecases.context import Context


class AuditStores(WithAudit, Protocol):
    """The stores the audit log use cases use: nothing else is in reach."""


PAGE_SIZE = 50
LAST_PAGE = 1_000_000  # far beyond any log; keeps the offset a sane number


@dataclass(frozen=True)
class AuditPage:
    events: list[AuditEvent]
    page: int
    has_next: bool


def audit_log(
    ctx: Context, uow: AuditStores, actor: User, query: AuditQuery, page: int = 1
) -> AuditPage:
    """One page of the events `query` asks for; one more is read to know if there is a next."""
    actor.require(Role.ADMIN)
    if not 1 <= page <= LAST_PAGE:
        raise RuleViolation(f"The page must be a whole number from 1 to {LAST_PAGE}.", field="page")
    with uow:
        found = uow.audit.find(query, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE)
    return AuditPage(found[:PAGE_SIZE], page, len(found) > PAGE_SIZE)

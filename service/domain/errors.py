"""Typed domain errors. The HTTP edge maps each family to one status code, once, centrally."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every error a use case may raise on purpose; `code` is stable for API clients."""

    code = "domain_error"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class NotFound(DomainError):
    code = "not_found"


class PermissionDenied(DomainError):
    code = "forbidden"


class Unauthenticated(DomainError):
    code = "unauthenticated"


class RuleViolation(DomainError):
    """The request is well-formed but breaks a business rule (HTTP 422)."""

    code = "rule_violation"


class Conflict(DomainError):
    """The request clashes with the current state (HTTP 409)."""

    code = "conflict"


class TooSlow(DomainError):
    """The work took longer than it may; nothing was changed (HTTP 503)."""

    code = "too_slow"


class StaleVersion(DomainError):
    """An edit was based on a version of the entry that someone has changed since (HTTP 412)."""

    code = "precondition_failed"


class RoomTooSmall(Conflict):
    code = "room_too_small"


class BookingClash(Conflict):
    code = "booking_clash"


class AlreadyCancelled(Conflict):
    code = "already_cancelled"


class IdempotencyKeyReused(RuleViolation):
    code = "idempotency_key_reused"


class PatientDataSuspected(RuleViolation):
    code = "patient_data_suspected"

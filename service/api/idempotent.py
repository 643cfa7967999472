"""The Idempotency-Key header on creating POSTs: replays return the first response."""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from typing import Any

from flask import Response, make_response, request

from service.api.blueprint import Blueprint, refuses
from service.api.edge import current_user, uow
from service.domain.errors import RuleViolation
from service.usecases.idempotency import Outcome, run_once

HEADER = "Idempotency-Key"
_DOC = Blueprint.doc(
    parameters=[
        {
            "in": "header",
            "name": HEADER,
            "required": False,
            "schema": {"type": "string", "minLength": 1, "maxLength": 255},
            "description": "Retry safely: a replay with the same key and body returns the first "
            "response and creates nothing; the same key with another body answers 422.",
        }
    ]
)
_REFUSALS = refuses(
    f"422 idempotency_key_reused: the {HEADER} was used before with another body",
    f"422 rule_violation: the {HEADER} is not 1 to 255 printable characters",
)


def _fingerprint() -> str:
    """Method, path and body; JSON bodies compare by content, not by spacing or key order."""
    raw = request.get_data()
    try:
        body = json.dumps(json.loads(raw), sort_keys=True, separators=(",", ":")).encode()
    except ValueError:
        body = raw
    return hashlib.sha256(
        request.method.encode() + request.path.encode() + b"\0" + body
    ).hexdigest()


def idempotent(view: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        key = request.headers.get(HEADER)
        if key is None:
            return view(*args, **kwargs)
        if not 1 <= len(key) <= 255 or not key.isprintable():
            raise RuleViolation(f"{HEADER} must be 1 to 255 printable characters.")
        user = current_user()
        assert user.id is not None

        def action() -> Outcome:
            response = make_response(view(*args, **kwargs))
            return Outcome(response.status_code, response.get_data(as_text=True))

        outcome = run_once(
            uow(), user_id=user.id, key=key, fingerprint=_fingerprint(), action=action
        )
        return Response(outcome.body, status=outcome.status, mimetype="application/json")

    return _REFUSALS(_DOC(wrapper))  # type: ignore[no-any-return]

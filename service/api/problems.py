"""The one place that turns errors into RFC 7807 application/problem+json responses."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from flask import Flask, Response, json
from werkzeug.exceptions import HTTPException

from service.domain import errors

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger(__name__)

_STATUS_OF: list[tuple[type[errors.DomainError], int]] = [
    (errors.Unauthenticated, 401),
    (errors.PermissionDenied, 403),
    (errors.NotFound, 404),
    (errors.Conflict, 409),
    (errors.StaleVersion, 412),
    (errors.TooSlow, 503),
    (errors.RuleViolation, 422),
]

_CODE_OF = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    429: "too_many_requests",
    500: "internal_error",
}


def problem(status: int, code: str, detail: str, **extra: Any) -> Response:
    body = {
        "type": f"https://roomhire.invalid/problems/{code.replace('_', '-')}",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "code": code,
        "detail": detail,
        **extra,
    }
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_JSON)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="roomhire"'
    return response


def _domain_error(error: errors.DomainError) -> Response:
    status = next(code for kind, code in _STATUS_OF if isinstance(error, kind))
    return problem(status, error.code, error.message, **error.details)


def _http_exception(error: HTTPException) -> Response:
    status = error.code or 500
    extra: dict[str, Any] = {}
    messages = (getattr(error, "data", None) or {}).get("messages")
    if messages:
        extra["errors"] = messages
    code = getattr(error, "problem_code", None) or _CODE_OF.get(
        status, HTTPStatus(status).phrase.lower().replace(" ", "_")
    )
    detail = error.description or HTTPStatus(status).phrase
    if status == 400 and messages and "Invalid JSON body." in json.dumps(messages):
        code, detail = "malformed_json", "The request body is not valid JSON."
    elif status == 400 and messages:  # a query string an operation reads strictly
        detail = "Some of the query string is invalid; see errors."
    elif status == 422:
        detail = "Some fields are missing or invalid; see errors."
    response = problem(status, code, detail, **extra)
    for name, value in error.get_headers():
        if name.lower() not in ("content-type", "content-length"):
            response.headers[name] = value
    return response


def _unexpected(error: Exception) -> Response:
    log.exception("unhandled error", exc_info=error)
    return problem(500, "internal_error", "Something went wrong on our side; it has been logged.")


def register(app: Flask) -> None:
    """Call after flask-smorest's Api so these handlers replace its own."""
    app.register_error_handler(errors.DomainError, _domain_error)
    app.register_error_handler(HTTPException, _http_exception)
    app.register_error_handler(Exception, _unexpected)

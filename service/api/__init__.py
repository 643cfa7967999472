"""The JSON API: flask-smorest blueprints, OpenAPI 3 at /api/v1/openapi.json."""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from flask import Flask, Response, request
from flask_smorest import Api
from flask_smorest.spec import prepare_response

from service.api import (
    accounts,
    bookings,
    calendars,
    delivery,
    directory,
    health,
    invoicing,
    problems,
    purchasing,
    reconciliation,
    status_links,
)
from service.api.edge import current_user
from service.api.fields import ProblemSchema


class RoomhireApi(Api):  # type: ignore[misc]
    """Documents every error response as application/problem+json with ProblemSchema."""

    ERROR_SCHEMA = ProblemSchema

    def _register_responses(self) -> None:
        for status in HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, problems.PROBLEM_JSON)
            self.spec.components.response(status.name, response, lazy=True)
        default = {"description": "Error (RFC 7807 problem)", "schema": self.ERROR_SCHEMA}
        prepare_response(default, self.spec, problems.PROBLEM_JSON)
        self.spec.components.response("DEFAULT_ERROR", default, lazy=True)


PUBLIC = ("/api/v1/openapi.json", "/api/v1/docs")


def _authenticate() -> None:
    """Every API call is authenticated before its body is read: 401 comes before 422."""
    routed = request.routing_exception is None  # unknown routes answer 404/405 as such
    if routed and request.path.startswith("/api/") and not request.path.startswith(PUBLIC):
        current_user()


def _not_stored(response: Response) -> Response:
    """Answers to a key are one person's data, and some carry a secret shown once (a new API
    key, a status link, a calendar address): no cache, shared or private, may keep them."""
    if request.path.startswith("/api/") and not request.path.startswith(PUBLIC):
        response.headers["Cache-Control"] = "no-store"
    return response


def _refuse_deep_json() -> Response | None:
    """JSON nested thousands deep exhausts the parser's recursion (it was a 500 on every JSON
    route): refuse it as malformed before any view reads it."""
    if not request.is_json or not request.content_length:
        return None
    body = request.get_data(cache=True)
    if body.count(b"[") + body.count(b"{") < 100:  # can't be deep: don't parse twice
        return None
    try:
        json.loads(body)
    except RecursionError:
        return problems.problem(400, "malformed_json", "The JSON is nested too deeply.")
    except ValueError:
        return None  # the view's parser says what is wrong with it
    return None


def init_app(app: Flask) -> None:
    app.config.update(
        API_TITLE="Roomhire",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="docs",
        OPENAPI_SWAGGER_UI_URL="/assets/swagger-ui/",  # served by Roomhire: works offline
        OPENAPI_SWAGGER_UI_CONFIG={"validatorUrl": None},  # never sends the spec elsewhere
        API_SPEC_OPTIONS={
            "security": [{"bearerAuth": []}],
            "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
        },
    )
    api = RoomhireApi(app)
    app.before_request(reconciliation.limit_upload_size)
    app.before_request(_authenticate)
    app.before_request(_refuse_deep_json)
    app.after_request(_not_stored)
    modules = (health, accounts, directory, bookings, purchasing, invoicing, delivery)
    for module in (*modules, reconciliation, status_links, calendars):
        api.register_blueprint(module.blp)
    problems.register(app)

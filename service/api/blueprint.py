"""The blueprint every API module uses: JSON bodies must say they are JSON, and each
operation's refusals are documented in the OpenAPI document as problem+json responses."""

from __future__ import annotations

import re
from collections.abc import Callable
from copy import deepcopy
from http import HTTPStatus
from typing import Any, TypeVar

import flask
import flask_smorest
from flask_smorest.spec import prepare_response
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request
from webargs.multidictproxy import MultiDictProxy
from werkzeug.datastructures import CombinedMultiDict
from werkzeug.exceptions import UnsupportedMediaType

from service.api.fields import ProblemSchema
from service.api.problems import PROBLEM_JSON

View = TypeVar("View", bound=Callable[..., Any])
NOT_JSON = "Send the body as JSON with Content-Type: application/json."
_REFUSAL = re.compile(r"(?P<status>[45]\d\d) (?P<code>[a-z_]+): (?P<when>\S.*)")
_UNAUTHENTICATED = "401 unauthenticated: no API key, or one that is unknown or disabled"
_INVALID = "422 validation_failed: a field is missing or not valid; `errors` says which and why"
_UNSUPPORTED = f"415 unsupported_media_type: the body is not sent as JSON. {NOT_JSON}"


_PAGINATION_HEADER = {  # flask-smorest documents it as an object; a header is text
    "description": 'The pages, as JSON text: {"total": 1200, "total_pages": 3, '
    '"first_page": 1, "last_page": 3, "page": 1, "next_page": 2}',
    "schema": {"type": "string"},
}


class JsonBodyParser(FlaskParser):
    """A body sent without a JSON content type is refused as such, not read as no fields."""

    def _raw_load_json(self, req: flask.Request) -> Any:
        if is_json_request(req):
            return super()._raw_load_json(req)
        if req.content_length or "chunked" in req.headers.get("Transfer-Encoding", ""):
            raise UnsupportedMediaType(NOT_JSON)
        return core.missing

    def load_files(self, req: flask.Request, schema: Any) -> MultiDictProxy:
        """A multipart form's files and its other fields, read by one schema, so that the
        OpenAPI document shows one multipart/form-data body with both."""
        return MultiDictProxy(CombinedMultiDict([req.files, req.form]), schema)


def refuses(*refusals: str) -> Callable[[View], View]:
    """Document what an operation can refuse, each as 'status code: when', e.g.
    '409 booking_clash: the room is booked at one of the times'. Every operation is
    documented as refusing 401 unless public, 422 if it reads arguments, 415 if a JSON body."""
    for refusal in refusals:
        if not _REFUSAL.fullmatch(refusal):
            raise ValueError(f"Not 'status code: when': {refusal!r}")

    def decorator(view: View) -> View:
        doc = deepcopy(getattr(view, "_apidoc", {}))
        doc["refusals"] = [*refusals, *doc.get("refusals", [])]
        view._apidoc = doc  # type: ignore[attr-defined]  # where flask-smorest keeps docs
        return view

    return decorator


class Blueprint(flask_smorest.Blueprint):  # type: ignore[misc]
    ARGUMENTS_PARSER = JsonBodyParser()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._prepare_doc_cbks.append(self._document_refusals)

    @staticmethod
    def _document_refusals(
        doc: dict[str, Any], doc_info: dict[str, Any], *, spec: Any, **_: Any
    ) -> dict[str, Any]:
        """Runs after flask-smorest's own: one problem+json response per refusing status."""
        said = list(doc_info.get("refusals", []))
        if doc_info.get("manual_doc", {}).get("security") != []:
            said.append(_UNAUTHENTICATED)
        responses = doc.setdefault("responses", {})
        for response in responses.values():
            if isinstance(response, dict) and "X-Pagination" in response.get("headers", {}):
                response["headers"]["X-Pagination"] = _PAGINATION_HEADER
        if responses.pop(422, None) or responses.pop("422", None):  # from @blp.arguments
            said.append(_INVALID)
        if "application/json" in doc.get("requestBody", {}).get("content", {}):
            said.append(_UNSUPPORTED)
        by_status: dict[int, list[str]] = {}
        for refusal in said:
            match = _REFUSAL.fullmatch(refusal)
            assert match is not None  # checked by refuses()
            by_status.setdefault(int(match["status"]), []).append(
                f"- `{match['code']}`: {match['when']}"
            )
        for status, lines in sorted(by_status.items()):
            responses.pop(status, None)
            response = {
                "description": "\n".join([f"{HTTPStatus(status).phrase}:", *lines]),
                "schema": ProblemSchema,
            }
            prepare_response(response, spec, PROBLEM_JSON)
            responses[str(status)] = response
        return doc

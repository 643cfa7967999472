"""A stand-in for GOV.UK Notify on 127.0.0.1: checks each request's JWT and body the way
Notify does, and answers with scripted status codes."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import jwt

from tests.e2e.fake_http import JsonHandler, served

SERVICE_ID = str(uuid.UUID(int=1))
SECRET = str(uuid.UUID(int=2))
API_KEY = f"roomhire_test-{SERVICE_ID}-{SECRET}"


class FakeNotify:
    def __init__(self) -> None:
        self.script: list[int] = []  # status codes to answer, in order; then 201
        self.accepted: list[dict[str, Any]] = []
        self.refused_tokens = 0

    def handler(self) -> type[JsonHandler]:
        fake = self

        class Handler(JsonHandler):
            def do_POST(self) -> None:
                token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                try:
                    claims = jwt.decode(token, SECRET, algorithms=["HS256"])
                    assert claims["iss"] == SERVICE_ID and abs(claims["iat"] - time.time()) < 30
                except Exception:
                    fake.refused_tokens += 1
                    return self._answer(403, {"errors": [{"error": "AuthError"}]})
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if self.path != "/v2/notifications/email" or not {
                    "email_address",
                    "template_id",
                    "personalisation",
                } <= set(body):
                    return self._answer(400, {"errors": [{"error": "BadRequestError"}]})
                status = fake.script.pop(0) if fake.script else 201
                if status == 201:
                    fake.accepted.append(body)
                    return self._answer(201, {"id": str(uuid.uuid4())})
                return self._answer(status, {"errors": [{"error": f"status {status}"}]})

        return Handler


@contextmanager
def fake_notify() -> Iterator[tuple[FakeNotify, str]]:
    fake = FakeNotify()
    with served(fake.handler()) as address:
        yield fake, f"{address}"

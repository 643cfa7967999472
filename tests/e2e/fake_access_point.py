"""A stand-in for a PEPPOL access point's REST API on 127.0.0.1: checks the key, the
participant ids and the idempotency key, validates the document as a real access point does
(here with the tests' offline rule check, so every e-invoice the tests transmit is checked),
answers scripted status codes, and transmits each idempotency key once (a repeat gets the
first transmission id back)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

from tests.e2e.fake_http import JsonHandler, served
from tests.peppol_rules import findings

API_KEY = "test-access-point-key"


@dataclass
class Transmission:
    sender: str
    receiver: str
    document: bytes
    id: str = field(default_factory=lambda: str(uuid.uuid4()))


@dataclass
class FakeAccessPoint:
    script: list[int] = field(default_factory=list)  # status codes to answer first; then 201
    transmitted: dict[str, Transmission] = field(default_factory=dict)  # by idempotency key
    requests: int = 0

    def handler(self) -> type[JsonHandler]:
        fake = self

        class Handler(JsonHandler):
            def do_POST(self) -> None:
                fake.requests += 1
                url = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                body = self.rfile.read(int(self.headers["Content-Length"]))
                key = self.headers.get("Idempotency-Key", "")
                if self.headers.get("Authorization") != f"Bearer {API_KEY}":
                    return self._answer(401, {"error": "unauthorised"})
                if url.path != "/api/transmissions" or not key or not body.startswith(b"<?xml"):
                    return self._answer(400, {"error": "not a transmission"})
                if key in fake.transmitted:  # the same message again: not sent twice
                    return self._answer(200, {"transmission_id": fake.transmitted[key].id})
                if invalid := findings(body):
                    return self._answer(400, {"error": "invalid document", "findings": invalid})
                status = fake.script.pop(0) if fake.script else 201
                if status != 201:
                    return self._answer(status, {"error": f"receiver unknown ({status})"})
                sent = Transmission(query["sender"], query["receiver"], body)
                fake.transmitted[key] = sent
                return self._answer(201, {"transmission_id": sent.id})

        return Handler


@contextmanager
def fake_access_point() -> Iterator[tuple[FakeAccessPoint, str]]:
    """The fake, and its API's base URL."""
    fake = FakeAccessPoint()
    with served(fake.handler()) as address:
        yield fake, f"{address}/api"

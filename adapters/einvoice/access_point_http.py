"""An access point's REST API: POST {base}/transmissions with the UBL document as the body,
the PEPPOL participant ids of sender and receiver, and the message id as the idempotency key.
2xx with a transmission id is the proof; 4xx a refusal; 5xx, 429 and network failures retry."""

from __future__ import annotations

from typing import Any

import requests

from service.ports.delivery import PermanentDeliveryError, TemporaryDeliveryError

SCHEME = "iso6523-actorid-upis"  # how PEPPOL writes a participant id: scheme::0088:…


class HttpAccessPoint:
    def __init__(self, base_url: str, api_key: str, timeout: float = 30.0) -> None:
        self.base_url, self.api_key, self.timeout = base_url.rstrip("/"), api_key, timeout
        self.session = requests.Session()

    def send(self, *, document: bytes, sender: str, receiver: str, message_id: str) -> str:
        try:
            response = self.session.post(
                f"{self.base_url}/transmissions",
                data=document,
                params={"sender": f"{SCHEME}::{sender}", "receiver": f"{SCHEME}::{receiver}"},
                headers={
                    "Authorization": f"Bearer {self.api_key}",
                    "Content-Type": "application/xml",
                    "Idempotency-Key": message_id,
                },
                timeout=self.timeout,
            )
        except requests.RequestException as exc:  # the key makes a repeat safe
            raise TemporaryDeliveryError(f"access point unreachable: {exc}") from exc
        answer = f"{response.status_code} {response.text[:500]}"
        if response.status_code == 429 or response.status_code >= 500:
            raise TemporaryDeliveryError(answer)
        if not 200 <= response.status_code < 300:
            raise PermanentDeliveryError(answer)
        transmission = _transmission_id(response)
        if not transmission:
            raise PermanentDeliveryError(f"accepted without a transmission id: {answer}")
        return f"{response.status_code} transmission {transmission}"


def _transmission_id(response: requests.Response) -> str | None:
    try:
        body: Any = response.json()
    except ValueError:
        return None
    found = body.get("transmission_id") if isinstance(body, dict) else None
    return str(found) if found else None

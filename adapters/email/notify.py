"""GOV.UK Notify over HTTPS: each request carries a JWT signed with the API key's secret."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import jwt
import requests

from service.ports.delivery import Notice, PermanentDeliveryError, TemporaryDeliveryError

PRODUCTION = "https://api.notifications.service.gov.uk"


class NotifyClient:
    def __init__(
        self,
        api_key: str,
        templates: Mapping[str, str],
        base_url: str = PRODUCTION,
        timeout: float = 10.0,
    ) -> None:
        # A key is "{name}-{service id (36)}-{secret (36)}".
        self.service_id, self.secret = api_key[-73:-37], api_key[-36:]
        self.templates, self.base_url, self.timeout = dict(templates), base_url, timeout
        self.session = requests.Session()

    def _token(self) -> str:
        return jwt.encode(
            {"iss": self.service_id, "iat": int(time.time())}, self.secret, algorithm="HS256"
        )

    def notify(self, notice: Notice) -> str:
        body: dict[str, Any] = {
            "email_address": notice.email_address,
            "template_id": self.templates[notice.template],
            "personalisation": notice.personalisation,
            "reference": notice.reference,
        }
        try:
            response = self.session.post(
                f"{self.base_url}/v2/notifications/email",
                json=body,
                timeout=self.timeout,
                headers={"Authorization": f"Bearer {self._token()}"},
            )
        except requests.RequestException as exc:
            raise TemporaryDeliveryError(f"Notify unreachable: {exc}") from exc
        if response.status_code == 201:
            return f"201 notification {response.json().get('id')}"
        error = f"{response.status_code} {response.text[:300]}"
        if response.status_code == 429 or response.status_code >= 500:
            raise TemporaryDeliveryError(error)
        raise PermanentDeliveryError(error)

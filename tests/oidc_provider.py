"""A real OpenID Connect provider (oidc-provider-mock) on 127.0.0.1 for the tests that sign in
with it: start it, add people, and sign in at its form as a person's browser would. Modules that
use it carry `pytestmark = [MOCK_WARNINGS, ...]`."""

from __future__ import annotations

import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from authlib.deprecate import AuthlibDeprecationWarning
from werkzeug.serving import make_server

from service.ports.accounts import AuthorizationRequest

# The mock's token endpoint uses a hook Authlib 1.9 deprecates (get_jwt_config): the warning is
# raised in the server's thread while a test runs, where `filterwarnings = error` would turn it
# into a 500 from the token endpoint.
MOCK_WARNINGS = pytest.mark.filterwarnings(
    r"ignore:get_jwt_config\(self, grant\) is deprecated:DeprecationWarning"
)


@contextmanager
def running_provider(**options: Any) -> Iterator[str]:
    """An OpenID provider on a free port of 127.0.0.1, in a thread; yields its issuer URL.
    `options` go to `oidc_provider_mock.app` (require_nonce, access_token_max_age, ...)."""
    with warnings.catch_warnings():  # it imports authlib.jose and httpx_client, both deprecated
        warnings.simplefilter("ignore", AuthlibDeprecationWarning)
        import oidc_provider_mock
    server = make_server("127.0.0.1", 0, oidc_provider_mock.app(**options), threaded=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def add_person(issuer: str, sub: str, claims: dict[str, object]) -> None:
    """Make `sub` a person whose ID token carries `claims`. (A `sub` the mock doesn't know gets
    {"email": sub}.)"""
    requests.put(f"{issuer}/users/{sub}", json=claims, timeout=5).raise_for_status()


def sign_in(request: AuthorizationRequest, sub: str, *, deny: bool = False) -> dict[str, str]:
    """The query the browser brings back to the redirect URI once the person has signed in as
    `sub` at the provider's form (or refused)."""
    form = requests.get(request.url, timeout=5)
    assert form.status_code == 200 and 'name="sub"' in form.text
    answer = {"action": "deny"} if deny else {"sub": sub}
    response = requests.post(request.url, data=answer, allow_redirects=False, timeout=5)
    assert response.status_code == 302, response.text
    redirect_uri, _, query = response.headers["Location"].partition("?")
    assert redirect_uri == dict(parse_qsl(urlsplit(request.url).query))["redirect_uri"]
    return dict(parse_qsl(query))

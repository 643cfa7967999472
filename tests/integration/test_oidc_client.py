"""The OpenID Connect adapter against a real provider (oidc-provider-mock) on 127.0.0.1, with
`requests` playing the person's browser (the provider and its helpers: tests/oidc_provider.py)."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import parse_qsl, urlsplit

import pytest

from adapters.auth.oidc import OidcProvider
from service.ports.accounts import AuthorizationRequest, SignInRefused
from tests.oidc_provider import MOCK_WARNINGS, add_person, running_provider, sign_in

pytestmark = [MOCK_WARNINGS, pytest.mark.slow]  # a provider serves in a thread

REDIRECT_URI = "http://127.0.0.1/auth/callback"  # never requested: sign_in reads the redirect
CLIENT_ID, CLIENT_SECRET = "roomhire", "roomhire-secret"  # the mock accepts any client


@pytest.fixture(scope="module")
def issuer() -> Iterator[str]:
    with running_provider(require_nonce=True) as url:
        add_person(url, "alice", {"email": " Alice.Smith@NHS.net ", "email_verified": True})
        yield url


@pytest.fixture
def provider(issuer: str) -> OidcProvider:
    return OidcProvider(issuer, CLIENT_ID, CLIENT_SECRET)


@pytest.fixture
def signed_in(provider: OidcProvider) -> tuple[AuthorizationRequest, dict[str, str]]:
    """Alice's authorization request and the callback after she signed in."""
    request = provider.authorization(REDIRECT_URI)
    return request, sign_in(request, "alice")


def test_the_authorization_url_asks_for_a_code_with_pkce_state_and_nonce(
    provider: OidcProvider, issuer: str
) -> None:
    request = provider.authorization(REDIRECT_URI)
    url = urlsplit(request.url)
    query = dict(parse_qsl(url.query))
    verifier = request.kept["code_verifier"]
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{issuer}/oauth2/authorize"
    assert query == {
        "response_type": "code",
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT_URI,
        "scope": "openid email profile",
        "state": request.kept["state"],
        "nonce": request.kept["nonce"],
        "code_challenge": challenge.decode(),
        "code_challenge_method": "S256",
    }
    assert sorted(request.kept) == ["code_verifier", "nonce", "state"]
    assert provider.authorization(REDIRECT_URI).kept["state"] != request.kept["state"]


def test_a_sign_in_gives_the_email_lower_cased(
    provider: OidcProvider, signed_in: tuple[AuthorizationRequest, dict[str, str]]
) -> None:
    request, callback = signed_in
    assert provider.verified_email(REDIRECT_URI, request.kept, callback) == "alice.smith@nhs.net"


@pytest.mark.parametrize("state", ["forged", "", "é", None])
def test_a_callback_with_another_state_is_refused(
    provider: OidcProvider,
    signed_in: tuple[AuthorizationRequest, dict[str, str]],
    state: str | None,
) -> None:
    request, callback = signed_in
    forged = {k: v for k, v in callback.items() if k != "state"}
    if state is not None:
        forged["state"] = state
    with pytest.raises(SignInRefused, match="state"):
        provider.verified_email(REDIRECT_URI, request.kept, forged)


def test_a_replayed_code_is_refused(
    provider: OidcProvider, signed_in: tuple[AuthorizationRequest, dict[str, str]]
) -> None:
    request, callback = signed_in
    provider.verified_email(REDIRECT_URI, request.kept, callback)
    with pytest.raises(SignInRefused, match="invalid_grant"):
        provider.verified_email(REDIRECT_URI, request.kept, callback)


def test_an_id_token_with_another_nonce_is_refused(
    provider: OidcProvider, signed_in: tuple[AuthorizationRequest, dict[str, str]]
) -> None:
    request, callback = signed_in
    kept = {**request.kept, "nonce": "another-sign-in"}
    with pytest.raises(SignInRefused, match="nonce"):
        provider.verified_email(REDIRECT_URI, kept, callback)


def genuine_id_token(
    provider: OidcProvider, signed_in: tuple[AuthorizationRequest, dict[str, str]]
) -> str:
    """The ID token the provider issues for the sign-in (its code is then spent)."""
    request, callback = signed_in
    return provider._exchange(REDIRECT_URI, callback["code"], request.kept["code_verifier"])


def test_an_id_token_for_another_client_is_refused(
    provider: OidcProvider,
    issuer: str,
    signed_in: tuple[AuthorizationRequest, dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The mock refuses to exchange a code for any client but the one it was issued to, so the
    # other client is handed our genuine token, as a malicious token endpoint could do.
    other = OidcProvider(issuer, "another-client", CLIENT_SECRET)
    minted_for_us = genuine_id_token(provider, signed_in)
    monkeypatch.setattr(other, "_exchange", lambda *_: minted_for_us)
    request, callback = signed_in
    with pytest.raises(SignInRefused, match="'aud'"):
        other.verified_email(REDIRECT_URI, request.kept, callback)


def test_an_id_token_altered_after_signing_is_refused(
    provider: OidcProvider,
    signed_in: tuple[AuthorizationRequest, dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    header, payload, signature = genuine_id_token(provider, signed_in).split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["email"] = "mallory@nhs.net"
    payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    monkeypatch.setattr(provider, "_exchange", lambda *_: f"{header}.{payload}.{signature}")
    request, callback = signed_in
    with pytest.raises(SignInRefused, match="bad_signature"):
        provider.verified_email(REDIRECT_URI, request.kept, callback)


def test_an_expired_id_token_is_refused() -> None:
    with running_provider(access_token_max_age=timedelta(minutes=-5)) as issuer:
        provider = OidcProvider(issuer, CLIENT_ID, CLIENT_SECRET)
        request = provider.authorization(REDIRECT_URI)
        callback = sign_in(request, "bob@nhs.net")
        with pytest.raises(SignInRefused, match="expired"):
            provider.verified_email(REDIRECT_URI, request.kept, callback)


def test_a_refusal_at_the_provider_is_refused(provider: OidcProvider) -> None:
    request = provider.authorization(REDIRECT_URI)
    callback = sign_in(request, "alice", deny=True)
    assert callback["error"] == "access_denied"
    with pytest.raises(SignInRefused, match="access_denied"):
        provider.verified_email(REDIRECT_URI, request.kept, callback)


@pytest.mark.parametrize(
    ("claims", "refusal"),
    [
        ({"name": "Carol"}, "no email claim"),
        ({"email": "   "}, "no email claim"),
        ({"email": "carol@nhs.net", "email_verified": False}, "not verified"),
    ],
)
def test_a_token_without_a_verified_email_is_refused(
    provider: OidcProvider, issuer: str, claims: dict[str, object], refusal: str
) -> None:
    add_person(issuer, "carol", claims)
    request = provider.authorization(REDIRECT_URI)
    callback = sign_in(request, "carol")
    with pytest.raises(SignInRefused, match=refusal):
        provider.verified_email(REDIRECT_URI, request.kept, callback)


def test_an_unreachable_provider_is_a_refusal() -> None:
    with running_provider() as issuer:
        pass  # stopped: its port is now closed
    discovery = f"{issuer}/.well-known/openid-configuration"
    with pytest.raises(SignInRefused, match=re.escape(f"could not read {discovery}")):
        OidcProvider(issuer, CLIENT_ID, CLIENT_SECRET).authorization(REDIRECT_URI)


def test_a_provider_naming_another_issuer_is_a_refusal(issuer: str) -> None:
    with pytest.raises(SignInRefused, match="names another issuer"):
        OidcProvider(f"{issuer}/", CLIENT_ID, CLIENT_SECRET).authorization(REDIRECT_URI)

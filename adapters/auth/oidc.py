"""OpenID Connect sign-in: the authorization code flow with PKCE, using Authlib for the OAuth 2
requests and joserfc to verify the ID token."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Mapping
from typing import Any, cast

import requests
from authlib.integrations.requests_client import (
    OAuth2Session,
    OAuthError,
)
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet, KeySetSerialization

from service.ports.accounts import AuthorizationRequest, SignInRefused

SCOPE = "openid email profile"
# Signatures by the provider's published keys only: never "none", nor HMAC with the client secret.
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"]
LEEWAY = 60  # seconds of clock skew allowed on exp, iat and nbf
KEPT = ("state", "nonce", "code_verifier")
ENDPOINTS = {"authorization_endpoint", "token_endpoint", "jwks_uri"}


class OidcProvider:
    """One client registration at one issuer. The discovery document and the provider's keys
    are fetched on first use and kept (keys are fetched again when a token names a new one)."""

    def __init__(
        self,
        issuer: str,
        client_id: str,
        client_secret: str,
        email_claim: str = "email",
        timeout: float = 10,
    ) -> None:
        self.issuer, self.client_id, self.client_secret = issuer, client_id, client_secret
        self.email_claim, self.timeout = email_claim, timeout
        self._metadata: dict[str, Any] | None = None
        self._keys: KeySet | None = None

    def authorization(self, redirect_uri: str) -> AuthorizationRequest:
        kept = {name: secrets.token_urlsafe(32) for name in KEPT}
        endpoint = self._discovery()["authorization_endpoint"]
        with self._session(redirect_uri) as session:
            url, _ = session.create_authorization_url(
                endpoint,
                state=kept["state"],
                code_verifier=kept["code_verifier"],
                nonce=kept["nonce"],
            )
        return AuthorizationRequest(url=url, kept=kept)

    def verified_email(
        self, redirect_uri: str, kept: Mapping[str, str], callback: Mapping[str, str]
    ) -> str:
        if "error" in callback:
            description = callback.get("error_description", "")
            raise SignInRefused(f"the provider answered {callback['error']}: {description}")
        if not all(kept.get(name) for name in KEPT):
            raise SignInRefused("nothing kept from the authorization request (cookie lost?)")
        # As bytes: compare_digest refuses non-ASCII text, which a forged callback may carry.
        if not hmac.compare_digest(callback.get("state", "").encode(), kept["state"].encode()):
            raise SignInRefused("the callback's state is not the authorization request's")
        if not callback.get("code"):
            raise SignInRefused("the callback carries no code")
        id_token = self._exchange(redirect_uri, callback["code"], kept["code_verifier"])
        claims = self._verified_claims(id_token, kept["nonce"])
        email = claims.get(self.email_claim)
        if not isinstance(email, str) or not email.strip():
            raise SignInRefused(f"the ID token carries no {self.email_claim} claim")
        if claims.get("email_verified") is False:
            raise SignInRefused("the provider has not verified the email address")
        return email.strip().lower()

    def _session(self, redirect_uri: str) -> OAuth2Session:
        return OAuth2Session(
            self.client_id,
            self.client_secret,
            scope=SCOPE,
            redirect_uri=redirect_uri,
            code_challenge_method="S256",
        )

    def _exchange(self, redirect_uri: str, code: str, code_verifier: str) -> str:
        """The ID token the token endpoint gives for the code (once: a replayed code fails)."""
        endpoint = self._discovery()["token_endpoint"]
        try:
            with self._session(redirect_uri) as session:
                token = session.fetch_token(
                    endpoint, code=code, code_verifier=code_verifier, timeout=self.timeout
                )
        except (OAuthError, requests.RequestException, ValueError) as exc:
            raise SignInRefused(f"the token exchange failed: {exc}") from exc
        id_token = token.get("id_token")
        if not isinstance(id_token, str):
            raise SignInRefused("the token endpoint gave no ID token")
        return id_token

    def _verified_claims(self, id_token: str, nonce: str) -> dict[str, Any]:
        try:
            try:
                token = jwt.decode(id_token, self._key_set(), ALGORITHMS)
            except InvalidKeyIdError:  # the provider may have rotated its keys since we looked
                token = jwt.decode(id_token, self._key_set(refresh=True), ALGORITHMS)
            jwt.JWTClaimsRegistry(
                leeway=LEEWAY,
                iss={"essential": True, "value": self.issuer},
                aud={"essential": True, "value": self.client_id},
                azp={"value": self.client_id},  # checked when present
                sub={"essential": True},
                exp={"essential": True},
                iat={"essential": True},
                nonce={"essential": True, "value": nonce},
            ).validate(token.claims)
        except JoseError as exc:
            raise SignInRefused(f"the ID token does not check out: {exc}") from exc
        return token.claims

    def _discovery(self) -> dict[str, Any]:
        if self._metadata is None:
            url = f"{self.issuer.rstrip('/')}/.well-known/openid-configuration"
            metadata = self._get_json(url)
            if metadata.get("issuer") != self.issuer:  # OpenID Connect Discovery 1.0, 4.3
                raise SignInRefused(f"{url} names another issuer: {metadata.get('issuer')}")
            if missing := ENDPOINTS - metadata.keys():
                raise SignInRefused(f"{url} names no {', '.join(sorted(missing))}")
            self._metadata = metadata
        return self._metadata

    def _key_set(self, *, refresh: bool = False) -> KeySet:
        if self._keys is None or refresh:
            jwks = self._get_json(self._discovery()["jwks_uri"])
            try:
                self._keys = KeySet.import_key_set(cast(KeySetSerialization, jwks))
            except (JoseError, LookupError, TypeError, ValueError) as exc:
                raise SignInRefused(f"the provider's keys are unreadable: {exc}") from exc
        return self._keys

    def _get_json(self, url: str) -> dict[str, Any]:
        try:
            response = requests.get(url, timeout=self.timeout)
            response.raise_for_status()
            document = response.json()
        except requests.RequestException as exc:  # JSON that does not parse included
            raise SignInRefused(f"could not read {url} from the identity provider: {exc}") from exc
        if not isinstance(document, dict):
            raise SignInRefused(f"{url} is not a JSON object")
        return document

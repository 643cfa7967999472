"""The tokens behind secret links (a venue's status page, a calendar address): 256 bits from
the operating system's CSPRNG, kept only as a SHA-256 hash, compared in constant time."""

from __future__ import annotations

import hashlib
import hmac
import secrets

TOKEN_BYTES = 32


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def hash_matches(stored: str, token: str) -> bool:
    return hmac.compare_digest(stored, token_hash(token))

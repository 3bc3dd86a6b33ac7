"""API tokens: ``chub_<shop id>_<secret>``; only a SHA-256 of the whole token is stored."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass

_FORMAT = re.compile(r"^chub_(\d{1,18})_([A-Za-z0-9_-]{20,128})$")


@dataclass(frozen=True, slots=True)
class ParsedToken:
    shop_id: int
    digest: str


def new_token(shop_id: int) -> str:
    return f"chub_{shop_id}_{secrets.token_urlsafe(32)}"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def bearer_token(authorization: str) -> str | None:
    """The token an ``Authorization: Bearer <token>`` header carries; None for any other."""
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def parse_token(token: str) -> ParsedToken | None:
    """The shop a token claims and its digest, or None when it is not a token at all."""
    match = _FORMAT.match(token)
    if match is None:
        return None
    return ParsedToken(shop_id=int(match.group(1)), digest=digest(token))

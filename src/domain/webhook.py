"""Webhook subscriptions: where a shop's events go, which ones, and the signing secret (X3)."""

from __future__ import annotations

import ipaddress
import secrets
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TypeAlias
from urllib.parse import urlsplit

from domain.errors import DomainError, ErrorCode, Forbidden, shown
from domain.events import EventType
from domain.staff import Role

MAX_URL = 2000
MIN_SECRET = 16
MAX_SECRET = 200
SECRET_PREFIX = "whsec_"
IPAddress: TypeAlias = ipaddress.IPv4Address | ipaddress.IPv6Address
NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class Subscription:
    id: int
    url: str
    event_types: tuple[str, ...]
    active: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Event:
    id: int
    type: str
    payload: object
    created_at: datetime
    dispatched_at: datetime | None


@dataclass(frozen=True, slots=True)
class Delivery:
    id: int
    event_id: int
    subscription_id: int
    status: DeliveryStatus
    attempts: int
    last_status_code: int | None
    last_error: str | None
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Attempt:
    id: int
    delivery_id: int
    attempted_at: datetime
    status_code: int | None
    error: str | None
    duration_ms: int | None


def _address(host: str) -> IPAddress | None:
    """The address a host names literally, in the shorter IPv4 spellings too ("127.1",
    "2130706433", "0x7f.0.0.1"), which resolvers take as addresses."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except (OSError, ValueError):
        return None


def _embedded(address: IPAddress) -> list[IPAddress]:
    """The address and any IPv4 address it carries (mapped, 6to4, Teredo, NAT64)."""
    found: list[IPAddress] = [address]
    if isinstance(address, ipaddress.IPv6Address):
        teredo = address.teredo
        found += [a for a in (address.ipv4_mapped, address.sixtofour) if a is not None]
        found += list(teredo) if teredo is not None else []
        if address in NAT64:
            found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return found


def is_public(address: IPAddress) -> bool:
    """Reachable on the internet: not loopback, private, link-local (cloud metadata at
    169.254.169.254), shared (100.64.0.0/10), reserved or multicast, nor an IPv6 address
    carrying such an IPv4 one."""
    return all(a.is_global and not a.is_multicast for a in _embedded(address))


def is_local_host(host: str) -> bool:
    """A host that names this machine or a private network: an IP address that is not
    public, or localhost (RFC 6761)."""
    address = _address(host)
    if address is not None:
        return not is_public(address)
    name = host.lower().rstrip(".")
    return name == "localhost" or name.endswith(".localhost")


def _is_loopback(host: str) -> bool:
    address = _address(host)
    if address is not None:
        return address.is_loopback
    return is_local_host(host)


def check_url(url: str, *, field: str, local_network: bool = False) -> str:
    """An absolute HTTPS URL to a public host. With ``local_network`` (development, a
    single-tenant install) private addresses are taken too, and plain HTTP to this machine."""
    cleaned = url.strip()
    if len(cleaned) > MAX_URL:
        raise DomainError(f"A URL has at most {MAX_URL} characters.", field=field)
    try:
        parts = urlsplit(cleaned)
        host = parts.hostname or ""
        port = parts.port  # raises on a malformed port
    except ValueError:
        raise DomainError("Not a valid URL.", field=field) from None
    # urlsplit takes a host with a space in it ("exa mple.com"), and port 0: neither can be
    # delivered to.
    if port == 0 or any(c.isspace() or not c.isprintable() for c in cleaned):
        raise DomainError("Not a valid URL.", field=field)
    if not host or parts.scheme not in ("https", "http"):
        raise DomainError("Give an absolute URL such as https://example.vn/hooks.", field=field)
    if parts.username is not None or parts.password is not None:
        raise DomainError("Credentials do not belong in the URL; use the secret.", field=field)
    if not local_network and is_local_host(host):
        raise DomainError(
            f"{shown(host)} is not a public address; webhooks are delivered to receivers on the "
            "internet (WEBHOOK_LOCAL_NETWORK lets a private install deliver to its own network).",
            field=field,
        )
    if parts.scheme == "http" and not (local_network and _is_loopback(host)):
        raise DomainError(
            "Webhooks are delivered over HTTPS"
            + ("; plain http only to 127.0.0.1, localhost and [::1]." if local_network else "."),
            field=field,
        )
    return cleaned


def url_refusal(url: str, *, local_network: bool) -> str | None:
    """Why a saved URL may not be delivered to under the install's setting now (one saved
    while ``WEBHOOK_LOCAL_NETWORK`` was on, say); None when it may."""
    try:
        check_url(url, field="url", local_network=local_network)
    except DomainError as error:
        return error.message
    return None


def check_event_types(types: Sequence[str], *, field: str) -> tuple[str, ...]:
    """Known event types, without repeats; an empty list means every event."""
    known = {member.value for member in EventType}
    for index, name in enumerate(types):
        if name not in known:
            raise DomainError(
                f'Unknown event type "{name}"; known: {", ".join(sorted(known))}.',
                code=ErrorCode.INVALID,
                field=f"{field}.{index}",
            )
    return tuple(dict.fromkeys(types))


def check_secret(secret: str, *, field: str) -> str:
    if not MIN_SECRET <= len(secret) <= MAX_SECRET or secret != secret.strip():
        raise DomainError(
            f"A secret has {MIN_SECRET} to {MAX_SECRET} characters, without surrounding spaces.",
            field=field,
        )
    return secret


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


WEBHOOK_ADMIN_ROLES = frozenset({Role.OWNER, Role.SHOP_ADMIN})


def check_can_manage(role: Role) -> None:
    """Subscriptions hold signing secrets and send the shop's data out: admins only."""
    if role not in WEBHOOK_ADMIN_ROLES:
        raise Forbidden("Only the owner or a shop admin manages webhook subscriptions.")

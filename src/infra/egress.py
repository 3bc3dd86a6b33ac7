"""The HTTP client webhooks are sent with, kept to public addresses.

A subscription's URL is checked when it is saved (``domain.webhook.check_url``), but a name
can resolve to anything, and to something else by the time of delivery. So the client
resolves the host itself at every connection, refuses it when any of its addresses is not
public, and connects to the address it checked: a name cannot answer a public address to the
check and a private one to the connection. TLS still verifies the certificate against the
URL's host name.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import typing

import httpcore
import httpx

from domain.webhook import IPAddress, is_public

MAX_ADDRESSES = 8
LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20)  # httpx's own


class PublicNetworkBackend(httpcore.AsyncNetworkBackend):
    """Opens TCP connections to public addresses only, by way of another backend."""

    def __init__(self, inner: httpcore.AsyncNetworkBackend | None = None) -> None:
        self._inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        local_address: str | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        clock = asyncio.get_running_loop().time
        deadline = None if timeout is None else clock() + timeout
        addresses = await _resolve(host, port, timeout)
        refused = [a for a in addresses if not is_public(a)]
        if refused:
            shown = host if str(refused[0]) == host else f"{host} resolves to {refused[0]}, which"
            raise httpcore.ConnectError(f"refused: {shown} is not a public address")
        failure: Exception = httpcore.ConnectTimeout(f"connecting to {host} timed out")
        # The addresses in turn, within the one connect timeout the request was given.
        for address in addresses[:MAX_ADDRESSES]:
            left = None if deadline is None else deadline - clock()
            if left is not None and left <= 0:
                break
            try:
                return await self._inner.connect_tcp(
                    str(address), port, left, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as error:
                failure = error
        raise failure

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("refused: webhooks are not sent to local sockets")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


async def _resolve(host: str, port: int, seconds: float | None) -> list[IPAddress]:
    """Every address the host names, in the resolver's order, without repeats."""
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout(seconds):
            found = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except TimeoutError:
        raise httpcore.ConnectTimeout(f"resolving {host} timed out") from None
    except (OSError, UnicodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise httpcore.ConnectError(f"cannot resolve {host}: {reason}") from None
    addresses: dict[IPAddress, None] = {}
    for _family, _type, _proto, _name, sockaddr in found:
        # An IPv6 link-local answer carries its zone ("fe80::1%eth0").
        addresses.setdefault(ipaddress.ip_address(str(sockaddr[0]).split("%")[0]), None)
    if not addresses:
        raise httpcore.ConnectError(f"cannot resolve {host}: no address")
    return list(addresses)


class PublicTransport(httpx.AsyncHTTPTransport):
    """httpx's transport with its connection pool on ``PublicNetworkBackend``. httpx takes
    no network backend of its own, so the pool it built is replaced by an equal one."""

    def __init__(self, backend: PublicNetworkBackend | None = None) -> None:
        super().__init__(trust_env=False, limits=LIMITS)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=LIMITS.max_connections,
            max_keepalive_connections=LIMITS.max_keepalive_connections,
            keepalive_expiry=LIMITS.keepalive_expiry,
            network_backend=backend or PublicNetworkBackend(),
        )


class WebhookClient(httpx.AsyncClient):
    """An HTTP client that knows whether the install delivers to its own network, so that a
    delivery can refuse a URL the setting forbids before connecting."""

    def __init__(self, *, local_network: bool, **kwargs: typing.Any) -> None:
        super().__init__(trust_env=False, **kwargs)
        self.local_network = local_network


def webhook_client(*, local_network: bool) -> WebhookClient:
    """The client webhooks are delivered with: public addresses only, unless the install
    delivers to its own network (``WEBHOOK_LOCAL_NETWORK``). Redirects are not followed, and
    the environment's proxies are not used."""
    if local_network:
        return WebhookClient(local_network=True, limits=LIMITS)
    return WebhookClient(local_network=False, transport=PublicTransport())

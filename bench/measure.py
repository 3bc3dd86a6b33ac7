"""Timing: interleaved samples over every (case, stack) pair, and concurrent throughput."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import orjson

Probe = Callable[[], Awaitable[float]]


class GraphQLError(RuntimeError):
    pass


class Client:
    """One kept-alive HTTP connection, on aiohttp. Posting `{ __typename }` to the service back
    to back, it takes about 0.3 ms per request more than a bare socket writing the request and
    reading the answer; httpx took 1.0 to 1.6 ms more. That time counted against the servers in
    every sample, and under load the client took it from the same two cores."""

    def __init__(self, headers: dict[str, str]) -> None:
        self.session = aiohttp.ClientSession(
            headers={**headers, "Content-Type": "application/json"},
            connector=aiohttp.TCPConnector(limit=1),
            timeout=aiohttp.ClientTimeout(total=120),
        )

    async def post(self, url: str, body: bytes) -> tuple[int, bytes]:
        async with self.session.post(url, data=body) as response:
            return response.status, await response.read()

    async def aclose(self) -> None:
        await self.session.close()

    async def __aenter__(self) -> Client:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()


@dataclass
class Endpoint:
    """A GraphQL endpoint over one kept-alive HTTP connection (per client)."""

    url: str
    headers: dict[str, str] = field(default_factory=dict)

    def client(self) -> Client:
        return Client(self.headers)


def body_of(query: str, variables: dict[str, Any]) -> bytes:
    return orjson.dumps({"query": query, "variables": variables})


async def post(client: Client, url: str, body: bytes) -> Any:
    status, content = await client.post(url, body)
    data = orjson.loads(content)
    if status != 200 or data.get("errors"):
        raise GraphQLError(f"{url}: {status} {str(data)[:500]}")
    return data["data"]


def timed(client: Client, url: str, body: bytes) -> Probe:
    async def probe() -> float:
        started = time.perf_counter()
        await post(client, url, body)
        return (time.perf_counter() - started) * 1000

    return probe


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


@dataclass
class Series:
    samples: list[float] = field(default_factory=list)

    @property
    def p50(self) -> float:
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:
        return percentile(self.samples, 0.95)


async def interleaved(
    probes: dict[str, Probe],
    rounds: int,
    warmup: int = 2,
    on_round: Callable[[int], None] | None = None,
) -> dict[str, Series]:
    """Run every probe once per round, in an order rotated each round, so that drifts of the
    machine (other load, caches, autovacuum) fall on all probes alike."""
    series = {key: Series() for key in probes}
    keys = list(probes)
    for r in range(warmup + rounds):
        shift = r % len(keys)
        for key in keys[shift:] + keys[:shift]:
            elapsed = await probes[key]()
            if r >= warmup:
                series[key].samples.append(elapsed)
        if on_round is not None:
            on_round(r)
    return series


async def throughput(
    url: str, headers: dict[str, str], bodies: list[bytes], *, connections: int, seconds: float
) -> float:
    """Requests per second with ``connections`` clients each posting back to back, cycling over
    ``bodies``; every response is checked."""
    deadline = time.perf_counter() + seconds
    done = 0

    async def worker(offset: int) -> None:
        nonlocal done
        async with Endpoint(url, headers).client() as client:
            i = offset
            while time.perf_counter() < deadline:
                await post(client, url, bodies[i % len(bodies)])
                done += 1
                i += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker(k) for k in range(connections)))
    return done / (time.perf_counter() - started)

"""Callers' budgets kept in Redis, so that several server processes charge one bucket per
caller (``domain.budget``), where each would otherwise give every caller a bucket of its own.

One script charges a bucket atomically on the Redis server, with the server's clock, so the
processes need not agree on the time. A bucket left alone long enough to fill up again expires,
as it holds nothing a new one would not. When Redis cannot be reached in time, the process
charges its own buckets meanwhile (``fallback``) and says so in its log, at most once a minute:
a request is never refused, nor slowed by more than the time-outs, because Redis is away.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import structlog
from redis.asyncio import Redis
from redis.exceptions import RedisError

from domain.budget import Budgets, Spent

log = structlog.get_logger()

KEY_PREFIX = "customer_hub:budget:"
TIMEOUT_S = 0.25
"""How long a charge waits for Redis before the process charges its own bucket instead."""
WARN_EVERY_S = 60.0

# The arithmetic of ``domain.budget.leak``, on the Redis server. ARGV: capacity, restore
# (points a second), points, and the time in seconds, or "" for the server's own clock.
CHARGE = """
local capacity = tonumber(ARGV[1])
local restore = tonumber(ARGV[2])
local points = tonumber(ARGV[3])
local now = tonumber(ARGV[4])
if now == nil then
  local t = redis.call('TIME')
  now = tonumber(t[1]) + tonumber(t[2]) / 1000000
end
local held = redis.call('HMGET', KEYS[1], 'level', 'at')
local level = tonumber(held[1]) or capacity
local at = tonumber(held[2]) or now
level = math.min(capacity, level + math.max(0, now - at) * restore)
local allowed = 0
if points <= level then
  level = math.min(capacity, level - points)
  allowed = 1
end
redis.call('HSET', KEYS[1], 'level', string.format('%.17g', level), 'at', string.format('%.17g', now))
redis.call('EXPIRE', KEYS[1], math.ceil(capacity / restore) + 1)
return {allowed, string.format('%.17g', level)}
"""


@dataclass
class SharedBudget:
    """Buckets of ``capacity`` points refilled at ``restore`` a second, kept in Redis."""

    redis: Redis
    fallback: Budgets
    """Charged while Redis cannot be reached."""
    prefix: str = KEY_PREFIX
    clock: Callable[[], float] | None = None
    """The time in seconds; None: Redis' own clock (``clock`` is for tests)."""
    _warned: float = field(default=-math.inf)

    def __post_init__(self) -> None:
        self._charge = self.redis.register_script(CHARGE)  # EVALSHA, loaded when missing

    @classmethod
    def connect(cls, url: str, fallback: Budgets) -> SharedBudget:
        """A budget on the Redis at ``url`` (``redis://host:port/db``); connects on first use."""
        client = Redis.from_url(
            url, socket_timeout=TIMEOUT_S, socket_connect_timeout=TIMEOUT_S, retry_on_timeout=False
        )
        return cls(client, fallback)

    @property
    def capacity(self) -> int:
        return self.fallback.capacity

    @property
    def restore(self) -> float:
        return self.fallback.restore

    async def spend(self, caller: tuple[int, int], points: int) -> Spent:
        key = self.prefix + ":".join(str(part) for part in caller)
        now = "" if self.clock is None else repr(self.clock())
        try:
            allowed, level = await self._charge(
                keys=[key], args=[self.capacity, repr(float(self.restore)), points, now]
            )
        except (RedisError, OSError) as error:
            self._warn(error)
            return await self.fallback.spend(caller, points)
        return Spent.of(bool(allowed), float(level), points, self.restore)

    def _warn(self, error: BaseException) -> None:
        now = time.monotonic()
        if now - self._warned >= WARN_EVERY_S:
            self._warned = now
            log.warning(
                "budget store unreachable; charging this process's own budgets meanwhile",
                error=f"{type(error).__name__}: {error}",
            )

    async def aclose(self) -> None:
        await self.redis.aclose()

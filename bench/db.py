"""A plain asyncpg connection for the bench's own statements (setup, counts, VACUUM)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg

from infra.database import asyncpg_dsn


@asynccontextmanager
async def connected(url: str) -> AsyncIterator[asyncpg.Connection]:
    dsn, kwargs = asyncpg_dsn(url)
    conn = await asyncpg.connect(dsn, **kwargs)
    try:
        yield conn
    finally:
        await conn.close()

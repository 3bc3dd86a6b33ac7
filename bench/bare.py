"""The bare HTTP reference: the least a Python web service can do for a captured request.

An ASGI app with no framework and no GraphQL, served by the same uvicorn as the service: it
reads a JSON body naming a request (``{"key": "case|count"}``), runs that request's captured
statements on asyncpg (a pool of its own, the service's server settings, prepared as asyncpg
does), and writes the last statement's first row as a GraphQL-shaped JSON answer. Its time over
the asyncpg replay of the same statements is what HTTP, uvicorn and one asyncpg round trip
through a Python event loop cost on this machine, with nothing of the service in it: the part
of a count's ratio to asyncpg that no Python GraphQL service can go under.

The statements come from a pickle file (``BARE_STATEMENTS``: key -> list of (sql, params)),
written by the bench for its own subprocess; the database from ``DATABASE_URL``.
"""

from __future__ import annotations

import os
import pickle
from pathlib import Path
from typing import Any

import asyncpg
import orjson

from infra.database import SERVER_SETTINGS, asyncpg_dsn

Statements = dict[str, list[tuple[str, tuple[Any, ...]]]]

_STATEMENTS: Statements = {}
_POOL: list[asyncpg.Pool] = []
_HEADERS = [(b"content-type", b"application/json")]


def write_statements(path: Path, statements: Statements) -> None:
    path.write_bytes(pickle.dumps(statements))


def read_statements(path: Path) -> Statements:
    statements: Statements = pickle.loads(path.read_bytes())
    return statements


async def _lifespan(receive: Any, send: Any) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            _STATEMENTS.update(read_statements(Path(os.environ["BARE_STATEMENTS"])))
            dsn, kwargs = asyncpg_dsn(os.environ["DATABASE_URL"])
            pool = await asyncpg.create_pool(
                dsn, min_size=1, max_size=2, server_settings=dict(SERVER_SETTINGS), **kwargs
            )
            _POOL.append(pool)
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            for pool in _POOL:
                await pool.close()
            await send({"type": "lifespan.shutdown.complete"})
            return


async def _answer(send: Any, status: int, body: bytes) -> None:
    headers = [*_HEADERS, (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        await _lifespan(receive, send)
        return
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    request = orjson.loads(b"".join(chunks) or b"{}")
    statements = _STATEMENTS.get(request.get("key", "")) if isinstance(request, dict) else None
    if not statements:  # the readiness probe, or a key it was not given
        await _answer(send, 200, orjson.dumps({"data": {"__typename": "Query"}}))
        return
    async with _POOL[0].acquire() as connection:
        for sql, params in statements:
            rows = await connection.fetch(sql, *params)
    value = list(rows[0].values()) if rows else None
    await _answer(send, 200, orjson.dumps({"data": {"row": value}}, default=str))

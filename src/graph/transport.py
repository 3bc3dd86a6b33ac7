"""The common request, `POST /graphql` with a JSON body, served without the web framework.

Routing, dependency injection and the generic HTTP view cost about a fifth of a list page's
CPU time. A plain JSON POST of one operation is answered here, straight from the schema, with
the body strawberry's view would send; everything else (GET, GraphiQL, batches, multipart, a
body that is not one operation, a request the schema refuses before running it) goes on to the
app unchanged, so those keep their single implementation.

Every POST to the endpoint passes here first, so this is also where its body is bounded: one
larger than ``max_body`` bytes is refused with a coded GraphQL error before it is read whole.

A request still running ``WATCH_AFTER`` seconds after it started listens for its client
leaving (a page closed, a count superseded by the next keystroke): a query then stops its
statement in PostgreSQL instead of running it to the end for nobody (``Context.abandon``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

import orjson
from strawberry.http import process_result
from strawberry.schema import BaseSchema

from domain.text import whole_number
from domain.token import bearer_token
from graph.errors import (
    NOT_AN_OPERATION,
    UNAVAILABLE,
    ErrorKind,
    ServiceUnavailable,
    request_errors,
)

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Any]
Send = Callable[[Message], Any]
ContextFor = Callable[[str | None], AbstractAsyncContextManager[Any]]

_CONTENT_TYPE = (b"content-type", b"application/json")
PAYLOAD_TOO_LARGE = 413
SERVICE_UNAVAILABLE = 503
WATCH_AFTER = 0.05
"""Seconds a request runs before it listens for its client leaving: the fast ones never pay
for a listener, and stopping a statement that ends within milliseconds saves nothing."""


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value).decode("latin-1")
    return ""


def _operation(body: bytes) -> tuple[str, dict[str, Any] | None, str | None] | None:
    """Query, variables and operation name of a body that is exactly one operation."""
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(data, dict) or not set(data) <= {"query", "variables", "operationName"}:
        return None
    query, variables, name = data.get("query"), data.get("variables"), data.get("operationName")
    if not isinstance(query, str) or not query:
        return None
    if variables is not None and not isinstance(variables, dict):
        return None
    if name is not None and not isinstance(name, str):
        return None
    return query, variables, name


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive channel that hands on the body already read, then the original channel."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # type: ignore[no-any-return]

    return replayed


async def _body(receive: Receive, limit: int) -> bytes | None:
    """The request body, or None as soon as it grows past ``limit`` bytes."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _declared_length(scope: Scope) -> int | None:
    length = _header(scope, b"content-length").strip()
    return whole_number(length)


RETRY_AFTER = (b"retry-after", b"5")
"""Seconds a client is asked to wait before it tries a request the database could not serve."""


def unavailable_answer() -> bytes:
    """The answer to a request that could not start (``ServiceUnavailable``), sent with 503."""
    return orjson.dumps({"data": None, **request_errors(UNAVAILABLE, ErrorKind.UNAVAILABLE)})


def too_large(limit: int) -> bytes:
    """The answer to a body over ``limit`` bytes."""
    message = (
        f"The request body is larger than this server accepts ({limit:,} bytes); send fewer"
        " items per call."
    )
    return orjson.dumps({"data": None, **request_errors(message, ErrorKind.BAD_USER_INPUT)})


class _Departure:
    """Calls ``gone`` if the client disconnects after ``WATCH_AFTER`` seconds and before
    ``stop``. The request's body has been read whole, so the next message is the
    disconnection (or, once the answer is out, its stand-in, which ``stop`` comes before)."""

    def __init__(self, receive: Receive, gone: Callable[[], None]) -> None:
        self._receive = receive
        self._gone = gone
        self._listening: asyncio.Task[None] | None = None
        self._timer = asyncio.get_running_loop().call_later(WATCH_AFTER, self._listen)

    def _listen(self) -> None:
        self._listening = asyncio.ensure_future(self._wait())

    async def _wait(self) -> None:
        # Once the body is read, ASGI's next message is the disconnection. A server that hands
        # out anything else ends the watch: looping on a receive that never suspends would
        # hold the event loop.
        if (await self._receive())["type"] == "http.disconnect":
            self._gone()

    def stop(self) -> None:
        self._timer.cancel()
        if self._listening is not None:
            self._listening.cancel()


async def _answer(send: Send, status: int, body: bytes, *headers: tuple[bytes, bytes]) -> None:
    # With its length given, the body goes out in one piece, not as chunks.
    length = (b"content-length", str(len(body)).encode())
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [_CONTENT_TYPE, length, *headers],
        }
    )
    await send({"type": "http.response.body", "body": body})


REFUSED = frozenset({400, PAYLOAD_TOO_LARGE})
"""HTTP statuses of a request to the GraphQL path refused before any operation ran."""


class JsonPost:
    """ASGI middleware answering one-operation JSON POSTs to ``path`` (see the module text).
    A request to ``path`` refused before any operation ran (too large a body here; no query,
    a body that is no JSON, an unknown operation name in the framework's route) is reported to
    ``refused``: only those requests that are not such a POST pay for watching the answer."""

    def __init__(
        self,
        app: Any,
        *,
        path: str,
        schema: BaseSchema,
        context: ContextFor,
        max_body: int,
        refused: Callable[[], None],
    ) -> None:
        self.app = app
        self.path = path
        self.schema = schema
        self.context = context
        self.max_body = max_body
        self.refused = refused

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != self.path:
            await self.app(scope, receive, send)
            return
        if scope["method"] != "POST":
            await self.app(scope, receive, self._watched(send))
            return
        declared = _declared_length(scope)
        body = None
        if declared is None or declared <= self.max_body:
            body = await _body(receive, self.max_body)
        if body is None:
            self.refused()
            await _answer(send, PAYLOAD_TOO_LARGE, too_large(self.max_body))
            return
        result = None
        if _header(scope, b"content-type").split(";")[0].strip().lower() == "application/json":
            operation = _operation(body)
            if operation is not None:
                try:
                    result = await self._execute(scope, receive, *operation)
                except ServiceUnavailable:
                    await _answer(send, SERVICE_UNAVAILABLE, unavailable_answer(), RETRY_AFTER)
                    return
        if result is None:
            await self.app(scope, _replay(body, receive), self._watched(send))
            return
        await _answer(send, 200, result)

    def _watched(self, send: Send) -> Send:
        """``send`` for the framework's route, reporting an answer that refuses the request."""

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] in REFUSED:
                self.refused()
            await send(message)

        return sending

    async def _execute(
        self,
        scope: Scope,
        receive: Receive,
        query: str,
        variables: dict[str, Any] | None,
        name: str | None,
    ) -> bytes | None:
        """The response body, or None for a request the schema refuses before running it."""
        token = bearer_token(_header(scope, b"authorization"))
        async with self.context(token) as context:
            departure = _Departure(receive, context.abandon)
            try:
                result = await self.schema.execute(
                    query, variable_values=variables, context_value=context, operation_name=name
                )
            except NOT_AN_OPERATION:
                return None
            finally:
                departure.stop()
        return orjson.dumps(process_result(result))

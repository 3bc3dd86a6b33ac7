"""Composition root: settings, database, schema and HTTP app wired together."""

from __future__ import annotations

import gc
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import orjson
import structlog
from cross_web import HTTPException
from fastapi import FastAPI, Request, Response
from fastapi.responses import HTMLResponse, PlainTextResponse
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.fastapi import GraphQLRouter
from strawberry.schema import BaseSchema
from strawberry.types.unset import UNSET

from domain.budget import Budgets
from domain.staff import Principal
from domain.token import bearer_token
from graph.context import Context
from graph.errors import ErrorKind, ServiceUnavailable, request_errors
from graph.graphiql import graphiql_page, install_graphiql_assets
from graph.schema import schema
from graph.throttle import Budget
from graph.transport import (
    RETRY_AFTER,
    SERVICE_UNAVAILABLE,
    JsonPost,
    unavailable_answer,
)
from infra.bounded import keep
from infra.budgets import SharedBudget
from infra.database import create_engine, session_factory, unavailable
from infra.logs import configure_logging
from infra.metrics import CHALLENGE, CONTENT_TYPE, UNAUTHORIZED, Metrics, scrape_allowed
from infra.repositories.auth import principal_for
from infra.repositories.filtering import ZoneCache
from infra.runtime import database_url
from infra.settings import Settings, get_settings

log = structlog.get_logger()

SessionMaker = Callable[[], AsyncSession]


YOUNG_OBJECTS = 50_000
"""Objects allocated (less those freed) before the collector looks for cycles among the new
ones; Python's default is 700. At the default it ran about once per page of 50 customers, and
over everything made since start-up once every 200 pages: 3.5 % of a page's instructions. At
this threshold it runs once every 240 pages or so, and the process's peak memory over 1,200
pages stayed the same (119 against 120 MB)."""


def settle_heap() -> None:
    """Move everything made at start-up (schema, tables, compiled code) out of the collector's
    reach. Python's full collections otherwise walk those 150,000 long-lived objects again and
    again under load; freezing them took the p50 of a 50-customer page from 13-17 ms to
    about 11 ms (see bench/README.md). And let the collector look at new objects less often
    (``YOUNG_OBJECTS``)."""
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_OBJECTS, older, oldest)


def utc_now() -> datetime:
    return datetime.now(UTC)


class Router(GraphQLRouter[Context, None]):
    """Strawberry's router with orjson, and our own offline GraphiQL page instead of the CDN one."""

    def __init__(self, schema: BaseSchema, *, ide_page: str | None, **kwargs: Any) -> None:
        super().__init__(schema, graphql_ide="graphiql" if ide_page else None, **kwargs)
        self.ide_page = ide_page

    def encode_json(self, data: object) -> bytes:  # type: ignore[override]
        return orjson.dumps(data)

    def parse_json(self, data: str | bytes) -> Any:
        """orjson, which refuses JSON nested past 1,024 levels where the standard library's
        parser ran out of stack (an internal error); the reason goes with the 400."""
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError as error:
            raise HTTPException(400, f"Unable to parse request body as JSON: {error}") from error

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        return HTMLResponse(self.ide_page or "", headers={"Cache-Control": "no-store"})

    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        """Request-level failures (unknown operation name, no query, bad JSON) as GraphQL JSON.

        Strawberry answers them in plain text, which GraphiQL and clients cannot parse.
        """
        try:
            return await super().run(request, context=context, root_value=root_value)
        except HTTPException as error:
            kind = ErrorKind.NOT_FOUND if error.status_code == 404 else ErrorKind.BAD_USER_INPUT
            return Response(
                orjson.dumps(request_errors(error.reason, kind)),
                status_code=error.status_code,
                media_type="application/json",
            )


class PrincipalCache:
    """Recently resolved tokens, so a burst of requests costs one token lookup, not one each.

    Only valid tokens are kept, for ``ttl`` seconds: a new token works at once, a revoked one
    is refused at the latest ``ttl`` seconds later.
    """

    def __init__(self, ttl: float = 10.0, max_entries: int = 1024) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self._entries: dict[str, tuple[float, Principal]] = {}

    async def principal(self, session: AsyncSession, token: str) -> Principal | None:
        now = time.monotonic()
        cached = self._entries.get(token)
        if cached is not None and cached[0] > now:
            return cached[1]
        principal = await principal_for(session, token)
        if principal is None:
            self._entries.pop(token, None)
            return None
        keep(self._entries, token, (now + self.ttl, principal), self.max_entries)
        return principal


@asynccontextmanager
async def opened_context(state: Any, token: str | None) -> AsyncIterator[Context]:
    """A request's context on a session of its own. The session closes when the request is
    answered, after the work a failed field left running (``Context.settled``)."""
    session = state.sessions()
    context = None
    try:
        try:
            principal = await state.principals.principal(session, token) if token else None
        except Exception as error:
            if not unavailable(error):
                raise
            log.warning("database unavailable", error=str(error))
            state.metrics.refused(ErrorKind.UNAVAILABLE.value)
            raise ServiceUnavailable from error
        context = Context(
            session=session,
            principal=principal,
            settings=state.settings,
            now=state.now,
            zones=state.zones,
            metrics=state.metrics,
            budget=state.budget,
        )
        yield context
    finally:
        if context is not None:
            await context.settled()
        await session.close()


async def get_context(request: Request) -> AsyncIterator[Context]:
    """The context of a request strawberry's router answers."""
    token = bearer_token(request.headers.get("authorization", ""))
    async with opened_context(request.app.state, token) as context:
        yield context


def request_context(app: FastAPI) -> Callable[[str | None], Any]:
    """A request's context for the JSON POST short path (``graph.transport``)."""
    return lambda token: opened_context(app.state, token)


def _unavailable(body: bytes) -> Response:
    """A JSON answer that the database is out of reach, with when to try again."""
    name, value = RETRY_AFTER
    return Response(
        body,
        status_code=SERVICE_UNAVAILABLE,
        media_type="application/json",
        headers={name.decode(): value.decode()},
    )


GRAPHQL_PATH = "/graphql"


class Service(FastAPI):
    """The app, with the common JSON POST answered in front of FastAPI's own layers
    (``graph.transport``): its telemetry and error middleware add nothing to an answer the
    short path writes itself, and uvicorn answers an escaped exception with a 500 as they
    would."""

    json_post: JsonPost | None = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if self.json_post is not None and scope["type"] == "http":
            await self.json_post(scope, receive, send)
        else:
            await super().__call__(scope, receive, send)


def budgets(settings: Settings) -> Budgets | None:
    """The callers' budgets (``graph.throttle``): none, this process's own, or shared by
    every process through Redis (``RATE_LIMIT_REDIS_URL``)."""
    if not settings.rate_limit_points:
        return None
    own = Budget(settings.rate_limit_points, settings.rate_limit_restore)
    if not settings.rate_limit_redis_url:
        return own
    return SharedBudget.connect(settings.rate_limit_redis_url, fallback=own)


def create_app(
    *,
    settings: Settings | None = None,
    sessions: SessionMaker | None = None,
    now: Callable[[], datetime] = utc_now,
    demo_token: str | None = None,
) -> FastAPI:
    """The HTTP app. Tests pass ``sessions`` (bound to a rolled-back transaction) and ``now``."""
    settings = settings or get_settings()
    configure_logging(settings.log_level, settings.log_format)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            async with _database(app):
                yield
        finally:
            if isinstance(app.state.budget, SharedBudget):
                await app.state.budget.aclose()

    @asynccontextmanager
    async def _database(app: FastAPI) -> AsyncIterator[None]:
        if sessions is not None:
            yield
            return
        engine = create_engine(
            database_url(),
            pool_size=settings.pool_size,
            statement_timeout_ms=settings.statement_timeout_ms,
            pool_timeout_s=settings.pool_timeout_ms / 1000,
        )
        app.state.sessions = session_factory(engine)
        app.state.metrics.watch_pool(engine)
        settle_heap()
        try:
            yield
        finally:
            app.state.metrics.watch_pool(None)
            await engine.dispose()

    app = Service(
        title="customer-hub",
        description="GraphQL API of a Vietnamese commerce CRM. POST queries to /graphql.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.now = now
    app.state.principals = PrincipalCache()
    app.state.zones = ZoneCache()
    app.state.metrics = Metrics()
    app.state.budget = budgets(settings)
    if sessions is not None:
        app.state.sessions = sessions
    ide_page = (
        graphiql_page(endpoint=GRAPHQL_PATH, default_token=demo_token)
        if settings.graphiql
        else None
    )
    router: Any = Router(schema, context_getter=get_context, ide_page=ide_page)
    app.include_router(router, prefix=GRAPHQL_PATH)

    @app.exception_handler(ServiceUnavailable)
    async def service_unavailable(request: Request, error: ServiceUnavailable) -> Response:
        return _unavailable(unavailable_answer())

    app.json_post = JsonPost(
        super(Service, app).__call__,
        path=GRAPHQL_PATH,
        schema=schema,
        context=request_context(app),
        max_body=settings.max_request_bytes,
        refused=lambda: app.state.metrics.refused(ErrorKind.BAD_USER_INPUT.value),
    )
    if settings.graphiql:
        install_graphiql_assets(app)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        """Alive: the process answers, whatever the database does."""
        return {"status": "ok"}

    @app.get("/readyz", include_in_schema=False)
    async def readyz() -> Response:
        """Ready: the database answers, so requests can be served (503 otherwise)."""
        try:
            async with app.state.sessions() as session:
                await session.execute(text("SELECT 1"))
        except Exception as error:
            if not unavailable(error):
                raise
            return _unavailable(orjson.dumps({"status": "unavailable"}))
        return Response(orjson.dumps({"status": "ok"}), media_type="application/json")

    if settings.metrics:

        @app.get("/metrics", include_in_schema=False)
        async def metrics(request: Request) -> PlainTextResponse:
            authorization = request.headers.get("authorization", "")
            if not scrape_allowed(authorization, settings.metrics_token):
                return PlainTextResponse(UNAUTHORIZED, status_code=401, headers=dict([CHALLENGE]))
            return PlainTextResponse(app.state.metrics.exposition(), media_type=CONTENT_TYPE)

    return app

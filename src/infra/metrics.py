"""What the service exposes to Prometheus at `GET /metrics`: its GraphQL operations (how
many, how long, how they ended), its database connections, and the job worker's runs and
webhook attempts (the worker's own `/metrics` port when it runs apart from the API).

Each app has a registry of its own, so two apps in one process (tests) count apart. Labels
stay few: the operation's type, its first root field (a name of the schema, not of the
client) and the outcome, `ok` or the first error's code.
"""

from __future__ import annotations

import hmac
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    make_wsgi_app,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4 as CONTENT_TYPE
from prometheus_client.registry import Collector
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.token import bearer_token

__all__ = ["CHALLENGE", "CONTENT_TYPE", "UNAUTHORIZED", "Metrics", "scrape_allowed"]
SECONDS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
"""Buckets from a list page (5–10 ms) to the statement time limit (30 s)."""


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.operations = Counter(
            "customer_hub_graphql_operations",
            "GraphQL operations answered, by type, first root field and outcome (`ok` or the "
            "first error's code).",
            ("type", "field", "outcome"),
            registry=self.registry,
        )
        self.seconds = Histogram(
            "customer_hub_graphql_operation_seconds",
            "Time from receiving an operation to its result, by type and first root field.",
            ("type", "field"),
            buckets=SECONDS,
            registry=self.registry,
        )
        self.jobs = Counter(
            "customer_hub_jobs",
            "Jobs the worker ran, by task and outcome (`ok`, or `error` when the job raised).",
            ("job", "outcome"),
            registry=self.registry,
        )
        self.job_seconds = Histogram(
            "customer_hub_job_seconds",
            "How long the worker's jobs ran, by task.",
            ("job",),
            buckets=SECONDS,
            registry=self.registry,
        )
        self.webhook_attempts = Counter(
            "customer_hub_webhook_attempts",
            "Attempts to deliver a webhook, by outcome: `delivered`, `retrying` (a later "
            "attempt is scheduled) or `failed` (no attempt is left, or the URL is refused).",
            ("outcome",),
            registry=self.registry,
        )
        self.segment_moves = Counter(
            "customer_hub_segment_members_moved",
            "Members that entered or left segments as the worker stored them.",
            registry=self.registry,
        )
        self._pool = _PoolCollector()
        self.registry.register(self._pool)

    def watch_pool(self, engine: AsyncEngine | None, name: str = "api") -> None:
        """Reports the connections of ``engine``'s pool as the pool ``name`` (``api``,
        ``worker``), read at each scrape, from now on (None: no longer)."""
        if engine is None:
            self._pool.pools.pop(name, None)
        else:
            self._pool.pools[name] = engine.pool

    def operation(self, kind: str, field: str, outcome: str, seconds: float) -> None:
        self.operations.labels(kind, field, outcome).inc()
        self.seconds.labels(kind, field).observe(seconds)

    def refused(self, outcome: str) -> None:
        """Counts a request answered before any operation ran (a 400, 413 or 503), with
        empty type and field."""
        self.operations.labels("", "", outcome).inc()

    @contextmanager
    def job(self, name: str) -> Iterator[None]:
        """Counts and times one run of the job ``name``."""
        started, outcome = time.perf_counter(), "error"
        try:
            yield
            outcome = "ok"
        finally:
            self.jobs.labels(name, outcome).inc()
            self.job_seconds.labels(name).observe(time.perf_counter() - started)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)

    def serve(self, host: str, port: int, token: str = "") -> WSGIServer:
        """Answers scrapes at ``http://host:port/metrics`` from a thread of its own, until the
        process ends or the server is shut down: for the worker when it runs apart. With a
        ``token``, only scrapes that send it (``scrape_allowed``)."""
        exposition = make_wsgi_app(self.registry)

        def guarded(environ: dict[str, Any], start_response: Any) -> Any:
            if scrape_allowed(environ.get("HTTP_AUTHORIZATION", ""), token):
                return exposition(environ, start_response)
            start_response("401 Unauthorized", [UNAUTHORIZED_TYPE, CHALLENGE])
            return [UNAUTHORIZED]

        server = make_server(host, port, guarded, _ThreadingServer, handler_class=_Quiet)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server


UNAUTHORIZED = b"Send the metrics token: Authorization: Bearer <METRICS_TOKEN>.\n"
UNAUTHORIZED_TYPE = ("Content-Type", "text/plain; charset=utf-8")
CHALLENGE = ("WWW-Authenticate", "Bearer")


def scrape_allowed(authorization: str, token: str) -> bool:
    """Whether a scrape with this ``Authorization`` header may read the metrics: any scrape
    when no token is set, else one that sends it as a bearer token."""
    if not token:
        return True
    given = bearer_token(authorization)
    return given is not None and hmac.compare_digest(given.encode(), token.encode())


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # scrapes are not worth a line
        pass


class _PoolCollector(Collector):
    def __init__(self) -> None:
        self.pools: dict[str, Any] = {}  # SQLAlchemy's QueuePools by name

    def collect(self) -> Iterator[Metric]:
        family = GaugeMetricFamily(
            "customer_hub_db_connections",
            "Database connections of the API's and the job worker's pools, in use or idle.",
            labels=("pool", "state"),
        )
        for name, pool in sorted(self.pools.items()):
            family.add_metric((name, "in_use"), pool.checkedout())
            family.add_metric((name, "idle"), pool.checkedin())
        yield family

"""One settings object, read from the environment (and a local ``.env`` when present)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from infra.logs import LogFormat, LogLevel

PROJECT_ROOT = Path(__file__).resolve().parents[2]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str | None = Field(
        default=None,
        description="PostgreSQL URL; when unset an embedded PostgreSQL (pgserver) is started.",
    )
    data_dir: Path = Field(
        default=PROJECT_ROOT / ".data",
        description="Where the embedded PostgreSQL keeps its files (git-ignored).",
    )
    database_name: str = Field(
        default="customer_hub", description="Database created inside the embedded server."
    )
    host: str = "127.0.0.1"
    port: int = 8000
    pool_size: int = 10
    pool_timeout_ms: int = Field(
        default=10_000,
        ge=1,
        description="How long a request waits for a free database connection (the pool holds"
        " up to twice POOL_SIZE) before it is answered `SERVICE_UNAVAILABLE`.",
    )
    statement_timeout_ms: int = Field(
        default=30_000,
        ge=0,
        description="How long one statement of an API request may run before PostgreSQL stops"
        " it (0: no limit); the client then gets a `TIMEOUT` error and nothing is saved.",
    )
    max_page_size: int = 100
    max_query_cost: int = Field(
        default=10_000,
        ge=0,
        description="The most one GraphQL operation may cost (`graph.cost`: a row of a page or"
        " an object 1, a count of a whole list 100, each times the page sizes around it); a"
        " costlier one is refused before it runs (0: no limit).",
    )
    rate_limit_points: int = Field(
        default=50_000,
        ge=0,
        description="Cost points (`graph.cost`) a staff member's requests may spend at once;"
        " the budget refills at RATE_LIMIT_RESTORE a second, and an operation costing more than"
        " is left is refused with `THROTTLED` (0: no limit).",
    )
    rate_limit_restore: int = Field(
        default=5_000, ge=1, description="Cost points a staff member's budget regains a second."
    )
    rate_limit_redis_url: str = Field(
        default="",
        description="A Redis (redis://host:port/db) where every server process keeps the"
        " budgets, so a caller has one budget across them; empty: each process keeps its own.",
    )
    max_request_bytes: int = Field(
        default=16 * 1024 * 1024,
        ge=1024,
        description="The largest body a POST to /graphql may have; a larger one is refused"
        " (HTTP 413, `BAD_USER_INPUT`) before it is read whole.",
    )
    demo_customers: int = Field(
        default=5000, description="Size of the demo shop `make run` seeds the first time."
    )
    demo_seed: int = 42
    graphiql: bool = Field(default=True, description="Serve GraphiQL at GET /graphql.")
    metrics: bool = Field(
        default=True,
        description="Serve Prometheus metrics at GET /metrics (operations by type, root field"
        " and outcome, their durations, the database pool).",
    )
    metrics_token: str = Field(
        default="",
        description="When set, GET /metrics (the API's, and the worker's own) answers only"
        " scrapes sending `Authorization: Bearer <token>`; others get 401.",
    )
    log_level: LogLevel = Field(
        default="info", description="The least severe log lines written (any case)."
    )
    log_format: LogFormat = Field(
        default="console",
        description="Log lines as text, or one JSON object per line for a log collector.",
    )
    worker_in_server: bool = Field(
        default=True, description="Run the job worker (webhooks, automation) inside `serve`."
    )
    worker_metrics_port: int = Field(
        default=9464,
        ge=0,
        le=65535,
        description="Port of the worker's own GET /metrics when it runs apart (`worker`), on"
        " HOST; 0 serves none. Inside `serve` its metrics join the API's.",
    )
    webhook_local_network: bool = Field(
        default=False,
        description="Let webhook URLs name private, loopback and link-local addresses (and"
        " plain http to this machine): for development and single-tenant installs. Off, a"
        " receiver must be public, checked when the URL is saved and at every delivery.",
    )
    outbox_cron: str = Field(
        default="* * * * * */5",
        description="How often the outbox is dispatched to webhooks (cron, seconds last).",
    )
    segment_members_cron: str = Field(
        default="* * * * * */5",
        description="How often the members of created or redefined segments are stored "
        "(cron, seconds last).",
    )
    segment_refresh_cron: str = Field(
        default="*/15 * * * *",
        description="How often segments are re-evaluated for entered/left events (cron).",
    )

    @field_validator("log_level", "log_format", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.lower() if isinstance(value, str) else value


@lru_cache
def get_settings() -> Settings:
    return Settings()

"""Where the database is: DATABASE_URL when given, else the embedded PostgreSQL."""

from __future__ import annotations

from infra.database import async_url, start_embedded
from infra.settings import get_settings


def database_url() -> str:
    settings = get_settings()
    if settings.database_url:
        return async_url(settings.database_url)
    return start_embedded(settings.data_dir, settings.database_name)


def describe(url: str) -> str:
    """A short, password-free description of where ``url`` points."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    where = parsed.query.get("host") or f"{parsed.host}:{parsed.port or 5432}"
    kind = "embedded PostgreSQL" if "host" in parsed.query else "PostgreSQL"
    return f"{kind} {where}/{parsed.database}"

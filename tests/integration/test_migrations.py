"""Migrations go down and up again cleanly on an empty database of their own."""

from __future__ import annotations

import asyncio
import uuid

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

from infra.database import with_database
from infra.settings import PROJECT_ROOT
from tests.conftest import _admin


def _config(url: str) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes["url"] = url
    return config


async def test_downgrade_to_base_and_upgrade_again(server_url: str) -> None:
    name = f"customer_hub_migrations_{uuid.uuid4().hex[:8]}"
    await _admin(server_url, f'CREATE DATABASE "{name}"')
    try:
        config = _config(with_database(server_url, name))
        await asyncio.to_thread(command.upgrade, config, "head")
        await asyncio.to_thread(command.downgrade, config, "base")
        await asyncio.to_thread(command.upgrade, config, "head")
    finally:
        await _admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_the_migrations_have_one_head() -> None:
    """A new migration descends from the last one; a branch would leave `upgrade head`
    ambiguous and the order of the branches' changes to chance."""
    heads = ScriptDirectory.from_config(_config("postgresql://unused/none")).get_heads()
    assert len(heads) == 1, heads

"""The servers under test, each in a subprocess on 127.0.0.1 and a free port: the service
(uvicorn with `app:create_app`), the peer (PostGraphile v4 with the connection-filter plugin,
installed from the npm registry into the git-ignored ``bench/.peer``), and the bare HTTP
reference (uvicorn with ``bench.bare:app``)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
PEER_DIR = BENCH / ".peer"
PEER_PACKAGES = ("postgraphile@4", "postgraphile-plugin-connection-filter@2")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def service_env(url: str) -> dict[str, str]:
    """The environment the service's processes run in: on ``url``, quiet, without a budget."""
    env = dict(os.environ)
    env["DATABASE_URL"] = url
    env["PYTHONPATH"] = str(ROOT / "src")
    env["GRAPHIQL"] = "false"
    env["LOG_LEVEL"] = "warning"
    env["RATE_LIMIT_POINTS"] = "0"  # the bench asks far more than a caller's budget allows
    return env


def create_token(url: str, shop_id: int) -> str:
    """A fresh owner token, made the documented way (`customer-hub token`)."""
    out = subprocess.run(
        [sys.executable, "-m", "cli", "token", "--shop-id", str(shop_id), "--name", "Bench"],
        env=service_env(url),
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip().splitlines()[-1]


def _wait(proc: subprocess.Popen[bytes], probe: str, name: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{name} exited with {proc.returncode} before answering")
        try:
            if httpx.post(probe, json={"query": "{__typename}"}, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{name} did not answer within {timeout:.0f}s")


@contextmanager
def _running(cmd: list[str], env: dict[str, str], probe: str, name: str) -> Iterator[None]:
    log = open(BENCH / "results" / f"{name}.log", "wb")  # noqa: SIM115 (closed below)
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait(proc, probe, name)
        yield
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@contextmanager
def service(url: str) -> Iterator[str]:
    """The service over HTTP; yields its GraphQL endpoint."""
    cmd, endpoint = _uvicorn("app:create_app", "--factory")
    with _running(cmd, service_env(url), endpoint, "service"):
        yield endpoint


def _uvicorn(app: str, *options: str) -> tuple[list[str], str]:
    """The command serving ``app`` as the service is served, and its GraphQL endpoint."""
    port = free_port()
    cmd = [
        sys.executable, "-m", "uvicorn", app, *options,
        "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log",
    ]  # fmt: skip
    return cmd, f"http://127.0.0.1:{port}/graphql"


@contextmanager
def bare(url: str, statements: Path) -> Iterator[str]:
    """The bare HTTP reference (``bench.bare``) answering the statements in ``statements``;
    yields its endpoint."""
    cmd, endpoint = _uvicorn("bench.bare:app")
    env = service_env(url)
    env["BARE_STATEMENTS"] = str(statements)
    with _running(cmd, env, endpoint, "bare"):
        yield endpoint


def install_peer() -> None:
    """npm install the peer into bench/.peer unless it is there already."""
    if (PEER_DIR / "node_modules" / "postgraphile-plugin-connection-filter").is_dir():
        return
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is needed for the PostGraphile peer")
    subprocess.run(
        [npm, "install", "--no-audit", "--no-fund", "--prefix", str(PEER_DIR), *PEER_PACKAGES],
        check=True,
    )


def libpq_url(url: str) -> str:
    """The URL node-postgres understands (no SQLAlchemy driver suffix)."""
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


@contextmanager
def peer(url: str) -> Iterator[str]:
    """PostGraphile against the same database; yields its GraphQL endpoint."""
    install_peer()
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("node is needed for the PostGraphile peer")
    port = free_port()
    env = dict(os.environ, NODE_PATH=str(PEER_DIR / "node_modules"), NODE_ENV="production")
    cmd = [node, str(BENCH / "peer.js"), libpq_url(url), str(port)]
    with _running(cmd, env, f"http://127.0.0.1:{port}/graphql", "postgraphile"):
        yield f"http://127.0.0.1:{port}/graphql"

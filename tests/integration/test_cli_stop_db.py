"""`make stop` ends the embedded PostgreSQL that `make run` leaves running, keeping its data."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from infra.database import start_embedded
from infra.settings import PROJECT_ROOT


def stop_db(data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATA_DIR": str(data_dir), "PYTHONPATH": str(PROJECT_ROOT / "src")}
    return subprocess.run(
        [sys.executable, "-m", "cli", "stop-db"],
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )


def running(pid: int) -> bool:
    """Alive and not a zombie (the server may be a child of this test process)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in {"Z", "X"}


def test_stop_db_stops_the_embedded_server_and_keeps_its_data(tmp_path: Path) -> None:
    pytest.importorskip("pgserver")
    start_embedded(tmp_path, "customer_hub")
    pid_file = tmp_path / "pg" / "postmaster.pid"
    pid = int(pid_file.read_text().split("\n", 1)[0])
    assert running(pid)

    stopped = stop_db(tmp_path)
    again = stop_db(tmp_path)

    assert stopped.returncode == 0, stopped.stderr
    assert "Stopped" in stopped.stderr
    assert not pid_file.exists()
    assert not running(pid)
    assert (tmp_path / "pg" / "PG_VERSION").exists()
    assert again.returncode == 0
    assert "No embedded PostgreSQL is running" in again.stderr

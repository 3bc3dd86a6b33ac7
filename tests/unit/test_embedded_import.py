"""The embedded PostgreSQL's module imports quietly where XDG_RUNTIME_DIR is unset, as in
containers and CI: platformdirs' warning about it is not shown (its fallback folder serves)."""

from __future__ import annotations

import os
import subprocess
import sys

from infra.settings import PROJECT_ROOT

IMPORT = "from infra.database import embedded_servers; embedded_servers()"


def run_with_warnings_as_errors(code: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "XDG_RUNTIME_DIR"}
    env["PYTHONPATH"] = str(PROJECT_ROOT / "src")
    return subprocess.run(
        [sys.executable, "-W", "error", "-c", code], env=env, capture_output=True, text=True
    )


def test_the_embedded_servers_module_imports_without_a_warning() -> None:
    quiet = run_with_warnings_as_errors(IMPORT)
    plain = run_with_warnings_as_errors("import pgserver")

    assert quiet.returncode == 0, quiet.stderr
    # the warning it keeps quiet is there when the module is imported plainly
    assert plain.returncode != 0
    assert "XDG_RUNTIME_DIR is not set" in plain.stderr

"""Results: the rows of `bench/results/latest.json` and the printed table."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

TARGETS: dict[str, dict[str, Any]] = {
    "count": {"target_p50_ms": 250.0, "baseline": "asyncpg", "max_ratio": 1.25},
    # A preview's per-part counts: the issue sets no time for them; held to the counts' ratio.
    "parts": {"target_p50_ms": None, "baseline": "asyncpg", "max_ratio": 1.25},
    "page": {"target_p50_ms": 50.0, "baseline": "postgraphile", "max_ratio": 1.1},
    "inbox": {"target_p50_ms": 80.0, "baseline": None, "max_ratio": None},
    # Saving a segment through the API (bench/segment_case.py): a form waits for it; held to
    # a count's time.
    "segment": {"target_p50_ms": 250.0, "baseline": None, "max_ratio": None},
    # The job worker storing a saved segment's members, and the events of a new definition:
    # the API's statement limit, as for any other single piece of work.
    "segment_store": {"target_p50_ms": 30_000.0, "baseline": None, "max_ratio": None},
}
THROUGHPUT_MIN_RATIO = 0.8


def _r(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def latency_row(
    name: str,
    kind: str,
    p50: float,
    p95: float,
    baseline_p50: float | None,
    *,
    bare_p50: float | None = None,
) -> dict[str, Any]:
    """A latency result; ``bare_p50``: the bare HTTP reference's p50 for the same statements
    (``bench/bare.py``), given with its own ratio to the baseline."""
    target = TARGETS[kind]
    ratio = p50 / baseline_p50 if baseline_p50 else None
    reference = {}
    if bare_p50 is not None:
        reference = {
            "bare_http_p50_ms": _r(bare_p50),
            "bare_http_ratio": _r(bare_p50 / baseline_p50 if baseline_p50 else None, 2),
        }
    return {
        "name": name,
        "kind": kind,
        "p50_ms": _r(p50),
        "p95_ms": _r(p95),
        "target_p50_ms": target["target_p50_ms"],
        "baseline": target["baseline"] if baseline_p50 is not None else None,
        "baseline_p50_ms": _r(baseline_p50),
        "ratio": _r(ratio, 2),
        "max_ratio": target["max_ratio"],
        **reference,
    }


def throughput_row(name: str, rps: float, peer_rps: float, connections: int) -> dict[str, Any]:
    return {
        "name": name,
        "kind": "throughput",
        "connections": connections,
        "rps": _r(rps),
        "baseline": "postgraphile",
        "baseline_rps": _r(peer_rps),
        "ratio": _r(rps / peer_rps if peer_rps else None, 2),
        "min_ratio": THROUGHPUT_MIN_RATIO,
    }


def passed(row: dict[str, Any]) -> bool | None:
    kind = row["kind"]
    if kind == "throughput":
        return row["ratio"] is not None and row["ratio"] >= row["min_ratio"]
    ok = row["target_p50_ms"] is None or row["p50_ms"] <= row["target_p50_ms"]
    if row.get("max_ratio") is not None and row.get("ratio") is not None:
        ok = ok and row["ratio"] <= row["max_ratio"]
    return bool(ok)


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.1f}" if value >= 10 else f"{value:.2f}"
    return str(value)


def table(rows: list[dict[str, Any]]) -> str:
    header = (
        "case", "kind", "p50", "p95", "target", "baseline", "baseline p50", "ratio",
        "max/min ratio", "pass", "bare http (ratio)",
    )  # fmt: skip
    lines = [header]
    for row in rows:
        if row["kind"] == "throughput":
            cells = (
                row["name"], "throughput", f"{_fmt(row['rps'])} rps", "-", "-",
                row["baseline"], f"{_fmt(row['baseline_rps'])} rps", _fmt(row["ratio"]),
                f">= {row['min_ratio']}",
            )  # fmt: skip
        else:
            limit = row.get("max_ratio")
            cells = (
                row["name"], row["kind"], _fmt(row["p50_ms"]), _fmt(row["p95_ms"]),
                _fmt(row["target_p50_ms"]), row["baseline"] or "-",
                _fmt(row.get("baseline_p50_ms")), _fmt(row.get("ratio")),
                f"<= {limit}" if limit else "-",
            )  # fmt: skip
        verdict = passed(row)
        reference = "-"
        if row.get("bare_http_p50_ms") is not None:
            reference = f"{_fmt(row['bare_http_p50_ms'])} ({_fmt(row.get('bare_http_ratio'))})"
        verdict_cell = "-" if verdict is None else ("pass" if verdict else "FAIL")
        lines.append((*cells, verdict_cell, reference))
    widths = [max(len(str(line[i])) for line in lines) for i in range(len(header))]
    return "\n".join(
        "  ".join(str(cell).ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip()
        for line in lines
    )


def write(path: Path, database: str, rows: list[dict[str, Any]], extra: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps({"database": database, "cases": rows, **extra}, indent=2, ensure_ascii=False)
        + "\n"
    )

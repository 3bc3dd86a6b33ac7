"""Log lines carry an error's traceback, but never the values of its frames' variables."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import structlog
from pydantic import ValidationError

from infra.logs import LogFormat, configure_logging
from infra.settings import Settings

pytestmark = pytest.mark.spec("X4")


@pytest.fixture(autouse=True)
def restore() -> Iterator[None]:
    yield
    configure_logging()


def fail_with_a_phone_in_scope() -> None:
    phone = "0912 345 678"
    raise ValueError(f"no customer for {len(phone)} digits")


def logged_error(log_format: LogFormat, capsys: pytest.CaptureFixture[str]) -> str:
    configure_logging("info", log_format)
    try:
        fail_with_a_phone_in_scope()
    except ValueError as error:
        structlog.get_logger().error("unexpected error", path=["customers"], exc_info=error)
    return capsys.readouterr().out


def test_a_console_line_has_the_traceback_without_local_values(
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = logged_error("console", capsys)

    assert "unexpected error" in out
    assert "Traceback (most recent call last)" in out
    assert "fail_with_a_phone_in_scope" in out
    assert "0912 345 678" not in out


def test_a_json_line_is_one_object_with_the_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    out = logged_error("json", capsys)

    line = json.loads(out)
    assert line["event"] == "unexpected error"
    assert line["level"] == "error"
    assert "fail_with_a_phone_in_scope" in line["exception"]
    assert "0912 345 678" not in out


def test_lines_below_the_level_are_dropped(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("warning")
    structlog.get_logger().info("page served")
    structlog.get_logger().warning("statement timed out")

    out = capsys.readouterr().out
    assert "page served" not in out
    assert "statement timed out" in out


def test_the_level_is_read_in_any_case_and_an_unknown_one_is_refused() -> None:
    assert Settings(log_level="WARNING", log_format="JSON").log_level == "warning"
    with pytest.raises(ValidationError, match="'debug', 'info', 'warning' or 'error'"):
        Settings(log_level="verbose")

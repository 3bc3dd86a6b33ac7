"""An order taken in a thread, and the checks its lines must pass (SPEC C10)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from domain.errors import DomainError, ErrorCode
from domain.ingest import sku
from domain.numbers import vnd

MAX_THREAD_ORDER_LINES = 100


@dataclass(frozen=True, slots=True)
class ThreadOrderLine:
    """One line: ``amount`` is what the line costs in total (VND), not a unit price."""

    sku: str
    quantity: int
    amount: Decimal


@dataclass(frozen=True, slots=True)
class ThreadOrder:
    order_id: int
    customer_id: int
    thread_id: int
    total_amount: Decimal


def validate_lines(
    lines: tuple[ThreadOrderLine, ...], *, field: str
) -> tuple[ThreadOrderLine, ...]:
    """Trimmed lines, or the first broken rule with the path of the offending value."""
    if not lines:
        raise DomainError("An order needs at least one line.", field=field)
    if len(lines) > MAX_THREAD_ORDER_LINES:
        raise DomainError(
            f"An order has at most {MAX_THREAD_ORDER_LINES} lines; got {len(lines)}.",
            code=ErrorCode.LIMIT_EXCEEDED,
            field=field,
        )
    cleaned: list[ThreadOrderLine] = []
    for position, line in enumerate(lines):
        code = sku(line.sku, f"{field}.{position}.sku")
        if line.quantity <= 0:
            raise DomainError("The quantity must be above 0.", field=f"{field}.{position}.quantity")
        vnd(line.amount, f"{field}.{position}.amount")
        cleaned.append(ThreadOrderLine(code, line.quantity, line.amount))
    return tuple(cleaned)


def order_total(lines: tuple[ThreadOrderLine, ...]) -> Decimal:
    return sum((line.amount for line in lines), Decimal(0))

"""List and count statements kept compiled, run straight on the driver's connection.

SQLAlchemy spends more on a list page's statement than PostgreSQL does: it derives the
statement's cache key by walking the whole tree (filter, tags subquery and all), then sets up an
execution context and a result around the driver's rows; with the session around it, that was a
quarter of a page request's CPU. The same statements recur: a filter's WHERE clause is kept by
the filter repository and comes back as the same object (with a period, for the shop's local
day; on available points, with the instant as a named parameter, ``Where``), and the other parts
(a repository's columns, the tags column) are fixed. So a statement is kept by the identity of
the parts it is built from, as its SQL text and positional arguments, the values that vary per
execution (page size, cursor, instant) left as slots.

A part seen for the first time is only remembered (weakly); the statement is compiled when the
same object comes back, and the kept entry holds its parts so their identities stay theirs.
Parts made anew for each request (a condition the clause cache cannot key) are never seen twice
and take SQLAlchemy's path.
"""

from __future__ import annotations

import json
import weakref
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ClauseElement, ColumnElement
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.base import Executable
from sqlalchemy.sql.compiler import SQLCompiler

from infra.bounded import keep
from infra.filter_sql import WholeSet

KEPT = 1024
"""Statements kept per process (forgotten all at once when full, as compiled clauses are)."""


@dataclass(frozen=True, slots=True)
class Where:
    """A WHERE clause and the values its run-time parameters take on this request.

    A clause kept for reuse holds no value of one request: what varies per request (the instant
    available points are computed at) is a named parameter, and every statement built with the
    clause is run with ``arguments``, by SQLAlchemy or as a kept statement's runtime slots.
    """

    clause: ColumnElement[bool]
    arguments: Mapping[str, Any] = field(default_factory=dict)
    whole: WholeSet | None = None
    """The same condition in the form for counting every matching row, where it differs."""
    scanned: Where | None = None
    """The same condition with the text it searches written for a read of every row, where it
    searches text (``Scope.scanned``): a count takes whichever PostgreSQL plans well."""


@dataclass(frozen=True, slots=True)
class Kept:
    """A compiled statement: its SQL, its arguments with the runtime ones left as slots."""

    sql: str
    arguments: tuple[Any, ...]
    slots: dict[str, int]
    parts: tuple[object, ...]
    """The objects it was built from, held so that no other object takes their ids."""

    def bound(self, runtime: dict[str, Any]) -> list[Any]:
        arguments = list(self.arguments)
        for name, value in runtime.items():
            slot = self.slots.get(name)
            if slot is not None:
                arguments[slot] = value
        return arguments


@dataclass(frozen=True, slots=True)
class _Refused:
    """Parts whose statement SQLAlchemy must run (an argument it converts is given at run time),
    remembered so that they are not compiled again, and held like a kept statement's."""

    parts: tuple[object, ...]


class KeptStatements:
    """Statements kept by their key and the identity of their parts (see the module text)."""

    def __init__(self, limit: int = KEPT) -> None:
        self.limit = limit
        self._seen: dict[Hashable, tuple[weakref.ref[Any] | None, ...]] = {}
        self._kept: dict[Hashable, Kept | _Refused] = {}

    def get(
        self,
        key: tuple[Any, ...],
        parts: Sequence[object | None],
        build: Callable[[], ClauseElement],
        dialect: Dialect,
        runtime: Sequence[str] = (),
    ) -> Kept | None:
        """The statement ``build`` makes from ``parts``, compiled, when these very parts were
        seen before; None (use SQLAlchemy) on their first sight. ``runtime`` names the bound
        parameters whose values each execution supplies."""
        full = (*key, *(id(p) for p in parts))
        kept = self._kept.get(full)
        if kept is not None:
            return kept if isinstance(kept, Kept) else None
        seen = self._seen.get(full)
        if seen is None or not _same(seen, parts):
            refs = tuple(None if p is None else weakref.ref(p) for p in parts)
            keep(self._seen, full, refs, self.limit)
            return None
        held = tuple(p for p in parts if p is not None)
        compiled = _compile(build(), dialect, runtime, held)
        keep(self._kept, full, compiled if compiled is not None else _Refused(held), self.limit)
        return compiled


def _same(seen: tuple[weakref.ref[Any] | None, ...], parts: Sequence[object | None]) -> bool:
    return all(
        (ref is None and part is None) or (ref is not None and ref() is part)
        for ref, part in zip(seen, parts, strict=True)
    )


def _compile(
    statement: ClauseElement, dialect: Dialect, runtime: Sequence[str], parts: tuple[object, ...]
) -> Kept | None:
    compiled = statement.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
    assert isinstance(compiled, SQLCompiler)
    names = compiled.positiontup or []
    # SQLAlchemy's conversions of arguments (arrays, for one) are applied here once to the
    # fixed values, as it would on every execution; a runtime value that needs one, or a
    # conversion of a tuple, is left to it.
    convert = compiled._bind_processors  # the conversions SQLAlchemy applies per call
    if any(name in convert for name in runtime):
        return None
    values = compiled.params
    arguments: list[Any] = []
    for name in names:
        process = convert.get(name)
        if process is not None and not callable(process):
            return None
        arguments.append(values[name] if process is None else process(values[name]))
    slots = {name: names.index(name) for name in runtime if name in names}
    return Kept(str(compiled), tuple(arguments), slots, parts)


class Planned(Executable, ClauseElement):
    """``EXPLAIN (FORMAT JSON)`` of a statement: the plan PostgreSQL would run, with its costs,
    the statement's parameters bound as they would be."""

    inherit_cache = False

    def __init__(self, statement: ClauseElement) -> None:
        self.statement = statement


@compiles(Planned)
def _planned(element: Planned, compiler: SQLCompiler, **kw: Any) -> str:
    return "EXPLAIN (FORMAT JSON) " + compiler.process(element.statement, **kw)


async def planned_cost(
    session: Any, statement: ClauseElement, arguments: Mapping[str, Any]
) -> float:
    """The planner's total cost of ``statement`` run with ``arguments``."""
    plan = (await session.execute(Planned(statement), dict(arguments) or None)).scalar_one()
    if isinstance(plan, str):
        plan = json.loads(plan)
    return float(plan[0]["Plan"]["Total Cost"])

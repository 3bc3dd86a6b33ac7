"""Schema extensions: authentication before execution, and errors that never leak internals."""

from __future__ import annotations

import math
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import orjson
import structlog
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext as StrawberryExecutionContext
from strawberry.types.graphql import OperationType

from domain.budget import Budgets, Spent
from graph.context import Context
from graph.cost import COUNT_COST, MAX_FIELDS, Cost, actual_cost, operation_cost
from graph.errors import NOT_AN_OPERATION, UNAVAILABLE, ErrorKind, api_error, raised_by_graphql
from graph.throttle import throttle_status
from graphql import (
    ExecutionResult,
    FieldNode,
    GraphQLError,
    GraphQLSyntaxError,
    OperationDefinitionNode,
    StringValueNode,
    Visitor,
    get_operation_ast,
    visit,
)
from infra.database import ClientGone, SerialSession, timed_out, unavailable

log = structlog.get_logger()


class RecordOperations(SchemaExtension):
    """Counts and times every operation for `GET /metrics` (``infra.metrics``): first in the
    list, so that it reads the result after the other extensions have coded and masked its
    errors. A request that is no GraphQL request (no query, an unknown operation name) is
    answered with HTTP 400 before any result, and counted by the app (``app.Service``)."""

    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        except GraphQLSyntaxError:  # the parser cache raises what the parser finds
            self._record(started, ErrorKind.PARSE_FAILED.value)
            raise
        except NOT_AN_OPERATION:  # an HTTP 400, counted by the app as such
            raise
        except Exception as error:  # raised by a hook: ``masked`` answers it
            self._record(started, unexpected(error)[0].value)
            raise
        errors = self.execution_context.result and self.execution_context.result.errors
        code = (errors[0].extensions or {}).get("code") if errors else "ok"
        self._record(started, str(code or ErrorKind.INTERNAL.value))

    def _record(self, started: float, outcome: str) -> None:
        context = self.execution_context
        metrics = getattr(context.context, "metrics", None)
        if metrics is None:
            return
        kind, field = "", ""
        operation = _chosen_operation(context)
        if operation is not None:
            kind = operation.operation.value
            first = operation.selection_set.selections[0]
            field = first.name.value if isinstance(first, FieldNode) else ""
        metrics.operation(kind, field, outcome, time.perf_counter() - started)


def _chosen_operation(context: StrawberryExecutionContext) -> OperationDefinitionNode | None:
    """The operation of the request's document that runs (by `operationName`, or the only
    one); None when the document did not parse or names no such operation."""
    document = context.graphql_document
    return get_operation_ast(document, context.operation_name) if document else None


class RequireAuthentication(SchemaExtension):
    """Every operation needs a valid bearer token; without one: no data, one coded error."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context.context
        if getattr(context, "principal", None) is None:
            self.execution_context.result = ExecutionResult(
                data=None,
                errors=[
                    api_error(
                        "Authentication required: send `Authorization: Bearer <token>` with a "
                        "valid API token.",
                        ErrorKind.UNAUTHENTICATED,
                    )
                ],
            )
        yield


class ReadOnlyQueries(SchemaExtension):
    """A query only reads: its statements run without a transaction around them, which saves
    two round trips (BEGIN, ROLLBACK) on every request, and what its fields read once they
    may share (``Context.once``). Mutations keep their transaction and read anew."""

    async def on_execute(self) -> AsyncIterator[None]:
        context = self.execution_context
        if context.result is None and context.operation_type is OperationType.QUERY:
            if isinstance(context.context, Context):
                context.context.reads_only = True
            session = getattr(context.context, "session", None)
            if isinstance(session, SerialSession):
                await session.read_only()  # takes the request's connection from the pool
        yield


NUL = "\x00"


class _FindNul(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.found = False

    def enter_string_value(self, node: StringValueNode, *_: Any) -> None:
        if NUL in node.value:
            self.found = True


def _nul_in(value: object) -> bool:
    """Whether a string in ``value`` holds NUL. JSON writes a NUL only as ``\\u0000``, so
    where orjson's writing of the value lacks those six characters, no string holds one:
    0.4 ms for an `or` of 5,000 conditions, the walk 4.8 ms. Where they are there (a NUL, or
    a backslash written before `u0000`), or orjson cannot write the value (nested past its
    limit, not JSON), the value is walked, without recursion, so that variables nested past
    the interpreter's stack are refused by their coercion, with its message."""
    try:
        if b"\\u0000" not in orjson.dumps(value):
            return False
    except orjson.JSONEncodeError:
        pass
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if NUL in item:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return False


def _may_hold_nul(query: str) -> bool:
    """A document's strings can only hold NUL written as such or as a unicode escape
    (`\\u0000`, `\\u{0}`): walking the document is left to the few queries whose text has
    either."""
    return NUL in query or "\\u" in query


class RejectNulCharacters(SchemaExtension):
    """Text with a NUL character is refused up front: PostgreSQL cannot store it in any column."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        if context.result is None:
            finder = _FindNul()
            if context.graphql_document is not None and _may_hold_nul(context.query or ""):
                visit(context.graphql_document, finder)
            variable = next(
                (name for name, value in (context.variables or {}).items() if _nul_in(value)),
                None,
            )
            if finder.found or variable is not None:
                context.result = ExecutionResult(
                    data=None,
                    errors=[
                        api_error(
                            "Text may not contain the NUL character (\\u0000); remove it.",
                            ErrorKind.BAD_USER_INPUT,
                            **({"field": f"${variable}"} if variable is not None else {}),
                        )
                    ],
                )
        yield


class OneOperationOrAName(SchemaExtension):
    """A document of several operations needs `operationName` (GraphQL's GetOperation).
    Strawberry runs the first one instead, so a document sent whole by mistake, a query and
    a mutation say, ran whichever came first."""

    def on_validate(self) -> Iterator[None]:
        # Before validation: strawberry returns the errors set by then, and runs no rules.
        context = self.execution_context
        document = context.graphql_document
        if (
            not context.pre_execution_errors
            and document is not None
            and len(document.definitions) > 1
            # strawberry keeps the name it was given apart from the first operation's,
            # which `operation_name` falls back to
            and getattr(context, "_provided_operation_name", None) is None
            and sum(isinstance(d, OperationDefinitionNode) for d in document.definitions) > 1
        ):
            context.pre_execution_errors = [
                api_error(
                    "The document has several operations; say which to run with `operationName`.",
                    ErrorKind.BAD_USER_INPUT,
                    field="operationName",
                )
            ]
        yield


class LimitQueryCost(SchemaExtension):
    """An operation that would cost more than ``Settings.max_query_cost`` (``graph.cost``) is
    refused before it runs, with its cost, the limit and the field that costs most. Every
    response that ran or was refused for its cost says what it cost in ``extensions.cost``, so a
    client can see how close it is before it is refused.

    The caller's budget (``graph.throttle``) is charged the requested cost before the operation
    runs; once it has run without errors, what it did not use (``actual``, read off its result:
    a page of 100 that returned 3 rows) is given back, as Shopify's API does."""

    _reckoned: dict[str, Any] | None = None
    _charged: _Charge | None = None

    async def on_execute(self) -> AsyncIterator[None]:
        context = self.execution_context
        settings = getattr(context.context, "settings", None)
        document = context.graphql_document
        if context.result is None and settings is not None and document is not None:
            operation = _chosen_operation(context)
            if operation is not None:
                limit = settings.max_query_cost
                cost = operation_cost(
                    context.schema._schema,
                    document,
                    operation,
                    context.variables,
                    settings.max_page_size,
                )
                if limit > 0 and (not cost.complete or cost.total > limit):
                    context.result = ExecutionResult(data=None, errors=[_too_costly(cost, limit)])
                if cost.complete:
                    self._reckoned = {"requested": cost.total}
                    if limit > 0:
                        self._reckoned["maximum"] = limit
                    await self._spend(operation, cost.total)
        yield
        if self._charged is not None:
            await self._refund(self._charged)

    async def _spend(self, operation: OperationDefinitionNode, points: int) -> None:
        """Charges the caller's budget for an operation about to run, or refuses it, and says
        what is left of the budget; nothing without one."""
        context = self.execution_context
        request = context.context
        budget: Budgets | None = getattr(request, "budget", None)
        principal = getattr(request, "principal", None)
        if context.result is not None or budget is None or principal is None:
            return
        caller = (principal.shop_id, principal.staff_id)
        spent = await budget.spend(caller, points)
        if spent.allowed:
            self._charged = _Charge(budget, caller, points, operation)
        else:
            context.result = ExecutionResult(data=None, errors=[_throttled(points, spent, budget)])
        self._reckon_status(budget, spent)

    async def _refund(self, charge: _Charge) -> None:
        """Gives back what an operation that ran without errors did not use. One that failed
        keeps its charge: it may have done its work (a statement stopped at its time limit)."""
        context = self.execution_context
        result = context.result
        if (
            result is None
            or result.errors
            or result.data is None
            or context.graphql_document is None
        ):
            return
        try:
            actual = actual_cost(
                context.schema._schema,
                context.graphql_document,
                charge.operation,
                context.variables,
                result.data,
            )
            if actual is None:
                return
            self._reckoned = {**(self._reckoned or {}), "actual": actual}
            if actual < charge.points:
                spent = await charge.budget.spend(charge.caller, actual - charge.points)
                self._reckon_status(charge.budget, spent)
        except Exception:  # the answer stands; the charge stays whole
            log.exception("refund of an operation's unused cost failed")

    def _reckon_status(self, budget: Budgets, spent: Spent) -> None:
        if self._reckoned is not None:
            self._reckoned["throttleStatus"] = throttle_status(budget, spent)

    def get_results(self) -> dict[str, Any]:
        return {"cost": self._reckoned} if self._reckoned is not None else {}


@dataclass(frozen=True, slots=True)
class _Charge:
    """What an operation about to run was charged, and to whom."""

    budget: Budgets
    caller: tuple[int, int]
    points: int
    operation: OperationDefinitionNode


def _throttled(points: int, spent: Spent, budget: Budgets) -> GraphQLError:
    left, rate = math.floor(spent.available), math.floor(budget.restore)
    if points > budget.capacity:
        advice = f"which is more than the budget ever holds ({budget.capacity:,}): split it."
        retry = None
    else:
        retry = math.ceil(spent.wait)
        advice = f"try again in {retry} s."
    return api_error(
        f"This request costs {points:,} and your budget has {left:,} left (it refills at"
        f" {rate:,} a second); {advice}",
        ErrorKind.THROTTLED,
        cost=points,
        currentlyAvailable=left,
        restoreRate=rate,
        retryAfter=retry,
    )


def _too_costly(cost: Cost, limit: int) -> GraphQLError:
    if not cost.complete:
        return api_error(
            f"This request selects more than {MAX_FIELDS:,} fields once its fragments are "
            "expanded; select each object once, without spreading fragments under many "
            "aliases, or split the request.",
            ErrorKind.BAD_USER_INPUT,
            reason="TOO_COMPLEX",
            maxFields=MAX_FIELDS,
        )
    return api_error(
        f"This request would cost {cost.total:,} (at most {limit:,}), and `{cost.costliest}` "
        f"alone costs {cost.costliest_cost:,}: a row of a page costs 1, an object 1 and a "
        f"count of a whole list {COUNT_COST}, each times the page sizes of the pages it is in. "
        "Ask for smaller pages (`first`), fewer counts or fewer nested objects, or split the "
        "request.",
        ErrorKind.BAD_USER_INPUT,
        field=cost.costliest,
        reason="TOO_COMPLEX",
        cost=cost.total,
        maxCost=limit,
    )


def unexpected(error: BaseException | None) -> tuple[ErrorKind, str]:
    """The code and message a client gets for an error nobody raised on purpose: a statement
    stopped at the request's time limit, the database out of reach, or a bug."""
    if timed_out(error):
        return ErrorKind.TIMEOUT, TIMED_OUT
    if unavailable(error):
        return ErrorKind.UNAVAILABLE, UNAVAILABLE
    return ErrorKind.INTERNAL, INTERNAL


def _is_unexpected(error: GraphQLError) -> bool:
    if raised_by_graphql(error):
        return False
    original = error.original_error
    if isinstance(original, ClientGone):
        log.info("client gone; statement stopped", path=error.path)
    elif timed_out(original):
        log.warning("statement timed out", path=error.path)
    elif unavailable(original):
        log.warning("database unavailable", path=error.path, error=str(original))
    else:
        log.error("unexpected error", path=error.path, exc_info=original)
    return True


def _anonymised(error: GraphQLError) -> GraphQLError:
    kind, message = unexpected(error.original_error)
    return GraphQLError(
        message=message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions={"code": kind.value},
    )


def masked(error: GraphQLError) -> GraphQLError:
    """``error`` as the client may see it, logged once when nobody raised it on purpose: for
    every error of a result (``MaskUnexpectedErrors``) and for those no result carries
    (``graph.schema.Schema.process_errors``), such as an exception of an extension's hook,
    whose text strawberry would send as is. An error with a code was raised on purpose."""
    if (error.extensions or {}).get("code") or not _is_unexpected(error):
        return error
    return _anonymised(error)


class MaskUnexpectedErrors(SchemaExtension):
    """Bugs reach the client as a coded message, never as a traceback or internal text; a
    statement PostgreSQL stopped at the request's time limit is a ``TIMEOUT``, and a database
    out of reach ``SERVICE_UNAVAILABLE``.

    What strawberry's ``MaskErrors`` does for this API's results, without its check of every
    result against a runtime protocol (0.09 M instructions, 4 % of a count)."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is not None and result.errors:
            result.errors = [masked(e) for e in result.errors]


INTERNAL = "Internal server error; it has been logged."
TIMED_OUT = (
    "This took longer than the server allows and was stopped; nothing was saved. Narrow the"
    " filter or ask for fewer rows, or try again later."
)

"""Errors as the API shows them: typed user errors in payloads, coded top-level errors."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Any

import strawberry
from strawberry.exceptions import MissingQueryError
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError

from domain.errors import DomainError, ErrorCode
from graphql import GraphQLError

UserErrorCode = strawberry.enum(ErrorCode, name="UserErrorCode", description="What went wrong.")


@strawberry.type(description="A problem with the input of a mutation; nothing was changed.")
class UserError:
    field: str | None = strawberry.field(
        description="Path of the input field at fault, e.g. `input.definition.include.0`."
    )
    message: str = strawberry.field(description="What is wrong and how to fix it.")
    code: UserErrorCode = strawberry.field(description="Machine-readable kind of error.")  # type: ignore[valid-type]


def user_error(error: DomainError) -> UserError:
    return UserError(field=error.field, message=error.message, code=error.code)


NOT_AN_OPERATION = (MissingQueryError, CannotGetOperationTypeError, InvalidOperationTypeError)
"""What strawberry raises for a request that names no operation to run (no query, an unknown
`operationName`, a mutation by GET): answered with HTTP 400, never an operation's outcome."""


class ErrorKind(StrEnum):
    UNAUTHENTICATED = "UNAUTHENTICATED"
    PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
    VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
    BAD_USER_INPUT = "BAD_USER_INPUT"
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    TIMEOUT = "TIMEOUT"
    UNAVAILABLE = "SERVICE_UNAVAILABLE"
    THROTTLED = "THROTTLED"
    INTERNAL = "INTERNAL_SERVER_ERROR"


UNAVAILABLE = (
    "The database cannot be reached or has no free connection right now; try again in a few"
    " seconds."
)


class ServiceUnavailable(Exception):
    """A request that could not start: the database was out of reach while its token was
    read. It is answered with HTTP 503 and ``SERVICE_UNAVAILABLE`` (``graph.transport``)."""


def api_error(message: str, kind: ErrorKind, **extensions: Any) -> GraphQLError:
    """A top-level GraphQL error with ``extensions.code`` (for queries, auth and limits)."""
    return GraphQLError(message, extensions={"code": kind.value, **extensions})


def raised_by_graphql(error: GraphQLError) -> bool:
    """Whether graphql-core (or a resolver, on purpose) raised ``error``, rather than a bug or
    the database underneath it."""
    original = error.original_error
    return original is None or isinstance(original, GraphQLError)


def code_errors(errors: Iterable[GraphQLError], kind: ErrorKind) -> None:
    """Gives ``errors`` that have no ``extensions.code`` the code of ``kind``."""
    for error in errors:
        if not (error.extensions or {}).get("code"):
            error.extensions = {**(error.extensions or {}), "code": kind.value}


def request_errors(message: str, kind: ErrorKind) -> dict[str, Any]:
    """The body of an answer to a request refused before any operation ran (not JSON, too
    large, no such operation): the GraphQL shape, with ``extensions.code``."""
    return {"errors": [{"message": message, "extensions": {"code": kind.value}}]}


def bad_input(message: str, *, field: str) -> GraphQLError:
    return api_error(message, ErrorKind.BAD_USER_INPUT, field=field)

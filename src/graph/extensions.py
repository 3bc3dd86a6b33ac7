"""Schema extensions: authentication before execution, and errors that never leak internals."""

from __future__ import annotations

from collections.abc import Iterator

import structlog
from strawberry.extensions import MaskErrors, SchemaExtension

from graph.errors import ErrorKind, api_error
from graphql import ExecutionResult, GraphQLError

log = structlog.get_logger()


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


def _is_unexpected(error: GraphQLError) -> bool:
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        return False
    log.error("unexpected error", path=error.path, exc_info=original)
    return True


def mask_unexpected_errors() -> MaskErrors:
    """Bugs reach the client as a coded message, never as a traceback or internal text."""
    return MaskErrors(
        should_mask_error=_is_unexpected,
        error_message="Internal server error; it has been logged.",
    )

"""The GraphQL schema: one Query and Mutation composed from each area's fields."""

from __future__ import annotations

import strawberry
from strawberry.exceptions import StrawberryInputCoercionError
from strawberry.extensions import (
    AddValidationRules,
    MaxTokensLimiter,
    ParserCache,
    ValidationCache,
)
from strawberry.extensions.query_depth_limiter import create_validator
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from graph.automation.mutations import AutomationMutation
from graph.automation.query import AutomationQuery
from graph.coercion import use_short_coercion
from graph.errors import ErrorKind, code_errors, raised_by_graphql
from graph.execution import Executor
from graph.extensions import (
    LimitQueryCost,
    MaskUnexpectedErrors,
    OneOperationOrAName,
    ReadOnlyQueries,
    RecordOperations,
    RejectNulCharacters,
    RequireAuthentication,
    masked,
)
from graph.filters.catalogue import FilterCatalogueQuery
from graph.hooks import HookedSchema
from graph.inbox.merge import MergeMutation
from graph.inbox.pages import PageMutation
from graph.inbox.query import InboxQuery
from graph.inbox.tags import TagMutation
from graph.inbox.thread_commerce import ThreadCommerceMutation
from graph.inbox.threads import ThreadMutation
from graph.integrations.commerce import CommerceIngestMutation
from graph.integrations.merge import CustomerMergeMutation
from graph.integrations.social import SocialIngestMutation
from graph.profile_links import ProfileLinkQuery
from graph.queries import CoreQuery
from graph.segments import SegmentMutation, SegmentQuery
from graph.webhooks.mutations import WebhookMutation
from graph.webhooks.query import WebhookQuery
from graphql import GraphQLError

MAX_DEPTH = 12
MAX_TOKENS = 5000
CACHE_SIZE = 512
DEPTH_RULE = create_validator(MAX_DEPTH, None, None)


@strawberry.type(description="Read the shop's customers, members, subscribers, tags and threads.")
class Query(
    CoreQuery,
    InboxQuery,
    SegmentQuery,
    FilterCatalogueQuery,
    ProfileLinkQuery,
    AutomationQuery,
    WebhookQuery,
):
    pass


@strawberry.type(description="Change the shop's data; every payload lists `userErrors`.")
class Mutation(
    TagMutation,
    PageMutation,
    MergeMutation,
    ThreadMutation,
    ThreadCommerceMutation,
    CommerceIngestMutation,
    SocialIngestMutation,
    SegmentMutation,
    AutomationMutation,
    WebhookMutation,
    CustomerMergeMutation,
):
    pass


class Schema(HookedSchema):
    """Strawberry's schema without its own error log: strawberry writes every error of every
    request with a traceback, a client's mistakes and a stopped statement alike. The errors
    worth a log line are logged once, with what they mean, by ``MaskUnexpectedErrors``.

    Instead, the errors graphql-core writes without a code get one here, where strawberry
    hands over every request's errors: a document that does not parse
    (``GRAPHQL_PARSE_FAILED``), one the schema refuses (``GRAPHQL_VALIDATION_FAILED``),
    variables that do not fit their types or are nested too deeply (``BAD_USER_INPUT``; no
    data, errors without a path), and arguments strawberry cannot convert (``BAD_USER_INPUT``,
    such as a global id that is not one)."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        if execution_context is None:
            return
        # An argument strawberry cannot convert (a global id that is not one) fails its field.
        coerced = [e for e in errors if isinstance(e.original_error, StrawberryInputCoercionError)]
        code_errors(coerced, ErrorKind.BAD_USER_INPUT)
        own = [e for e in errors if e.path is None and raised_by_graphql(e)]
        if execution_context.graphql_document is None:
            code_errors(own, ErrorKind.PARSE_FAILED)
        elif execution_context.result is None:  # refused before execution
            code_errors(own, ErrorKind.VALIDATION_FAILED)
        elif execution_context.result.data is None:
            code_errors(own, ErrorKind.BAD_USER_INPUT)
        # What an extension's hook raised ends the operation before any masking.
        errors[:] = [masked(e) if e.path is None else e for e in errors]


def build_schema() -> strawberry.Schema:
    use_short_coercion()
    return Schema(
        query=Query,
        mutation=Mutation,
        config=StrawberryConfig(auto_camel_case=True),
        execution_context_class=Executor,
        # Classes and factories, never instances: strawberry gives a shared instance each
        # request's execution context in turn, so under concurrent requests an instance could
        # mask, limit or cache another request's operation. The parse and validation caches
        # are shared by size, whatever instance asks; the depth rule is made once, since the
        # validation cache is keyed by the rules and `QueryDepthLimiter` makes a new rule class
        # each time it is built.
        extensions=[
            RecordOperations,
            RequireAuthentication,
            RejectNulCharacters,
            ReadOnlyQueries,
            lambda: ParserCache(maxsize=CACHE_SIZE),
            lambda: ValidationCache(maxsize=CACHE_SIZE),
            lambda: AddValidationRules([DEPTH_RULE]),
            OneOperationOrAName,
            lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
            LimitQueryCost,
            MaskUnexpectedErrors,
        ],
    )


schema = build_schema()

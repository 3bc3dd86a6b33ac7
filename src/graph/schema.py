"""The GraphQL schema: one Query and Mutation composed from each area's fields."""

from __future__ import annotations

import strawberry
from strawberry.extensions import MaxTokensLimiter, ParserCache, QueryDepthLimiter, ValidationCache
from strawberry.schema.config import StrawberryConfig

from graph.extensions import RequireAuthentication, mask_unexpected_errors
from graph.queries import CoreQuery

MAX_DEPTH = 12
MAX_TOKENS = 5000


@strawberry.type(description="Read the shop's customers, members, subscribers, tags and threads.")
class Query(CoreQuery):
    pass


def build_schema() -> strawberry.Schema:
    return strawberry.Schema(
        query=Query,
        config=StrawberryConfig(auto_camel_case=True),
        extensions=[
            RequireAuthentication,
            ParserCache(maxsize=512),
            ValidationCache(maxsize=512),
            QueryDepthLimiter(max_depth=MAX_DEPTH),
            MaxTokensLimiter(max_token_count=MAX_TOKENS),
            mask_unexpected_errors(),
        ],
    )


schema = build_schema()

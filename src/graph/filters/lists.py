"""Filtered lists: the `filter` argument of the customers, members and subscribers lists."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import datetime
from typing import Annotated

import strawberry

from domain.errors import DomainError
from domain.filters import Condition, Group, Profile, all_of, uses_custom_fields
from graph.context import Info
from graph.errors import ErrorKind, api_error
from graph.filters import convert
from graph.filters.convert import Converter, camel, given_fields
from graph.filters.encode import Encoder
from graph.filters.inputs import GroupInput, ProfileFilter
from graphql import GraphQLError
from infra.repositories.filter_catalogue import CatalogueRepository
from infra.repositories.filtering import FilterRepository
from infra.statements import Where

FilterArg = Annotated[
    ProfileFilter | None,
    strawberry.argument(description="Only rows matching these conditions (all when omitted)."),
]


def filters(info: Info) -> FilterRepository:
    return FilterRepository(info.context.session, info.context.shop_id, info.context.zones)


def custom_fields(info: Info) -> Awaitable[list[tuple[str, str, str]]]:
    """(key, label, type) of the shop's custom fields, read once for a query however many
    filters, definitions and catalogues ask."""
    repo = CatalogueRepository(info.context.session, info.context.shop_id)
    return info.context.once("customFields", repo.custom_fields)


def custom_field_types(info: Info) -> Awaitable[dict[str, str]]:
    """The shop's custom fields' types by key, from the same read as ``custom_fields``."""

    async def types() -> dict[str, str]:
        return {key: kind for key, _, kind in await custom_fields(info)}

    return info.context.once("customFieldTypes", types)


async def converter(
    info: Info, profile: Profile, value: ProfileFilter | GroupInput | None
) -> Converter:
    custom = await custom_field_types(info) if convert.uses_custom_fields(value) else {}
    # Members are filtered through their customer (see FilterRepository.where).
    return Converter(Profile.CUSTOMER if profile is Profile.MEMBER else profile, custom)


def refused(error: DomainError, field: str) -> GraphQLError:
    """A definition refused, as a query's top-level BAD_USER_INPUT error (at ``field`` when
    the error names no field of its own)."""
    return api_error(
        error.message,
        ErrorKind.BAD_USER_INPUT,
        field=error.field or field,
        reason=error.code.value,
    )


async def to_condition(
    info: Info, profile: Profile, value: ProfileFilter, field: str = "filter"
) -> Condition:
    """The domain condition of a query argument; bad input is a top-level BAD_USER_INPUT."""
    try:
        return (await converter(info, profile, value)).condition(value, field)
    except DomainError as error:
        raise refused(error, field) from None


async def to_group(
    info: Info, value: GroupInput, field: str, profile: Profile = Profile.CUSTOMER
) -> Group:
    """The domain group of a definition input; raises DomainError (mutations: userErrors).
    It is compiled here, before anything is saved, so that a definition PostgreSQL could not
    run (``compiler.MAX_ARGUMENTS``) is refused rather than stored."""
    group = (await converter(info, profile, value)).group(value, field)
    try:
        await filters(info).where(profile, group.condition(), info.context.now())
    except DomainError as error:
        raise DomainError(error.message, code=error.code, field=error.field or field) from None
    return group


async def encoder(info: Info, profile: Profile, condition: Condition) -> Encoder:
    """An encoder writing ``condition`` of a ``profile`` list back as the input it came from."""
    custom = await custom_field_types(info) if uses_custom_fields(condition) else {}
    return Encoder(Profile.CUSTOMER if profile is Profile.MEMBER else profile, custom)


async def where_of(info: Info, profile: Profile, value: ProfileFilter | None) -> Where | None:
    """The WHERE clause for a list's `filter` argument, None without one."""
    if value is None:
        return None
    condition = await to_condition(info, profile, value)
    try:
        return await filters(info).where(profile, condition, info.context.now())
    except DomainError as error:
        raise refused(error, "filter") from None


async def to_condition_group(
    info: Info, value: GroupInput, profile: Profile, now: datetime
) -> tuple[Group, list[tuple[str, Condition]], Where]:
    """A definition for a preview, each include condition alone with its input path, and the
    definition's clause at ``now`` (compiled here, so that one PostgreSQL could not run is
    refused before any of the preview's fields)."""
    try:
        conv = await converter(info, profile, value)
        group = conv.group(value, "definition")
        parts: list[tuple[str, Condition]] = []
        for i, block in enumerate(value.include):
            for name, given in given_fields(block):
                path = f"definition.include.{i}.{camel(name)}"
                parts.append((path, all_of(conv.field(name, given, path))))
        where = await filters(info).where(profile, group.condition(), now)
    except DomainError as error:
        raise refused(error, "definition") from None
    return group, parts, where

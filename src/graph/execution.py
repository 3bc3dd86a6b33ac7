"""Field execution with a short path for selections that hold no resolver.

graphql-core completes every field of every object the same general way: a path, a resolve
info, the resolver, then one completion step per type wrapper. Most of a list page is plain
data: a customer's name, phone and totals, its tags' names, the page info. This executor reads
such fields' attributes and builds their JSON values directly, and leaves a field to
graphql-core's general path whenever the short one could answer differently: a null for a
non-null field, an awaitable or an error value, a value the scalar refuses, an object of an
unexpected type, middleware, deferred fields. The whole field, with everything below it, then
runs and fails exactly as it always did; the short path reads attributes only, so nothing it
did has to be undone.

A field takes the short path when it is a plain strawberry attribute (no resolver, no
arguments) of a leaf type, or of an object type whose selected fields all take it too, or a
list of either; `__typename` counts as one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from math import isfinite
from typing import Any

from graphql.execution.collect_fields import FragmentDetails
from graphql.language import OperationDefinitionNode, SelectionSetNode
from graphql.pyutils import Path, Undefined, gather_with_cancel
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

from graphql import (
    GRAPHQL_MAX_INT,
    GRAPHQL_MIN_INT,
    GraphQLBoolean,
    GraphQLFloat,
    GraphQLID,
    GraphQLInt,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLString,
    is_leaf_type,
    is_list_type,
    is_object_type,
)
from infra.bounded import ByIdentity

SLOW = object()
"""What a short completion returns when the field must take graphql-core's general path."""

_PLAIN = frozenset({str, int, float, bool})
"""Types a leaf value most often has, which are never awaitable."""

Complete = Callable[[Any], Any]
Entry = tuple[str, str | None, Complete]
"""A response name, the attribute read (None: the value is fixed), and its completion."""


def _leaf(leaf: GraphQLLeafType, non_null: bool) -> Complete:
    """The completion of a leaf. A value of the plain type a built-in scalar returns unchanged
    (see graphql.type.scalars) is taken as it is, without a call into the scalar: a page's
    strings and numbers. Anything else goes through the scalar (``_coerced``)."""
    general = _coerced(leaf, non_null)
    plain = _SAME_TYPE.get(leaf)
    if plain is not None:

        def same(value: Any) -> Any:
            return value if type(value) is plain else general(value)

        return same
    if leaf is GraphQLInt:

        def whole(value: Any) -> Any:
            if type(value) is int and GRAPHQL_MIN_INT <= value <= GRAPHQL_MAX_INT:
                return value
            return general(value)

        return whole
    if leaf is GraphQLFloat:

        def real(value: Any) -> Any:
            return value if type(value) is float and isfinite(value) else general(value)

        return real
    return general


_SAME_TYPE: dict[GraphQLLeafType, type] = {GraphQLString: str, GraphQLID: str, GraphQLBoolean: bool}
"""Built-in scalars that return a value of this exact type as it is."""


def _coerced(leaf: GraphQLLeafType, non_null: bool) -> Complete:
    coerce = leaf.coerce_output_value

    def complete(value: Any) -> Any:
        if value is None:
            return SLOW if non_null else None
        # An awaitable that is not a coroutine (a Deferred, say) is not refused by every
        # scalar: String would serialise it with str().
        if type(value) not in _PLAIN and hasattr(value, "__await__"):
            return SLOW
        try:
            coerced = coerce(value)
        except Exception:  # the general path raises it as a located error
            return SLOW
        return SLOW if coerced is None or coerced is Undefined else coerced

    return complete


def _list(item: Complete, non_null: bool) -> Complete:
    def complete(value: Any) -> Any:
        if value is None:
            return SLOW if non_null else None
        if not isinstance(value, list | tuple):
            return SLOW
        items = [item(element) for element in value]
        return SLOW if any(i is SLOW for i in items) else items

    return complete


def _object(type_: GraphQLObjectType, entries: Sequence[Entry], non_null: bool) -> Complete:
    is_type_of = type_.is_type_of

    def complete(value: Any) -> Any:
        if value is None:
            return SLOW if non_null else None
        # strawberry's own type checks do not read the resolve info
        if is_type_of is not None and is_type_of(value, None) is not True:  # type: ignore[arg-type]
            return SLOW
        return _fields(entries, value)

    return complete


def _read(entry: Entry, source: Any) -> Any:
    """The completed value of one field of ``source``, or SLOW."""
    _, attribute, complete = entry
    raw = getattr(source, attribute, SLOW) if attribute is not None else None
    return SLOW if raw is SLOW else complete(raw)


def _fields(entries: Sequence[Entry], source: Any) -> Any:
    """The completed fields of ``source``, or SLOW when any of them must take the general path.
    ``_read`` of each entry, written out: this loop runs for every field of every row."""
    results: dict[str, Any] = {}
    for name, attribute, complete in entries:
        raw = getattr(source, attribute, SLOW) if attribute is not None else None
        if raw is SLOW:
            return SLOW
        value = complete(raw)
        if value is SLOW:
            return SLOW
        results[name] = value
    return results


def _attribute(field: Any) -> str | None:
    """The attribute a field reads when it is a plain strawberry attribute with the default
    resolver, else None."""
    definition = (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if not isinstance(definition, StrawberryField) or not definition.is_basic_field:
        return None
    if definition.default_resolver is not getattr:
        return None
    return definition.python_name


Plan = list[tuple[str, Any, Entry | None]]

KNOWN_SELECTIONS = 2048
"""Selections whose entries are kept, and operations known to carry no directive."""

_KNOWN: ByIdentity[list[Entry | None]] = ByIdentity(KNOWN_SELECTIONS)
"""A selection's entries, by its parent type and field nodes."""

_FIXED: ByIdentity[bool] = ByIdentity(KNOWN_SELECTIONS)
"""Whether an operation's selections, and its fragments', carry no directive."""


def _fixed(operation: OperationDefinitionNode, fragments: Mapping[str, FragmentDetails]) -> bool:
    known = _FIXED.get((operation,))
    if known is not None:
        return known
    sets = [operation.selection_set, *(f.definition.selection_set for f in fragments.values())]
    fixed = not any(f.variable_signatures for f in fragments.values()) and not any(
        _directed(s) for s in sets
    )
    return _FIXED.put((operation,), fixed)


def _directed(selection_set: SelectionSetNode | None) -> bool:
    """Whether a selection in ``selection_set``, or below it, carries a directive."""
    for node in selection_set.selections if selection_set is not None else ():
        if node.directives or _directed(getattr(node, "selection_set", None)):
            return True
    return False


class Executor(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context with the short path of the module text."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._plans: dict[int, tuple[Mapping[str, Any], Plan]] = {}
        manager = self.middleware_manager
        self._short = manager is None or not manager.middlewares
        self._fixed = _fixed(self.operation, self.fragments)
        """The operation's selections carry no directive: its entries may be kept."""

    def settle_in_background(self, awaitables: list[Awaitable[Any]]) -> None:
        """graphql-core lets the siblings of a field whose error bubbles up run on after the
        result is out; they use the request's session, so the request waits for them before
        closing it (``Context.settled``)."""
        super().settle_in_background(awaitables)
        track = getattr(self.context_value, "track", None)
        if track is not None:
            track(self.background_futures)

    def _plan(self, parent_type: GraphQLObjectType, grouped: Mapping[str, Any]) -> Plan:
        cached = self._plans.get(id(grouped))
        if cached is not None:
            return cached[1]
        entries = self._entries(parent_type, grouped)
        plan: Plan = [
            (name, details, entry)
            for (name, details), entry in zip(grouped.items(), entries, strict=True)
        ]
        self._plans[id(grouped)] = (grouped, plan)  # keeps `grouped` alive, so its id holds
        return plan

    def _entries(
        self, parent_type: GraphQLObjectType, grouped: Mapping[str, Any]
    ) -> list[Entry | None]:
        """The entries of a selection's fields. Where the document's selections carry no
        directive, they depend on the selection's nodes alone, which the parser's cache hands
        to every request of the document: they are kept (``_KNOWN``) and not made again,
        which took a page of 50 customers 3.5 % of its instructions. A directive may depend
        on the variables (``@include(if: $x)``) and change what is selected below."""
        if not self._fixed:
            return [self._entry(parent_type, name, details) for name, details in grouped.items()]
        objects = (parent_type, *(d.node for details in grouped.values() for d in details))
        names = tuple(grouped)
        known = _KNOWN.get(objects, self._short, names)
        if known is not None:
            return known
        entries = [self._entry(parent_type, name, details) for name, details in grouped.items()]
        return _KNOWN.put(objects, entries, self._short, names)

    def _entry(self, parent_type: GraphQLObjectType, name: str, details: Any) -> Entry | None:
        """How to complete a field in place, or None when it takes the general path."""
        if not self._short or any(d.defer_usage is not None for d in details):
            return None
        node = details[0].node
        if node.name.value == "__typename":
            type_name = parent_type.name
            return (name, None, lambda _: type_name)
        field = self.schema.get_field(parent_type, node.name.value)
        if field is None or field.args or node.arguments:
            return None
        attribute = _attribute(field)
        if attribute is None:
            return None
        complete = self._completion(field.type, details)
        return (name, attribute, complete) if complete is not None else None

    def _completion(self, type_: GraphQLOutputType, details: Any) -> Complete | None:
        non_null = isinstance(type_, GraphQLNonNull)
        inner = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
        if is_leaf_type(inner):
            return _leaf(inner, non_null)  # type: ignore[arg-type]
        if is_list_type(inner):
            assert isinstance(inner, GraphQLList)
            item = self._completion(inner.of_type, details)
            return _list(item, non_null) if item is not None else None
        if is_object_type(inner):
            assert isinstance(inner, GraphQLObjectType)
            grouped, defers, forbidden = self.collect_subfields(inner, details)
            if defers or forbidden:
                return None
            entries = [entry for _, _, entry in self._plan(inner, grouped)]
            if any(entry is None for entry in entries):
                return None
            return _object(inner, entries, non_null)  # type: ignore[arg-type]
        return None

    def execute_fields(  # type: ignore[override]
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: Mapping[str, Any],
        position_context: Any,
    ) -> Any:
        """graphql-core's ``execute_fields``, with the short path taken where it can be."""
        results: dict[str, Any] = {}
        is_awaitable = self.is_awaitable
        awaitable_fields: list[str] = []
        try:
            for response_name, details, entry in self._plan(parent_type, grouped_field_set):
                if entry is not None:
                    value = _read(entry, source_value)
                    if value is not SLOW:
                        results[response_name] = value
                        continue
                result = self.execute_field(
                    parent_type,
                    source_value,
                    details,
                    Path(path, response_name, parent_type.name),
                    position_context,
                )
                if result is not Undefined:
                    results[response_name] = result
                    if is_awaitable(result):
                        awaitable_fields.append(response_name)
        except Exception:
            if awaitable_fields:
                self.settle_in_background([results[field] for field in awaitable_fields])
            raise

        if not awaitable_fields:
            return results

        async def get_results() -> dict[str, Any]:
            if len(awaitable_fields) == 1:
                field = awaitable_fields[0]
                results[field] = await results[field]
            else:
                awaited = await gather_with_cancel(*(results[f] for f in awaitable_fields))
                results.update(zip(awaitable_fields, awaited, strict=True))
            return results

        return get_results()

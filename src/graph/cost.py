"""What one request may ask of the service, summed over its operation before anything runs.

A document is small while what it asks for may not be: `segments(first: 100) { nodes {
memberCount } }` is a hundred live counts of the whole customer list, and fragments spread
under aliases of `member { customer { member … } }` resolve thousands of objects per row.
The cost of an operation is

- for each field with a `first` argument (a connection, a preview): the rows it may return,
  its page size (the argument, its variable, or the field's default), except a connection
  asked for its `totalCount` alone, which reads no page;
- for each count of a whole list (`totalCount`, `Segment.memberCount`, a preview's `count`,
  `conditions` and `exclusions`): ``COUNT_COST``;
- for every other field that returns an object or a list of objects (a customer's `member`,
  its `tags`, a mutation's payload): 1, except the parts of a page (`nodes`, `edges`, `node`,
  `pageInfo`, a preview's `members`), which its page size pays for;
- for a mutation, each item of the lists in its input (a bulk upsert's rows, the ids to tag):
  1, the rows it writes; lists inside those items are not counted again;

each multiplied by the page sizes of the fields with `first` whose rows it sits in. Scalars
cost nothing; fields skipped by `@skip` / `@include` cost nothing; fragments on several types
of one interface are all counted; aliases add up. The check is an upper bound read off the
document, so nothing it stands for runs when it is over the limit. The walk itself stops after
``MAX_FIELDS`` fields, fragments expanded, so that a document of nested fragment spreads
cannot make it long.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from graphql.language import ValueNode

from graph.pagination import DEFAULT_PAGE_SIZE
from graphql import (
    BooleanValueNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    SelectionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    is_composite_type,
)
from infra.bounded import ByIdentity

COUNT_COST = 100
"""A count reads every row a filter matches: on a million customers it takes as long as
reading tens to hundreds of pages, so it costs a hundred rows."""

ROWS = frozenset({"nodes", "edges", "members", "subscribers"})
"""Fields under a field with `first` that hold its rows; what is inside them repeats per row."""

PAGE_PARTS = ("Connection", "Edge")
"""Suffixes of the types whose object fields are parts of a page, paid for by its size."""

MAX_FIELDS = 20_000
"""Fields the walk reads, fragments expanded, before it stops: no page of a real screen
comes near it, while nested spreads of one fragment under aliases reach it quickly."""

COUNTS = frozenset(
    {
        ("Segment", "memberCount"),
        ("SegmentPreview", "count"),
        ("SegmentPreview", "conditions"),
        ("SegmentPreview", "exclusions"),
    }
)
"""Counts of a whole list other than every connection's `totalCount`, by (type, field)."""

Variables = dict[str, Any]


@dataclass
class Cost:
    """An operation's cost, and the field (dotted path) that costs most with what it costs;
    ``complete`` is False when the walk stopped at ``MAX_FIELDS`` (``total`` is then what it
    had counted)."""

    total: int = 0
    costliest: str = ""
    costliest_cost: int = 0
    complete: bool = True
    _by_path: dict[str, int] = field(default_factory=dict)

    def add(self, path: str, amount: int) -> None:
        self.total += amount
        spent = self._by_path.get(path, 0) + amount
        self._by_path[path] = spent
        if spent > self.costliest_cost:
            self.costliest, self.costliest_cost = path, spent


def operation_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: Variables | None,
    max_page_size: int,
) -> Cost:
    """The cost of ``operation`` of ``document`` with ``variables`` (raw, as sent).

    A cost whose walk read no variable (no page size, directive or mutation input passed as
    one) is the cost of every request of that document, which the parser's cache hands out as
    one object: it is kept (``_KNOWN``) and not walked again. The bench's page walked its
    document for 3.7 % of its instructions."""
    known = _KNOWN.get((schema, document, operation), max_page_size)
    if known is not None:
        return known
    root = schema.get_root_type(operation.operation)
    sent = _Sent(_values(operation, variables))
    walk = _Walk(schema, _fragments(document), sent, max_page_size=max_page_size)
    if root is not None:
        try:
            walk.selections(root, operation.selection_set, 1, "", frozenset())
        except _TooManyFields:
            walk.cost.complete = False
    if not sent.read:
        _KNOWN.put((schema, document, operation), walk.cost, max_page_size)
    return walk.cost


KNOWN_DOCUMENTS = 512
"""Costs kept, as many as the parser's cache keeps documents."""

_KNOWN: ByIdentity[Cost] = ByIdentity(KNOWN_DOCUMENTS)
"""Costs that hold whatever the variables."""


class _Sent(dict[str, Any]):
    """Variables that remember whether the walk read any of them."""

    read = False

    def get(self, key: str, default: Any = None) -> Any:
        self.read = True
        return super().get(key, default)


def actual_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: Variables | None,
    data: dict[str, Any],
) -> int | None:
    """What ``operation`` cost as it ran, read off its result's ``data``: the prices of
    ``operation_cost``, with each page at the rows it returned and each count and object
    where the result holds one. None where the walk stops at ``MAX_FIELDS``."""
    root = schema.get_root_type(operation.operation)
    walk = _Returned(schema, _fragments(document), _values(operation, variables))
    if root is not None:
        try:
            walk.selections(root, [operation.selection_set], [data], in_page=False)
        except _TooManyFields:
            return None
    return walk.total


def _fragments(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    return {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}


def _values(operation: OperationDefinitionNode, variables: Variables | None) -> Variables:
    """The variables as sent, with the operation's defaults for those not sent."""
    values = dict(variables or {})
    for definition in operation.variable_definitions or ():
        name = definition.variable.name.value
        if name not in values and definition.default_value is not None:
            values[name] = _literal(definition.default_value, {})
    return values


class _TooManyFields(Exception):
    pass


@dataclass(frozen=True, slots=True)
class _Kind:
    """How a field is priced: a count of a whole list, the rows of the page it sits in (paid
    by the page), or an object (or list of objects) at 1."""

    count: bool
    rows: bool
    object: bool

    @classmethod
    def of(
        cls,
        parent: GraphQLObjectType | GraphQLInterfaceType,
        name: str,
        returned: GraphQLNamedType,
        in_page: bool,
    ) -> _Kind:
        """Field ``name`` of ``parent``, returning ``returned``; ``in_page`` when ``parent``
        is what a field with `first` returns."""
        count = (name == "totalCount" and parent.name.endswith("Connection")) or (
            (parent.name, name) in COUNTS
        )
        rows = in_page and name in ROWS
        part = count or rows or parent.name.endswith(PAGE_PARTS)
        return cls(count, rows, is_composite_type(returned) and not part)


@dataclass
class _Reading:
    """A walk over an operation's document, bounded by ``MAX_FIELDS``."""

    schema: GraphQLSchema
    fragments: dict[str, FragmentDefinitionNode]
    variables: Variables
    fields: int = 0

    def _visit(self) -> None:
        self.fields += 1
        if self.fields > MAX_FIELDS:
            raise _TooManyFields

    def _fields(
        self,
        parent: GraphQLNamedType,
        selection_set: SelectionSetNode | None,
        spread: frozenset[str],
        *,
        directives: bool = True,
    ) -> Iterator[tuple[GraphQLObjectType | GraphQLInterfaceType, FieldNode, frozenset[str]]]:
        """The fields of ``selection_set`` on ``parent``, those of its fragments (inline or
        named) inlined, each with the type it is selected on and the fragments spread to
        reach it; without those ``@skip``ped or not ``@include``d unless ``directives`` is
        False. Fragments on several types of one interface all count."""
        for node in selection_set.selections if selection_set is not None else ():
            self._visit()
            if directives and self._skipped(node):
                continue
            if isinstance(node, FieldNode):
                # a union has no fields of its own, only fragments on its members
                if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
                    yield parent, node, spread
            elif isinstance(node, InlineFragmentNode):
                inner = self._type(node.type_condition.name.value if node.type_condition else None)
                yield from self._fields(
                    inner or parent, node.selection_set, spread, directives=directives
                )
            elif isinstance(node, FragmentSpreadNode):
                name = node.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in spread:  # validation refuses both
                    continue
                inner = self._type(fragment.type_condition.name.value)
                yield from self._fields(
                    inner or parent, fragment.selection_set, spread | {name}, directives=directives
                )

    def _skipped(self, node: SelectionNode) -> bool:
        for directive in node.directives or ():
            name = directive.name.value
            if name not in ("skip", "include"):
                continue
            condition = next(
                (_literal(a.value, self.variables) for a in directive.arguments or ()), None
            )
            if isinstance(condition, bool) and condition is (name == "skip"):
                return True
        return False

    def _type(self, name: str | None) -> GraphQLNamedType | None:
        return self.schema.get_type(name) if name else None

    def _written(self, node: FieldNode) -> int:
        """What a mutation field's input writes: the items of its lists (``_items``)."""
        return sum(_items(a.value, self.variables) for a in node.arguments or ())


@dataclass
class _Walk(_Reading):
    max_page_size: int = 0
    cost: Cost = field(default_factory=Cost)

    def selections(
        self,
        parent: GraphQLNamedType,
        selection_set: SelectionSetNode | None,
        times: int,
        path: str,
        spread: frozenset[str],
        page: int | None = None,
    ) -> None:
        """Adds the cost of ``selection_set`` on ``parent``, each field asked ``times`` times;
        ``page`` is the page size when ``parent`` is what a field with `first` returns."""
        for owner, node, reached in self._fields(parent, selection_set, spread):
            self.field(owner, node, times, path, reached, page)

    def field(
        self,
        parent: GraphQLObjectType | GraphQLInterfaceType,
        node: FieldNode,
        times: int,
        path: str,
        spread: frozenset[str],
        page: int | None,
    ) -> None:
        name = node.name.value
        definition = parent.fields.get(name)
        if definition is None:  # __typename, or a field validation refuses
            return
        here = f"{path}.{name}" if path else name
        returned = get_named_type(definition.type)
        kind = _Kind.of(parent, name, returned, page is not None)
        if kind.count:
            self.cost.add(here, times * COUNT_COST)
        if kind.rows:  # what is inside repeats per row
            times *= page or 0
        inner_page = None
        if "first" in definition.args:
            inner_page = self._page_size(node, definition.args["first"].default_value)
            if not returned.name.endswith("Connection") or self._asks_items(
                returned, node.selection_set, spread
            ):
                self.cost.add(here, times * inner_page)
        elif kind.object:
            self.cost.add(here, times)
        if parent is self.schema.mutation_type:
            self.cost.add(here, times * self._written(node))
        self.selections(returned, node.selection_set, times, here, spread, inner_page)

    def _asks_items(
        self,
        connection: GraphQLNamedType,
        selection_set: SelectionSetNode | None,
        spread: frozenset[str],
    ) -> bool:
        """Whether a selection on a connection asks for anything besides `totalCount`, as
        ``graph.pagination.wants_items`` decides at run time whether to read the page: so,
        as there, fragments are looked into and directives are not evaluated."""
        return any(
            node.name.value not in ("totalCount", "__typename")
            for _, node, _ in self._fields(connection, selection_set, spread, directives=False)
        )

    def _page_size(self, node: FieldNode, default: Any) -> int:
        """The page size a field's `first` asks for, within what a page may hold: a size
        out of range is refused by the field itself, with its own message."""
        size = default
        for argument in node.arguments or ():
            if argument.name.value == "first":
                size = _literal(argument.value, self.variables)
        if isinstance(size, float) and size.is_integer():  # JSON's 100.0 is GraphQL's 100
            size = int(size)
        if not isinstance(size, int) or isinstance(size, bool):
            size = DEFAULT_PAGE_SIZE
        return min(max(size, 0), self.max_page_size)


Fields = dict[str, list[tuple[GraphQLObjectType | GraphQLInterfaceType, FieldNode]]]
"""The fields of selection sets by response key, each with the type it was selected on."""


@dataclass
class _Returned(_Reading):
    """``actual_cost``'s walk: a document's selections over the values its result holds."""

    total: int = 0

    def selections(
        self,
        parent: GraphQLNamedType,
        selection_sets: list[SelectionSetNode],
        objects: list[dict[str, Any]],
        in_page: bool,
    ) -> None:
        """Adds the cost of what ``selection_sets`` (merged, as GraphQL merges fields of one
        response key) returned on ``objects``, the values of type ``parent`` of one field;
        ``in_page`` when that field has `first`."""
        for key, selected in self.collect(parent, selection_sets).items():
            owner, node = selected[0]
            definition = owner.fields.get(node.name.value)
            if definition is None:  # __typename
                continue
            if owner is self.schema.mutation_type:
                self.total += self._written(node)
            values = [value for o in objects if (value := o.get(key)) is not None]
            returned = get_named_type(definition.type)
            kind = _Kind.of(owner, node.name.value, returned, in_page)
            inner = [n.selection_set for _, n in selected if n.selection_set is not None]
            paged = "first" in definition.args
            if kind.count:
                self.total += COUNT_COST * len(values)
            if paged:
                self.total += sum(self._rows(returned, inner, page) for page in values)
            elif kind.object:
                self.total += len(values)
            if inner:
                children = [
                    child
                    for value in values
                    for child in (value if isinstance(value, list) else [value])
                    if isinstance(child, dict)
                ]
                self.selections(returned, inner, children, paged)

    def _rows(self, returned: GraphQLNamedType, inner: list[SelectionSetNode], page: Any) -> int:
        """The rows a page returned: its longest list of rows (`nodes`, `edges`, `members`…);
        none when only its count was asked."""
        if not isinstance(page, dict):
            return 0
        keys = [
            k
            for k, selected in self.collect(returned, inner).items()
            if selected[0][1].name.value in ROWS
        ]
        return max((len(page.get(k) or ()) for k in keys), default=0)

    def collect(self, parent: GraphQLNamedType, selection_sets: list[SelectionSetNode]) -> Fields:
        found: Fields = {}
        for selection_set in selection_sets:
            for owner, node, _ in self._fields(parent, selection_set, frozenset()):
                key = node.alias.value if node.alias else node.name.value
                found.setdefault(key, []).append((owner, node))
        return found


def _items(node: ValueNode, variables: Variables) -> int:
    """The items of the lists in an argument, written in the document or passed as variables;
    lists inside those items are not counted again."""
    if isinstance(node, VariableNode):
        return _value_items(variables.get(node.name.value))
    if isinstance(node, ListValueNode):
        return len(node.values)
    if isinstance(node, ObjectValueNode):
        return sum(_items(f.value, variables) for f in node.fields)
    return 0


def _value_items(value: Any) -> int:
    """``_items`` of a variable's value, as sent."""
    if isinstance(value, list):
        return len(value)
    if isinstance(value, dict):
        return sum(_value_items(inner) for inner in value.values())
    return 0


def _literal(node: ValueNode, variables: Variables) -> Any:
    """An integer or boolean written in the document or passed as a variable; None otherwise."""
    if isinstance(node, VariableNode):
        return variables.get(node.name.value)
    if isinstance(node, IntValueNode):
        try:
            return int(node.value)
        except ValueError:
            return None
    if isinstance(node, BooleanValueNode):
        return node.value
    return None

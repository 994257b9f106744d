"""The fields a query selects, per kind, handed down to every connector call it causes.

Before a query runs, its document is walked once with the schema's types
(fragments included, whatever operation runs: a superset is safe) and every
field asked of a ``User``, ``Group``, ``Queue``, ``Trunk`` or ``Device`` is
noted under its kind, in the domain's names (``displayName`` ->
``display_name``); a field asked through an interface (``Node``,
``BackendObject``) counts for every kind. The result is set around the
execution (:func:`pbxgraph.selection.selecting`), with a fresh memo of what
the vendors answered, so a connector fetches a costly field (a registration,
a whole read for a description, ``raw``) only when something shows it.
Mutations run with everything selected and no memo: what they answer is
read afresh and whole.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Iterator

from graphql import DocumentNode, FieldNode, GraphQLInterfaceType, GraphQLObjectType, GraphQLSchema, TypeInfo
from graphql.language import Visitor, visit
from graphql.utilities import TypeInfoVisitor
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from pbxgraph.domain import Kind
from pbxgraph.selection import EVERYTHING, Selection, selecting

#: The GraphQL object type of each kind.
KINDS = {"User": Kind.USER, "Group": Kind.GROUP, "Queue": Kind.QUEUE, "Trunk": Kind.TRUNK, "Device": Kind.DEVICE}


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", lambda m: "_" + m.group(1).lower(), name)


class _Collect(Visitor):
    def __init__(self, schema: GraphQLSchema, type_info: TypeInfo) -> None:
        super().__init__()
        self.schema = schema
        self.type_info = type_info
        self.found: dict[Kind, set[str]] = {kind: set() for kind in KINDS.values()}

    def enter_field(self, node: FieldNode, *_: object) -> None:
        parent = self.type_info.get_parent_type()
        name = _snake(node.name.value)
        if isinstance(parent, GraphQLObjectType):
            kind = KINDS.get(parent.name)
            if kind is not None:
                self.found[kind].add(name)
        elif isinstance(parent, GraphQLInterfaceType):
            for implementation in self.schema.get_implementations(parent).objects:
                kind = KINDS.get(implementation.name)
                if kind is not None:
                    self.found[kind].add(name)


#: Selections of the documents seen last: the parse cache hands a repeated query its same document
#: object, so its walk is done once. Each entry keeps its schema and document alive, so an id is never
#: taken by another object while its entry lives.
_SEEN: OrderedDict[tuple[int, int], tuple[GraphQLSchema, DocumentNode, Selection]] = OrderedDict()
SEEN_MAX = 512


def selection_of(schema: GraphQLSchema, document: DocumentNode) -> Selection:
    """Every field of every kind the document asks for, in the domain's names (remembered per document)."""
    key = (id(schema), id(document))
    seen = _SEEN.get(key)
    if seen is not None and seen[0] is schema and seen[1] is document:
        _SEEN.move_to_end(key)
        return seen[2]
    selection = _walked(schema, document)
    _SEEN[key] = (schema, document, selection)
    if len(_SEEN) > SEEN_MAX:
        _SEEN.popitem(last=False)
    return selection


def _walked(schema: GraphQLSchema, document: DocumentNode) -> Selection:
    type_info = TypeInfo(schema)
    collect = _Collect(schema, type_info)
    visit(document, TypeInfoVisitor(type_info, collect))
    return Selection({kind: frozenset(names) for kind, names in collect.found.items()})


class SelectedFields(SchemaExtension):
    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if context.operation_type is OperationType.QUERY and document is not None:
            with selecting(selection_of(context.schema._schema, document)):
                yield
        else:
            with selecting(EVERYTHING, memo=False):
                yield

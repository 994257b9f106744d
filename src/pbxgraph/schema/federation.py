"""Apollo Federation v2: pbxgraph as a subgraph beside a company's other GraphQL services.

With ``[server] federation = true`` the served schema gains what a
federation router asks a subgraph for, and nothing else changes:

* ``_service { sdl }``: pbxgraph's schema with ``@key(fields: "id")`` on
  User, Group, Queue, Trunk and Device and the ``@link`` to Federation 2.3,
  for the router (or ``rover``) to compose. ``pbxgraph schema --federation``
  prints the same.
* ``_entities(representations:)``: the objects other subgraphs refer to, by
  ``{__typename, id}`` with pbxgraph's global id. They load through the
  request's loaders like ``nodes(ids:)`` (one batched call per backend and
  kind), under the caller's token; an id of another kind than its
  ``__typename``, or a malformed one, fails only its own entry, and one that
  names nothing is null.

The default schema (``schema.graphql``, what ``pbxgraph schema`` prints) is
left exactly as it is: the keys are added to the subgraph's SDL text, not to
the shared type definitions.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Annotated, Any, NewType, cast

import strawberry
from graphql import (
    ConstArgumentNode,
    ConstDirectiveNode,
    ConstListValueNode,
    DefinitionNode,
    DocumentNode,
    NameNode,
    ObjectTypeDefinitionNode,
    SchemaExtensionNode,
    StringValueNode,
    parse,
    print_ast,
    value_from_ast_untyped,
)
from strawberry.types import Info

from pbxgraph import domain
from pbxgraph.errors import BadUserInput
from pbxgraph.ids import decode_id
from pbxgraph.schema.nodes import Device, Group, Queue, Trunk, User
from pbxgraph.schema.query import Query, load_node

#: The Federation version whose ``@key`` the SDL links to.
FEDERATION_URL = "https://specs.apollo.dev/federation/v2.3"
#: Most representations one ``_entities`` takes (a router asks for one page of parents at a time).
MAX_REPRESENTATIONS = 1000
#: Entity types by name, with the kind their global ids carry.
ENTITIES: dict[str, domain.Kind] = {
    "User": domain.Kind.USER,
    "Group": domain.Kind.GROUP,
    "Queue": domain.Kind.QUEUE,
    "Trunk": domain.Kind.TRUNK,
    "Device": domain.Kind.DEVICE,
}

Representation = NewType("Representation", object)


def _as_is(value: object) -> object:
    return value


def _literal(node: Any, variables: dict[str, Any] | None = None) -> Any:
    return value_from_ast_untyped(node, variables)


REPRESENTATION = strawberry.scalar(
    name="_Any",
    description="An entity representation a federation router sends: a JSON object with `__typename` "
    "and the entity's `id` (pbxgraph's global id).",
    serialize=_as_is,
    parse_value=_as_is,
    parse_literal=_literal,
)

Entity = Annotated[
    User | Group | Queue | Trunk | Device,
    strawberry.union("_Entity", description="Every type other subgraphs may extend: those with a `@key`."),
]


@strawberry.type(name="_Service", description="What a federation router reads to compose this subgraph.")
class Service:
    sdl: str = strawberry.field(
        description='This subgraph\'s schema in SDL: the default schema, with `@key(fields: "id")` on its '
        "entities and the `@link` to Apollo Federation 2.3."
    )


async def resolve_reference(info: Info, representation: Any, index: int) -> Any:
    """One representation's object, or None when its id names nothing; a bad one fails alone."""
    where = f"representations[{index}]"
    if not isinstance(representation, dict):
        raise BadUserInput(f"{where}: must be an object with '__typename' and 'id'", field=where)
    typename = representation.get("__typename")
    kind = ENTITIES.get(typename) if isinstance(typename, str) else None
    if kind is None:
        raise BadUserInput(f"{where}.__typename: must be one of {', '.join(ENTITIES)}", field=f"{where}.__typename")
    value = representation.get("id")
    if not isinstance(value, str):
        raise BadUserInput(f"{where}.id: the entity's global id is required", field=f"{where}.id")
    gid = decode_id(value, field=f"{where}.id")
    if gid.kind is not kind:
        raise BadUserInput(f"{where}.id: the id is of a {gid.kind.value}, not of a {typename}", field=f"{where}.id")
    return await load_node(info, value, field=f"{where}.id")


@strawberry.type(name="Query", description="Everything pbxgraph answers, with what a federation router asks.")
class FederatedQuery(Query):
    @strawberry.field(name="_service", description="This subgraph's SDL, for the federation router.")
    def service_(self) -> Service:
        return Service(sdl=subgraph_sdl())

    @strawberry.field(
        name="_entities",
        description="The entities with these representations, in order; null for one that does not exist.",
    )
    def entities_(
        self,
        info: Info,
        representations: Annotated[
            list[Representation],
            strawberry.argument(description=f"`{{__typename, id}}` objects, at most {MAX_REPRESENTATIONS}."),
        ],
    ) -> list[Entity | None]:
        if len(representations) > MAX_REPRESENTATIONS:
            raise BadUserInput(
                f"representations: at most {MAX_REPRESENTATIONS} at once ({len(representations)} given)",
                field="representations",
            )
        # Each entry resolves on its own, so one bad representation fails only its own entry.
        return [
            resolve_reference(info, value, index)  # type: ignore[misc]
            for index, value in enumerate(representations)
        ]


def _key(node: ObjectTypeDefinitionNode) -> ObjectTypeDefinitionNode:
    key = ConstDirectiveNode(
        name=NameNode(value="key"),
        arguments=(ConstArgumentNode(name=NameNode(value="fields"), value=StringValueNode(value="id")),),
    )
    return dataclasses.replace(node, directives=(*(node.directives or ()), key))


def federated_document(sdl: str) -> DocumentNode:
    """``sdl`` with the entities' keys and the link to Federation, as an AST."""
    document = parse(sdl, no_location=True)
    link = SchemaExtensionNode(
        directives=(
            ConstDirectiveNode(
                name=NameNode(value="link"),
                arguments=(
                    ConstArgumentNode(name=NameNode(value="url"), value=StringValueNode(value=FEDERATION_URL)),
                    ConstArgumentNode(
                        name=NameNode(value="import"), value=ConstListValueNode(values=(StringValueNode(value="@key"),))
                    ),
                ),
            ),
        ),
        operation_types=(),
    )
    definitions: list[DefinitionNode] = [
        _key(d) if isinstance(d, ObjectTypeDefinitionNode) and d.name.value in ENTITIES else d
        for d in document.definitions
    ]
    # graphql-core's stubs leave schema extensions out of DefinitionNode, though a document holds them.
    return DocumentNode(definitions=(cast(DefinitionNode, link), *definitions))


@functools.cache
def subgraph_sdl() -> str:
    """The subgraph's SDL: the default schema's, keyed and linked (see the module docstring)."""
    from pbxgraph.schema import schema

    return print_ast(federated_document(schema.as_str())) + "\n"


@functools.cache
def federated_schema(*, production: bool = False) -> strawberry.Schema:
    from pbxgraph.schema import build_schema

    return build_schema(production=production, query=FederatedQuery, scalars={Representation: REPRESENTATION})


def served_schema(*, production: bool = False, federation: bool = False) -> strawberry.Schema:
    """The schema a server of this profile serves, as a subgraph or not."""
    from pbxgraph.schema import production_schema, schema

    if federation:
        return federated_schema(production=production)
    return production_schema() if production else schema


__all__ = ["ENTITIES", "FEDERATION_URL", "FederatedQuery", "federated_schema", "served_schema", "subgraph_sdl"]

"""The GraphQL schema: thin resolvers over the loaders and the service."""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import DisableIntrospection
from strawberry.schema.config import StrawberryConfig
from strawberry.types.execution import ExecutionContext

from pbxgraph.errors import PbxError
from pbxgraph.schema.context import Context, new_context
from pbxgraph.schema.cost import CostLimit
from pbxgraph.schema.deadline import RequestDeadline
from pbxgraph.schema.documents import Documents
from pbxgraph.schema.errors import CodedErrors, MaskedErrors
from pbxgraph.schema.feed import Subscription
from pbxgraph.schema.idempotency import Idempotency, idempotent_mutations
from pbxgraph.schema.limits import bound_arguments
from pbxgraph.schema.mutation import Mutation
from pbxgraph.schema.nodes import Device, Group, Queue, Trunk, User
from pbxgraph.schema.query import Query
from pbxgraph.schema.selection import SelectedFields
from pbxgraph.schema.side_effects import SideEffects


class PbxSchema(strawberry.Schema):
    """Logs only what is a bug; coded errors are answers, not incidents."""

    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        for error in errors:
            original = error.original_error
            if original is not None and not isinstance(original, (PbxError, GraphQLError)):
                log.error("unexpected error at %s", error.path, exc_info=original)


def build_schema(
    *, production: bool = False, query: type = Query, scalars: Mapping[object, Any] | None = None
) -> strawberry.Schema:
    """The schema; ``production`` hides its shape: no introspection, no field suggestions.

    ``query`` replaces the root query type and ``scalars`` adds scalars (the
    federation subgraph's ``_service``, ``_entities`` and ``_Any``).
    """
    idempotent_mutations(Mutation)
    bound_arguments(Query, Mutation, Subscription)
    extensions: list[Any] = [
        Idempotency,
        MaskedErrors if production else CodedErrors,
        SideEffects,
        CostLimit,
        RequestDeadline,
        SelectedFields,
        # Depth, aliases and tokens, with each distinct document parsed and validated once.
        Documents(max_depth=15, max_aliases=50, max_tokens=5000).extension(),
    ]
    if production:
        extensions.append(DisableIntrospection)
    return PbxSchema(
        query=query,
        mutation=Mutation,
        subscription=Subscription,
        types=[User, Group, Queue, Trunk, Device],
        extensions=extensions,
        config=StrawberryConfig(disable_field_suggestions=production, scalar_map=dict(scalars or {})),
    )


log = logging.getLogger("pbxgraph.schema")
schema = build_schema()


@functools.cache
def production_schema() -> strawberry.Schema:
    """Built on first use: most processes never serve the production profile."""
    return build_schema(production=True)


def sdl() -> str:
    return schema.as_str() + "\n"


__all__ = ["Context", "build_schema", "new_context", "production_schema", "schema", "sdl"]

"""What a request may cost, checked before it runs, and how big its answer may be.

Depth, alias and token limits bound the *text* of a query, not its work:
fifty aliases of a 500-item listing are a short query that makes hundreds
of vendor calls and answers megabytes. So before execution every field of
the operation (variables and argument defaults applied, fragments expanded)
is weighed by what it can cause:

* **items**: the objects it may bring back. A listing brings up to
  ``first`` from every backend it reads, and each of its nodes counts once
  for the fields below it; ``nodes(ids:)`` brings one per id; a list
  relation (a user's groups, a group's members) is assumed to hold
  ``LIST_FANOUT`` items per parent; ``directory`` up to
  ``DIRECTORY_ITEMS`` per backend and kind.
* **vendor calls**, each weighing ``CALL_WEIGHT`` items: a listing makes
  one per backend, ``node`` one and ``nodes`` one per id (at worst), a
  relation one per backend in play (the loaders batch per backend),
  ``directory`` three per backend, a health probe one per backend, and a
  mutation ``MUTATION_CALLS``.

``applyChanges`` and ``moveUser`` weigh as one mutation each: the vendor
calls of a batch grow with its changes, which ``[limits] max_changes``
bounds instead (summed over every ``applyChanges`` of the request, so
aliases cannot multiply it).

A request whose sum exceeds ``[limits] max_cost``, whose ``nodes`` asks
for more than ``max_node_ids`` ids, or whose batches carry more than
``max_changes`` changes, is answered with one ``BAD_USER_INPUT``
error naming the limit and the figure, and no backend is called. After
execution, a query's answer larger than ``max_response_bytes`` is replaced
by such an error too (mutations keep theirs: what they did must be told).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    Undefined,
    get_named_type,
    value_from_ast_untyped,
)
from graphql.execution import ExecutionResult as GraphQLExecutionResult
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

#: One vendor call weighs as much as this many items.
CALL_WEIGHT = 150
#: Items a list relation (groups of a user, members of a group or queue, ...) is assumed to hold per parent.
LIST_FANOUT = 5
#: Vendor calls a mutation is assumed to make (reads, writes, the read-back).
MUTATION_CALLS = 5
#: Owners ``directory`` asks each backend for, per kind (users, groups, queues).
DIRECTORY_ITEMS = 10
DIRECTORY_KINDS = 3
#: The largest page a listing serves (``first``), whatever is asked.
MAX_FIRST = 500

_LISTINGS = frozenset({"users", "groups", "queues", "trunks", "devices"})


class LimitExceeded(Exception):
    """A request over one of the ``[limits]``; becomes one BAD_USER_INPUT error."""

    def __init__(self, message: str, **figures: Any) -> None:
        super().__init__(message)
        self.figures = figures

    def graphql_error(self) -> GraphQLError:
        return GraphQLError(str(self), extensions={"code": "BAD_USER_INPUT", **self.figures})


@dataclass(slots=True)
class Weighing:
    """Walks one operation, adding up its cost; raises LimitExceeded for a limit it meets on the way."""

    schema: GraphQLSchema
    fragments: Mapping[str, FragmentDefinitionNode]
    variables: Mapping[str, Any]
    #: Every configured backend (a listing without ``backends:`` reads them all).
    backends: int
    max_node_ids: int
    #: Most changes the request's ``applyChanges`` fields may carry together.
    max_changes: int
    #: Whether a field (by type and field name) resolves through its own coroutine, i.e. asks a backend.
    has_async_resolver: Callable[[str, str], bool]
    items: float = 0.0
    calls: float = 0.0
    changes: int = 0

    @property
    def cost(self) -> int:
        return round(self.items + CALL_WEIGHT * self.calls)

    # --- arguments ------------------------------------------------------------------

    def _arguments(self, node: FieldNode, definition: Any) -> dict[str, Any]:
        values = {name: arg.default_value for name, arg in definition.args.items()}
        for argument in node.arguments or ():
            value = value_from_ast_untyped(argument.value, dict(self.variables))
            if value is not Undefined:  # a variable left out: the argument's default applies
                values[argument.name.value] = value
        return values

    def _chosen_backends(self, arguments: Mapping[str, Any]) -> int:
        named = arguments.get("backends")
        if isinstance(named, list):
            return max(1, min(len(set(map(str, named))), self.backends))
        return max(1, self.backends)

    def _count_changes(self, arguments: Mapping[str, Any]) -> None:
        """A batch's changes, summed over the request, against ``max_changes``: refused before any backend."""
        given = arguments.get("input")
        changes = given.get("changes") if isinstance(given, dict) else None
        self.changes += len(changes) if isinstance(changes, list) else 0
        if self.changes > self.max_changes:
            raise LimitExceeded(
                f"applyChanges: at most {self.max_changes} changes per request (limits.max_changes), "
                f"got {self.changes}; split the batch",
                limit="max_changes",
                max=self.max_changes,
                got=self.changes,
            )

    # --- the walk -------------------------------------------------------------------

    def operation(self, operation: OperationDefinitionNode) -> None:
        root = (
            self.schema.mutation_type
            if operation.operation.value == "mutation"
            else self.schema.subscription_type
            if operation.operation.value == "subscription"
            else self.schema.query_type
        )
        if root is None:
            return
        self.selections(
            operation.selection_set,
            root,
            multiplier=1.0,
            scope=self.backends,
            mutation=operation.operation.value == "mutation",
            seen=(),
        )

    def selections(
        self,
        selection_set: SelectionSetNode | None,
        parent: GraphQLNamedType,
        *,
        multiplier: float,
        scope: int,
        mutation: bool = False,
        seen: tuple[str, ...],
    ) -> None:
        if selection_set is None:
            return
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                self.field(selection, parent, multiplier=multiplier, scope=scope, mutation=mutation, seen=seen)
            elif isinstance(selection, InlineFragmentNode):
                target = (
                    self.schema.get_type(selection.type_condition.name.value) if selection.type_condition else parent
                )
                self.selections(
                    selection.selection_set,
                    target or parent,
                    multiplier=multiplier,
                    scope=scope,
                    mutation=mutation,
                    seen=seen,
                )
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in seen:  # validation refuses both; never loop on them
                    continue
                target = self.schema.get_type(fragment.type_condition.name.value)
                self.selections(
                    fragment.selection_set,
                    target or parent,
                    multiplier=multiplier,
                    scope=scope,
                    mutation=mutation,
                    seen=(*seen, name),
                )

    def field(
        self,
        node: FieldNode,
        parent: GraphQLNamedType,
        *,
        multiplier: float,
        scope: int,
        mutation: bool,
        seen: tuple[str, ...],
    ) -> None:
        name = node.name.value
        if name.startswith("__") or not isinstance(parent, (GraphQLObjectType, GraphQLInterfaceType)):
            return  # introspection and __typename cost no backend anything
        definition = parent.fields.get(name)
        if definition is None:
            return
        arguments = self._arguments(node, definition)
        output = definition.type.of_type if isinstance(definition.type, GraphQLNonNull) else definition.type
        is_list = isinstance(output, GraphQLList)
        named = get_named_type(definition.type)
        child, child_scope = multiplier, scope

        if mutation and parent is self.schema.mutation_type:
            self.calls += MUTATION_CALLS
            self.items += 1
            child_scope = 1
            if name == "applyChanges":
                self._count_changes(arguments)
        elif parent is self.schema.query_type and name in _LISTINGS:
            first = arguments.get("first")
            first = min(max(first if isinstance(first, int) else 0, 0), MAX_FIRST)
            chosen = self._chosen_backends(arguments)
            self.calls += multiplier * chosen
            self.items += multiplier * first * chosen
            child, child_scope = multiplier * first, chosen
        elif parent is self.schema.query_type and name == "nodes":
            ids = arguments.get("ids")
            count = len(ids) if isinstance(ids, list) else 1
            if count > self.max_node_ids:
                raise LimitExceeded(
                    f"nodes: at most {self.max_node_ids} ids per request (limits.max_node_ids), got {count}",
                    limit="max_node_ids",
                    max=self.max_node_ids,
                    got=count,
                )
            self.calls += multiplier * count
            self.items += multiplier * count
            child, child_scope = multiplier * count, min(count, self.backends)
        elif parent is self.schema.query_type and name in ("userByUsername", "deviceByMac"):
            # one look-up (a text search of one backend; a MAC filter on each backend chosen), one object
            self.calls += multiplier * (1 if name == "userByUsername" else self._chosen_backends(arguments))
            self.items += multiplier
            child_scope = 1
        elif parent is self.schema.query_type and name == "node":
            self.calls += multiplier
            self.items += multiplier
            child_scope = 1
        elif parent is self.schema.query_type and name == "directory":
            self.calls += multiplier * DIRECTORY_KINDS * self.backends
            child = multiplier * DIRECTORY_KINDS * DIRECTORY_ITEMS * self.backends
            self.items += child
            child_scope = self.backends
        elif parent is self.schema.query_type and name == "backends":
            child = multiplier * self.backends
            self.items += child
            child_scope = self.backends  # each backend probed once for its health
        elif named.name.endswith("Connection") or parent.name.endswith(("Connection", "Edge")):
            pass  # the page and its edges were counted by the listing that made them
        elif named.name == "DirectoryEntry":
            pass  # counted by ``directory``
        else:
            if self.has_async_resolver(parent.name, name):
                self.calls += min(multiplier, scope)  # one batched call per backend in play
            if is_list:
                child = multiplier * LIST_FANOUT
                self.items += child
            elif isinstance(named, (GraphQLObjectType, GraphQLInterfaceType)) or hasattr(named, "types"):
                self.items += multiplier
        self.selections(node.selection_set, named, multiplier=child, scope=child_scope, mutation=False, seen=seen)


class CostLimit(SchemaExtension):
    """Refuses, before execution, a request over ``max_cost`` or ``max_node_ids``; caps a query's answer size."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        limits = _limits(context.context)
        document = context.graphql_document
        if limits is not None and document is not None and context.result is None:
            try:
                cost = self._weigh(limits, document)
            except LimitExceeded as exceeded:
                context.result = GraphQLExecutionResult(data=None, errors=[exceeded.graphql_error()])
            else:
                if cost > limits.max_cost:
                    context.result = GraphQLExecutionResult(
                        data=None,
                        errors=[
                            LimitExceeded(
                                f"the request's estimated cost is {cost}, over the limit of {limits.max_cost} "
                                "(limits.max_cost): ask for fewer items (a smaller first), fewer nested lists, "
                                "fewer backends or fewer aliases",
                                limit="max_cost",
                                max=limits.max_cost,
                                cost=cost,
                            ).graphql_error()
                        ],
                    )
        yield

    def on_operation(self) -> Iterator[None]:
        yield
        context = self.execution_context
        limits = _limits(context.context)
        result = context.result
        if limits is None or result is None or result.data is None:
            return
        if context.operation_type is not OperationType.QUERY:
            return
        encoded = json.dumps(result.data, default=str, separators=(",", ":"))
        size = len(encoded)
        if size <= limits.max_response_bytes:
            if hasattr(context.context, "encoded_data"):
                context.context.encoded_data = (result.data, encoded)  # the response reuses it
        else:
            result.data = None
            result.errors = [
                LimitExceeded(
                    f"the answer would be {size} bytes, over the limit of {limits.max_response_bytes} "
                    "(limits.max_response_bytes): ask for fewer items or fields",
                    limit="max_response_bytes",
                    max=limits.max_response_bytes,
                    size=size,
                ).graphql_error()
            ]
            getattr(context.context, "partial_errors", []).clear()

    def _weigh(self, limits: Any, document: Any) -> int:
        context = self.execution_context
        strawberry_schema = context.schema
        graphql_schema: GraphQLSchema = strawberry_schema._schema
        operation = _operation(document, context.operation_name)
        if operation is None:
            return 0
        defaults = {
            definition.variable.name.value: value_from_ast_untyped(definition.default_value)
            for definition in operation.variable_definitions or ()
            if definition.default_value is not None
        }
        fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        service = context.context.service
        weighing = Weighing(
            schema=graphql_schema,
            fragments=fragments,
            variables={**defaults, **(context.variables or {})},
            backends=len(service.backends),
            max_node_ids=limits.max_node_ids,
            max_changes=limits.max_changes,
            has_async_resolver=lambda type_name, field_name: _is_async(strawberry_schema, type_name, field_name),
        )
        weighing.operation(operation)
        return weighing.cost


def _limits(context: Any) -> Any:
    service = getattr(context, "service", None)
    return getattr(service, "limits", None)


def _operation(document: Any, name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        return operations[0] if len(operations) == 1 else None
    return next((o for o in operations if o.name is not None and o.name.value == name), None)


@functools.lru_cache(maxsize=4096)
def _is_async(schema: Any, type_name: str, field_name: str) -> bool:
    """Whether a field resolves through its own coroutine: a relation that asks a backend."""
    try:
        field = schema.get_field_for_type(field_name, type_name)
    except (AssertionError, AttributeError):
        return False
    return bool(field is not None and field.is_async)

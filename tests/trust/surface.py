"""The GraphQL surface as data: every root field, a valid value for each argument, every string in them.

Built from the schema itself, so a field or input added later is covered by
the tests that walk it without anyone listing it here.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
)

from pbxgraph.domain import Kind
from pbxgraph.schema import schema
from pbxgraph.testing.graphql import GraphQLTestClient

#: A valid value for every string argument or input field, by GraphQL name (ids are added per backend).
VALID_TEXT: dict[str, str] = {
    "username": "trust.user",
    "displayName": "Trust User",
    "name": "Trust",
    "description": "Made by a test",
    "email": "trust@example.com",
    "sipPassword": "Sip-Pw-1",
    "password": "Trunk-Pw-1",
    "extension": "4711",
    "number": "4711",
    "host": "sip.example.com",
    "domain": "example.com",
    "mac": "00:04:f2:00:00:01",
    "model": "Model 1",
    "search": "a",
    "backend": "office",
    "backends": "office",
    "after": "",
    "toBackend": "office",
    "ref": "trust-ref",
    "idempotencyKey": "trust-key",
    "tokens": "ops",
    "operations": "create",
    "outcomes": "ok",
}
#: Which kind of object an id argument or field names, by GraphQL name.
ID_KIND: dict[str, Kind] = {
    "userIds": Kind.USER,
    "userId": Kind.USER,
    "memberIds": Kind.USER,
    "ids": Kind.USER,
    "groupId": Kind.GROUP,
    "queueId": Kind.QUEUE,
    "deviceId": Kind.DEVICE,
}
KNOWN_CODES = {
    "BAD_USER_INPUT",
    "NOT_FOUND",
    "NOT_SUPPORTED",
    "CONFLICT",
    "BACKEND_UNAVAILABLE",
    "BACKEND_TIMEOUT",
    "BACKEND_ERROR",
    "UNAUTHENTICATED",
    "FORBIDDEN",
}

Path = tuple[str | int, ...]


def dotted(path: Path) -> str:
    """``("input", "memberIds", 0)`` as the server names it: ``input.memberIds[0]``."""
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else step)
    return text


@dataclass(frozen=True)
class Operation:
    kind: str  # "query" or "mutation"
    field: str
    args: Mapping[str, GraphQLArgument]

    def document(self, present: Mapping[str, Any] | None = None) -> str:
        names = [n for n in self.args if present is None or n in present]
        declared = ", ".join(f"${n}: {self.args[n].type}" for n in names)
        passed = ", ".join(f"{n}: ${n}" for n in names)
        head = f"{self.kind}({declared})" if declared else self.kind
        call = f"{self.field}({passed})" if passed else self.field
        return f"{head} {{ {call} {{ __typename }} }}"

    def id_kind(self, name: str) -> Kind:
        """The kind an ``id`` argument of this field names (``updateGroup(id:)`` names a group)."""
        if name in ID_KIND:
            return ID_KIND[name]
        words = re.findall(r"[A-Z][a-z]+", self.field)
        return next((Kind(w.lower()) for w in words if w.lower() in Kind._value2member_map_), Kind.USER)


def operations() -> list[Operation]:
    root = schema._schema  # the graphql-core schema strawberry built
    found = []
    for kind, type_ in (("query", root.query_type), ("mutation", root.mutation_type)):
        assert type_ is not None
        found += [Operation(kind, name, field.args) for name, field in type_.fields.items()]
    return found


def valid_arguments(operation: Operation, ids: Mapping[Kind, str], cursor: str = "") -> dict[str, Any]:
    """Every argument of ``operation`` (optional ones too), each with a valid value."""
    return {name: _value(arg.type, name, operation, ids, cursor) for name, arg in operation.args.items()}


def _value(type_: Any, name: str, operation: Operation, ids: Mapping[Kind, str], cursor: str) -> Any:
    if isinstance(type_, GraphQLNonNull):
        return _value(type_.of_type, name, operation, ids, cursor)
    if isinstance(type_, GraphQLList):
        return [_value(type_.of_type, name, operation, ids, cursor)]
    if isinstance(type_, GraphQLInputObjectType):
        return {field: _value(f.type, field, operation, ids, cursor) for field, f in type_.fields.items()}
    if isinstance(type_, GraphQLEnumType):
        return next(iter(type_.values))
    assert isinstance(type_, GraphQLScalarType), type_
    if type_.name == "ID":
        return ids[operation.id_kind(name)]
    if type_.name == "String":
        return cursor if name == "after" else VALID_TEXT[name]
    return {"Int": 1, "Boolean": True, "DateTime": "2026-01-01T00:00:00+00:00"}[type_.name]


def string_leaves(operation: Operation, arguments: Mapping[str, Any]) -> Iterator[tuple[Path, str]]:
    """Every String or ID value in ``arguments`` (enums left out), with its path and GraphQL name."""
    for name, value in arguments.items():
        yield from _leaves(operation.args[name].type, value, (name,), name)


def _leaves(type_: Any, value: Any, path: Path, name: str) -> Iterator[tuple[Path, str]]:
    if isinstance(type_, GraphQLNonNull):
        yield from _leaves(type_.of_type, value, path, name)
    elif isinstance(type_, GraphQLList):
        for index, item in enumerate(value):
            yield from _leaves(type_.of_type, item, (*path, index), name)
    elif isinstance(type_, GraphQLInputObjectType):
        for field, item in value.items():
            yield from _leaves(type_.fields[field].type, item, (*path, field), field)
    elif isinstance(type_, GraphQLScalarType) and type_.name in ("String", "ID"):
        yield path, name


def replaced(arguments: Mapping[str, Any], path: Path, new: Any) -> dict[str, Any]:
    copied = copy.deepcopy(dict(arguments))
    target: Any = copied
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = new
    return copied


def value_at(arguments: Mapping[str, Any], path: Path) -> Any:
    target: Any = arguments
    for step in path:
        target = target[step]
    return target


async def real_ids(client: GraphQLTestClient) -> dict[str, dict[Kind, list[str]]]:
    """Global ids of objects that exist now, per backend and kind (a few of each)."""
    body = await client.execute(
        "{ users(first: 500) { nodes { id backend } } groups(first: 500) { nodes { id backend } }"
        " queues(first: 500) { nodes { id backend } } trunks(first: 500) { nodes { id backend } }"
        " devices(first: 500) { nodes { id backend } } }"
    )
    found: dict[str, dict[Kind, list[str]]] = {}
    for plural, kind in (
        ("users", Kind.USER),
        ("groups", Kind.GROUP),
        ("queues", Kind.QUEUE),
        ("trunks", Kind.TRUNK),
        ("devices", Kind.DEVICE),
    ):
        for node in body["data"][plural]["nodes"]:
            found.setdefault(node["backend"], {}).setdefault(kind, []).append(node["id"])
    return found


async def post(client: GraphQLTestClient, query: str, variables: Mapping[str, Any]) -> dict[str, Any]:
    """Like ``client.execute``, but JSON-escaped, so even a lone surrogate can be sent as JSON allows."""
    response = await client.http.post(
        "/graphql",
        content=json.dumps({"query": query, "variables": variables}),
        headers={"content-type": "application/json"},
    )
    assert response.status_code < 500, response.text
    body: dict[str, Any] = response.json()
    return body


def error_fields(body: Mapping[str, Any]) -> list[tuple[str | None, str | None]]:
    return [
        (e.get("extensions", {}).get("code"), e.get("extensions", {}).get("field")) for e in body.get("errors") or []
    ]

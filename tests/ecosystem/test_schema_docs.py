"""The schema documents itself: every type, field, argument, enum value and input field is described.

A description that only states a length limit ("At most 200 characters.",
which the limits add by themselves) says nothing a caller needs, so it counts
as missing. A deprecation must say why and what to use instead. The served
variants (production, federation subgraph) are held to the same.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLEnumValue,
    GraphQLField,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
)
from graphql.type.directives import DEFAULT_DEPRECATION_REASON

from pbxgraph.schema import production_schema, schema
from pbxgraph.schema.federation import federated_schema

LIMIT_ONLY = re.compile(r"\s*At most \d+ characters( each)?\.\s*")
Element = GraphQLField | GraphQLArgument | GraphQLInputField | GraphQLEnumValue

SCHEMAS = {
    "default": lambda: schema._schema,
    "production": lambda: production_schema()._schema,
    "federation": lambda: federated_schema()._schema,
}


def elements(graphql_schema: GraphQLSchema) -> Iterator[tuple[str, str | None, Element | None]]:
    """(what, description, element) for every described thing of the schema's own types."""
    for name, named in sorted(graphql_schema.type_map.items()):
        if name.startswith("__"):
            continue  # introspection's own types, described by GraphQL itself
        yield f"type {name}", named.description, None
        if isinstance(named, (GraphQLObjectType, GraphQLInterfaceType)):
            for field_name, field in named.fields.items():
                yield f"field {name}.{field_name}", field.description, field
                for arg_name, arg in field.args.items():
                    yield f"argument {name}.{field_name}({arg_name})", arg.description, arg
        elif isinstance(named, GraphQLInputObjectType):
            for field_name, input_field in named.fields.items():
                yield f"input field {name}.{field_name}", input_field.description, input_field
        elif isinstance(named, GraphQLEnumType):
            for value_name, value in named.values.items():
                yield f"enum value {name}.{value_name}", value.description, value


@pytest.mark.parametrize("variant", SCHEMAS)
def test_everything_in_the_schema_has_a_description(variant: str) -> None:
    graphql_schema = SCHEMAS[variant]()
    missing = [
        what
        for what, description, _ in elements(graphql_schema)
        if not description or not description.strip() or LIMIT_ONLY.fullmatch(description)
    ]
    assert missing == [], f"{len(missing)} without a description: " + ", ".join(missing)
    assert sum(1 for _ in elements(graphql_schema)) > 400  # the walk saw the whole schema


@pytest.mark.parametrize("variant", SCHEMAS)
def test_every_deprecation_gives_its_reason(variant: str) -> None:
    vague = [
        what
        for what, _, element in elements(SCHEMAS[variant]())
        if element is not None
        and getattr(element, "deprecation_reason", None) is not None
        and element.deprecation_reason.strip() in ("", DEFAULT_DEPRECATION_REASON)
    ]
    assert vague == []


def test_the_check_finds_what_it_is_for() -> None:
    """The walk reaches arguments, input fields and enum values, and a limit alone counts as no description."""
    found = {what: description for what, description, _ in elements(schema._schema)}
    assert found["argument Mutation.updateUser(id)"] == "The user's global id. At most 2048 characters."
    assert found["input field CreateUserInput.sipPassword"].startswith("The SIP account's password. Write-only")
    assert found["enum value RingStrategy.SEQUENTIAL"] == "One member after the other, in member order (cascade)."
    assert LIMIT_ONLY.fullmatch("At most 2048 characters each.")

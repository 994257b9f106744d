"""The limits on string input are documented where callers look: the schema and the README."""

from __future__ import annotations

import re
from pathlib import Path

from graphql import GraphQLInputObjectType, GraphQLScalarType, get_named_type

from pbxgraph.schema import schema
from pbxgraph.schema.limits import MAX_LENGTH

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def _string_inputs() -> list[tuple[str, str, str | None]]:
    """(where, GraphQL name, description) of every String or ID argument and input field."""
    root = schema._schema
    found = []
    for type_ in (root.query_type, root.mutation_type):
        assert type_ is not None
        for field_name, field in type_.fields.items():
            for name, arg in field.args.items():
                named = get_named_type(arg.type)
                if isinstance(named, GraphQLScalarType) and named.name in ("String", "ID"):
                    found.append((f"{type_.name}.{field_name}({name})", name, arg.description))
    for type_name, type_ in root.type_map.items():
        if isinstance(type_, GraphQLInputObjectType):
            for name, input_field in type_.fields.items():
                named = get_named_type(input_field.type)
                if isinstance(named, GraphQLScalarType) and named.name in ("String", "ID"):
                    found.append((f"{type_name}.{name}", name, input_field.description))
    return found


def test_the_schema_states_the_limit_of_every_string_it_takes() -> None:
    inputs = _string_inputs()
    assert len(inputs) > 60
    for where, name, description in inputs:
        assert name in MAX_LENGTH, f"{where}: no maximum length for '{name}'"
        assert description and f"At most {MAX_LENGTH[name]} characters" in description, where


def test_the_readme_lists_every_limit() -> None:
    section = README.split("## Input limits", 1)[1].split("\n## ", 1)[0]
    rows = dict(re.findall(r"^\| `([A-Za-z]+)` \| (\d+) \|", section, re.M))
    assert {name: int(limit) for name, limit in rows.items()} == MAX_LENGTH

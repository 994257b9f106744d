"""The fields a query selects, per kind: what connectors are told to fetch."""

from __future__ import annotations

from pathlib import Path

from graphql import parse

from pbxgraph.config import Config
from pbxgraph.domain import Kind
from pbxgraph.schema import schema
from pbxgraph.schema.selection import _SEEN, selection_of
from pbxgraph.selection import EVERYTHING, Selection, current, reads, selecting, wants
from pbxgraph.testing.graphql import GraphQLTestClient
from tests.core.conftest import local


def selected(query: str) -> Selection:
    return selection_of(schema._schema, parse(query))


def test_fields_are_noted_under_their_kind_in_the_domains_names() -> None:
    chosen = selected("{ users { nodes { displayName devices { mac registration { status } } } } }")
    assert chosen.wants(Kind.USER, "display_name")
    assert not chosen.wants(Kind.USER, "registration", "raw")
    assert chosen.wants(Kind.DEVICE, "registration") and not chosen.wants(Kind.GROUP, "description")


def test_fragments_and_interfaces_count() -> None:
    query = """query($id: ID!) { node(id: $id) { ...f ... on BackendObject { raw } } }
        fragment f on Node { ... on Group { description } ... on User { registration } }"""
    chosen = selected(query)
    assert chosen.wants(Kind.GROUP, "description") and chosen.wants(Kind.USER, "registration")
    assert all(chosen.wants(kind, "raw") for kind in Kind)  # asked through the interface: every kind


def test_outside_a_query_everything_is_selected_and_nothing_remembered() -> None:
    assert current() is EVERYTHING and wants(Kind.USER, "registration") and reads() is None
    with selecting(Selection({Kind.USER: frozenset({"username"})})):
        assert not wants(Kind.USER, "registration")
        memo = reads()
        assert memo is not None
        memo.of("era", "sipusers")["u1"] = {"id": "u1"}
        memo.forget("era")
        assert memo.of("era", "sipusers") == {}
    assert wants(Kind.USER, "registration") and reads() is None


async def test_a_repeated_query_is_walked_once(tmp_path: Path) -> None:
    """The parse cache hands a repeated text the same document: its selection is remembered, not walked again."""
    config = Config(backends=(local("office", tmp_path / "office.sqlite3"),))
    query = "{ users(first: 3) { nodes { displayName devices { mac } } } }"
    async with GraphQLTestClient.running(config) as client:
        _SEEN.clear()
        first = await client.data(query)
        assert len(_SEEN) == 1
        assert await client.data(query) == first
        assert len(_SEEN) == 1
        await client.data("{ groups { nodes { name } } }")
        assert len(_SEEN) == 2

"""An aggregated listing is ordered as if it came from one backend, in both directions.

Two local stores hold users whose names differ in case, whose extensions
differ in length, some with no extension, and some with the very same
native id and name on both backends. The expected order is worked out here
from the documented rule (names case-insensitively, extensions by length then digits,
missing values last in either direction, ties by native id, then by the
backends' configured order), not taken from the server.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from pbxgraph.config import Config
from pbxgraph.testing.graphql import GraphQLTestClient, error_codes
from tests.core.conftest import local
from tests.core.test_vendors_down import vendor_down

#: (backend, user name, display name, extension), created in this order (native ids 1, 2, ... per backend).
PEOPLE = [
    ("east", "anna", "Anna", "30"),
    ("east", "bert", "bert", None),
    ("east", "carl", "Carl", "09"),
    ("east", "dora", "dora", "100"),
    ("east", "emil", "Émil", None),
    ("west", "anna.w", "Anna", "31"),
    ("west", "ben", "Ben", "08"),
    ("west", "cleo", "cleo", None),
    ("west", "dave", "Dave", "1000"),
    ("west", "ANNA.B", "ANNA", "30"),
    ("west", "zed", "zed", "0030"),
]
CREATE = (
    "mutation($b: String!, $u: String!, $d: String, $e: String) { createUser(backend: $b, "
    "input: {username: $u, displayName: $d, extension: $e}) { nativeId } }"
)
PAGE = """query($first: Int!, $after: String, $order: OrderBy, $backends: [String!], $filter: ListFilter) {
  users(first: $first, after: $after, orderBy: $order, backends: $backends, filter: $filter) {
    totalCount
    edges { cursor node { backend nativeId displayName extension } }
    pageInfo { hasNextPage hasPreviousPage endCursor }
  }
}"""


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[GraphQLTestClient]:
    config = Config(
        backends=(
            local("east", tmp_path / "east.sqlite3", demo=False),
            local("west", tmp_path / "west.sqlite3", demo=False),
        )
    )
    async with GraphQLTestClient.running(config) as running:
        for backend, username, display, extension in PEOPLE:
            await running.data(CREATE, {"b": backend, "u": username, "d": display, "e": extension})
        yield running


def expected(field: str, descending: bool, backends: tuple[str, ...] = ("east", "west")) -> list[tuple[str, str]]:
    """(backend, native id) of every person, in the documented order."""
    rows = []
    counters = dict.fromkeys(backends, 0)
    for backend, _, display, extension in PEOPLE:
        if backend not in counters:
            continue
        counters[backend] += 1
        value = display.casefold() if field == "NAME" else None if extension is None else (len(extension), extension)
        rows.append((backend, counters[backend], value))
    rows.sort(key=lambda r: backends.index(r[0]))  # sorts are stable, also reversed: ties keep this order
    present = sorted((r for r in rows if r[2] is not None), key=lambda r: (r[2], r[1]), reverse=descending)
    missing = sorted((r for r in rows if r[2] is None), key=lambda r: r[1], reverse=descending)
    ordered = present + missing
    return [(b, str(n)) for b, n, _ in ordered]


async def walk(client: GraphQLTestClient, first: int, **variables: object) -> list[tuple[str, str]]:
    seen: list[tuple[str, str]] = []
    after = None
    while True:
        connection = (await client.data(PAGE, {"first": first, "after": after, **variables}))["users"]
        assert connection["pageInfo"]["hasPreviousPage"] is (after is not None)
        assert len(connection["edges"]) <= first
        seen += [(e["node"]["backend"], e["node"]["nativeId"]) for e in connection["edges"]]
        assert len(seen) <= len(PEOPLE)
        if not connection["pageInfo"]["hasNextPage"]:
            return seen
        after = connection["pageInfo"]["endCursor"]


@pytest.mark.parametrize("field", ["NAME", "EXTENSION"])
@pytest.mark.parametrize("direction", ["ASC", "DESC"])
async def test_the_merged_listing_follows_the_one_ordering(
    client: GraphQLTestClient, field: str, direction: str
) -> None:
    order = {"field": field, "direction": direction}
    want = expected(field, direction == "DESC")
    whole = (await client.data(PAGE, {"first": 50, "order": order}))["users"]
    assert whole["totalCount"] == len(PEOPLE)
    assert [(e["node"]["backend"], e["node"]["nativeId"]) for e in whole["edges"]] == want
    assert await walk(client, 1, order=order) == want
    assert await walk(client, 4, order=order) == want


async def test_backends_named_in_another_order_tie_in_that_order(client: GraphQLTestClient) -> None:
    order = {"field": "NAME", "direction": "DESC"}
    data = await client.data(PAGE, {"first": 50, "order": order, "backends": ["west", "east"]})
    got = [(e["node"]["backend"], e["node"]["nativeId"]) for e in data["users"]["edges"]]
    assert got == expected("NAME", True, ("west", "east"))
    assert got != expected("NAME", True)


async def test_a_first_of_zero_gives_the_count_and_no_edges(client: GraphQLTestClient) -> None:
    data = (await client.data(PAGE, {"first": 0}))["users"]
    assert data["edges"] == [] and data["totalCount"] == len(PEOPLE)
    assert data["pageInfo"]["hasNextPage"] is True and data["pageInfo"]["hasPreviousPage"] is False
    for first in (-1, 501):
        body = await client.execute(PAGE, {"first": first})
        assert error_codes(body) == ["BAD_USER_INPUT"]
        assert body["errors"][0]["extensions"]["field"] == "first"
        assert body["errors"][0]["message"] == f"first: must be between 0 and 500, got {first}"


@pytest.mark.parametrize(
    "other",
    [
        {"order": {"field": "EXTENSION", "direction": "ASC"}},
        {"order": {"field": "NAME", "direction": "DESC"}},
        {"filter": {"search": "an"}},
        {"filter": {"extension": "30"}},
        {"backends": ["west", "east"]},
        {"backends": ["east"]},
    ],
)
async def test_a_cursor_continues_only_the_listing_it_came_from(client: GraphQLTestClient, other: dict) -> None:
    cursor = (await client.data(PAGE, {"first": 2}))["users"]["pageInfo"]["endCursor"]
    same = await client.data(PAGE, {"first": 2, "after": cursor})
    assert len(same["users"]["edges"]) == 2
    body = await client.execute(PAGE, {"first": 2, "after": cursor, **other})
    assert error_codes(body) == ["BAD_USER_INPUT"], other
    assert body["errors"][0]["extensions"]["field"] == "after"
    assert body["errors"][0]["message"] == (
        "after: the cursor belongs to a listing with other backends, filter or order"
    )
    groups = await client.execute("query($a: String) { groups(first: 2, after: $a) { totalCount } }", {"a": cursor})
    assert error_codes(groups) == ["BAD_USER_INPUT"]


async def test_a_listing_whose_every_backend_failed_has_no_total(tmp_path: Path) -> None:
    config = Config(backends=(vendor_down("era"),))
    async with GraphQLTestClient.running(config) as client:
        body = await client.execute(PAGE, {"first": 5})
    assert body["data"]["users"]["totalCount"] is None and body["data"]["users"]["edges"] == []
    assert [(e["extensions"]["code"], e["extensions"]["backend"]) for e in body["errors"]] == [
        ("BACKEND_UNAVAILABLE", "era-down")
    ]


async def test_the_filter_reaches_every_backend_of_a_merged_listing(client: GraphQLTestClient) -> None:
    data = await client.data(PAGE, {"first": 50, "filter": {"search": "ANNA"}})
    got = [(e["node"]["backend"], e["node"]["nativeId"]) for e in data["users"]["edges"]]
    assert got == [
        (b, n)
        for b, n in expected("NAME", False)
        if "anna" in next(p[2] for p in _numbered() if p[:2] == (b, n)).casefold()
    ]
    assert data["users"]["totalCount"] == 3
    data = await client.data(PAGE, {"first": 50, "filter": {"extension": "30"}})
    assert sorted((e["node"]["backend"], e["node"]["nativeId"]) for e in data["users"]["edges"]) == [
        ("east", "1"),
        ("west", "5"),
    ]


def _numbered() -> list[tuple[str, str, str]]:
    """(backend, native id, display name) of every person."""
    counters: dict[str, int] = {}
    rows = []
    for backend, _, display, _ in PEOPLE:
        counters[backend] = counters.get(backend, 0) + 1
        rows.append((backend, str(counters[backend]), display))
    return rows


async def test_a_backend_that_cannot_list_a_kind_says_so_and_the_others_answer(tmp_path: Path) -> None:
    from pbxgraph.config import BackendConfig
    from pbxgraph.emulators.infinity import create_emulator, demo_backend

    emulator = create_emulator()
    options = {k: v for k, v in demo_backend("http://inf.test").items() if k != "vendor"}
    config = Config(
        backends=(
            local("east", tmp_path / "east.sqlite3"),
            BackendConfig(name="inf", vendor="infinity", options=options),
        )
    )
    async with GraphQLTestClient.running(config, transports={"inf": emulator.transport()}) as running:
        emulator.recorder.clear()
        body = await running.execute("{ trunks(first: 50) { totalCount nodes { backend } } }")
    trunks = body["data"]["trunks"]
    assert trunks["nodes"] and {n["backend"] for n in trunks["nodes"]} == {"east"}
    assert trunks["totalCount"] == len(trunks["nodes"])
    (error,) = body["errors"]
    assert error["extensions"] == {"code": "NOT_SUPPORTED", "backend": "inf"}
    assert error["message"] == "backend 'inf' does not support listing of trunks"
    assert emulator.recorder.count() == 0

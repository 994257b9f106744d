"""Paging through an aggregated listing: nothing lost, nothing repeated."""

from __future__ import annotations

import pytest

from pbxgraph.testing.graphql import GraphQLTestClient, error_codes

PAGE = """
query($first: Int!, $after: String, $order: OrderBy, $backends: [String!]) {
  users(first: $first, after: $after, orderBy: $order, backends: $backends) {
    totalCount
    edges { cursor node { id backend extension displayName } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""


async def walk(client: GraphQLTestClient, first: int, **variables: object) -> list[dict]:
    seen: list[dict] = []
    after = None
    pages = 0
    while True:
        data = await client.data(PAGE, {"first": first, "after": after, **variables})
        connection = data["users"]
        assert len(connection["edges"]) <= first
        seen += [edge["node"] for edge in connection["edges"]]
        assert connection["pageInfo"]["hasPreviousPage"] is (after is not None)
        pages += 1
        assert pages < 100
        if not connection["pageInfo"]["hasNextPage"]:
            return seen
        after = connection["pageInfo"]["endCursor"]


@pytest.mark.parametrize(
    "order", [None, {"field": "EXTENSION", "direction": "DESC"}, {"field": "NAME", "direction": "ASC"}]
)
async def test_paging_with_first_7_across_two_backends_loses_and_repeats_nothing(
    client: GraphQLTestClient, order: dict | None
) -> None:
    everything = (await client.data(PAGE, {"first": 500, "order": order}))["users"]
    assert everything["totalCount"] == 64
    walked = await walk(client, 7, order=order)
    assert [n["id"] for n in walked] == [e["node"]["id"] for e in everything["edges"]]
    assert len({n["id"] for n in walked}) == 64
    assert {n["backend"] for n in walked} == {"east", "west"}


async def test_merged_order_interleaves_backends_by_extension(client: GraphQLTestClient) -> None:
    data = await client.data(PAGE, {"first": 6, "order": {"field": "EXTENSION", "direction": "ASC"}})
    nodes = [e["node"] for e in data["users"]["edges"]]
    assert [(n["extension"], n["backend"]) for n in nodes] == [
        ("201", "east"),
        ("201", "west"),
        ("202", "east"),
        ("202", "west"),
        ("203", "east"),
        ("203", "west"),
    ]


async def test_any_edge_cursor_resumes_right_after_that_edge(client: GraphQLTestClient) -> None:
    first = (await client.data(PAGE, {"first": 10}))["users"]["edges"]
    resumed = (await client.data(PAGE, {"first": 3, "after": first[4]["cursor"]}))["users"]["edges"]
    assert [e["node"]["id"] for e in resumed] == [e["node"]["id"] for e in first[5:8]]


async def test_backends_argument_restricts_the_listing(client: GraphQLTestClient) -> None:
    walked = await walk(client, 7, backends=["west"])
    assert len(walked) == 32 and {n["backend"] for n in walked} == {"west"}


async def test_a_cursor_from_another_listing_is_bad_input(client: GraphQLTestClient) -> None:
    cursor = (await client.data(PAGE, {"first": 2}))["users"]["pageInfo"]["endCursor"]
    body = await client.execute(PAGE, {"first": 2, "after": cursor, "backends": ["east"]})
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["extensions"]["field"] == "after"
    body = await client.execute(PAGE, {"first": 2, "after": "not-a-cursor"})
    assert error_codes(body) == ["BAD_USER_INPUT"]


async def test_first_out_of_range_is_bad_input(client: GraphQLTestClient) -> None:
    body = await client.execute(PAGE, {"first": 501})
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert "first" in body["errors"][0]["message"]

"""Amplification within the syntax limits: a request's cost, its nodes(ids:) and its answer size are capped.

A refused request answers one BAD_USER_INPUT error naming the limit and the
figure, and no vendor hears of it; ordinary queries are untouched.
"""

from __future__ import annotations

import pytest

from pbxgraph.config import ConfigError, LimitsConfig, parse_config
from pbxgraph.domain import Kind
from pbxgraph.ids import encode_id
from pbxgraph.testing.graphql import error_codes
from tests.trust.conftest import VENDORS, Running, Vendors

README_QUERY = """{
  backends { name vendor health { status } }
  users(first: 5, filter: { search: "an" }) {
    totalCount
    edges {
      node { id backend displayName extension groups { name } devices { mac model } }
    }
    pageInfo { hasNextPage endCursor }
  }
}"""


def vendor_calls(vendors: Vendors) -> int:
    return sum(vendors[v].recorder.count() for v in VENDORS)


def refused(body: dict, limit: str) -> dict:
    assert "data" not in body
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT" and error["extensions"]["limit"] == limit
    assert f"limits.{limit}" in error["message"]
    return error


@pytest.fixture
def all_vendors(vendors: Vendors) -> tuple:
    return tuple(vendors.backend(v) for v in VENDORS)


async def test_fifty_aliased_listings_are_refused_before_any_vendor_call(
    vendors: Vendors, running: Running, all_vendors: tuple
) -> None:
    query = "{ " + " ".join(f"a{i}: users(first: 500) {{ nodes {{ id displayName raw }} }}" for i in range(50)) + " }"
    async with running(*all_vendors) as client:
        body = await client.execute(query)
    error = refused(body, "max_cost")
    assert error["extensions"]["cost"] > error["extensions"]["max"] == 50_000
    assert str(error["extensions"]["cost"]) in error["message"]
    assert vendor_calls(vendors) == 0


async def test_fifty_aliased_directory_look_ups_are_refused_before_any_vendor_call(
    vendors: Vendors, running: Running, all_vendors: tuple
) -> None:
    query = (
        "{ "
        + " ".join(f'd{i}: directory(number: "2{i:02d}") {{ entries {{ backend kind }} }}' for i in range(50))
        + " }"
    )
    async with running(*all_vendors) as client:
        body = await client.execute(query)
    refused(body, "max_cost")
    assert vendor_calls(vendors) == 0


async def test_the_cost_follows_variables_fragments_and_the_backends_asked(
    vendors: Vendors, running: Running, all_vendors: tuple
) -> None:
    query = (
        "query($n: Int!, $b: [String!]) { "
        + " ".join(f"a{i}: users(first: $n, backends: $b) {{ ...row }}" for i in range(20))
        + " } fragment row on UserConnection { nodes { id groups { name } devices { mac } } }"
    )
    async with running(*all_vendors) as client:
        over = await client.execute(query, {"n": 500, "b": None})
        assert vendor_calls(vendors) == 0
        small = await client.execute(query, {"n": 2, "b": None})
        one_backend = await client.execute(query, {"n": 40, "b": ["era"]})
    refused(over, "max_cost")
    assert "errors" not in small and len(small["data"]["a0"]["nodes"]) == 2
    assert "errors" not in one_backend and {len(one_backend["data"][f"a{i}"]["nodes"]) for i in range(20)} != {0}


async def test_nodes_takes_at_most_max_node_ids_ids(vendors: Vendors, running: Running) -> None:
    ids = [encode_id(Kind.USER, "sipxcom", str(90_000 + i)) for i in range(101)]
    async with running(vendors.backend("sipxcom")) as client:
        body = await client.execute("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": ids})
        assert vendor_calls(vendors) == 0
        fine = await client.execute("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": ids[:3]})
    error = refused(body, "max_node_ids")
    assert error["extensions"]["got"] == 101 and error["extensions"]["max"] == 100
    assert fine["data"]["nodes"] == [None, None, None]


async def test_a_query_whose_answer_is_too_big_is_refused_but_a_mutation_keeps_its_answer(
    vendors: Vendors, running: Running
) -> None:
    async with running(vendors.backend("era"), limits=LimitsConfig(max_response_bytes=2_000)) as client:
        big = await client.execute("{ users(first: 500) { nodes { id username raw } } }")
        small = await client.execute("{ users(first: 1) { nodes { username } } }")
        created = await client.execute(
            'mutation { createUser(backend: "era", input: {username: "big.answer", '
            'extension: "7703", sipPassword: "Pw-1234567"}) { id username raw } }'
        )
    error = refused(big, "max_response_bytes")
    assert error["extensions"]["size"] > 2_000
    assert "errors" not in small
    assert "errors" not in created and created["data"]["createUser"]["username"] == "big.answer"


async def test_ordinary_queries_stay_well_within_the_default_limits(
    vendors: Vendors, running: Running, all_vendors: tuple
) -> None:
    async with running(*all_vendors) as client:
        readme = await client.data(README_QUERY)
        admin_page = await client.data(
            "{ users(first: 500) { totalCount nodes { id displayName extension "
            "groups { name } devices { mac model } } } }"
        )
    assert {b["name"] for b in readme["backends"]} == set(VENDORS)
    assert len(admin_page["users"]["nodes"]) == admin_page["users"]["totalCount"] > 0


def test_limits_are_configured_with_keys_that_name_themselves() -> None:
    backends = [{"name": "office", "vendor": "local"}]
    limits = parse_config(
        {"backends": backends, "limits": {"max_cost": 1000, "max_node_ids": 10, "max_response_bytes": 65536}}
    ).limits
    assert (limits.max_cost, limits.max_node_ids, limits.max_response_bytes) == (1000, 10, 65536)
    assert parse_config({"backends": backends}).limits == LimitsConfig()
    with pytest.raises(ConfigError, match=r"limits\.max_cost"):
        parse_config({"backends": backends, "limits": {"max_cost": 0}})
    with pytest.raises(ConfigError, match=r"limits\.max_costs: unknown key"):
        parse_config({"backends": backends, "limits": {"max_costs": 10}})


async def test_a_smaller_max_cost_refuses_what_the_default_allows(vendors: Vendors, running: Running) -> None:
    async with running(vendors.backend("era"), limits=LimitsConfig(max_cost=500)) as client:
        body = await client.execute("{ users(first: 500) { nodes { id } } }")
    assert error_codes(body) == ["BAD_USER_INPUT"] and body["errors"][0]["extensions"]["cost"] > 500
    assert vendor_calls(vendors) == 0


async def test_a_variable_left_out_counts_as_the_arguments_default(vendors: Vendors, running: Running) -> None:
    async with running(vendors.backend("era"), limits=LimitsConfig(max_cost=199)) as client:
        body = await client.execute("query($n: Int) { users(first: $n) { nodes { id } } }")
    # first defaults to 50: 50 items and one listing call (150) make 200.
    assert error_codes(body) == ["BAD_USER_INPUT"] and body["errors"][0]["extensions"]["cost"] == 200
    assert vendor_calls(vendors) == 0

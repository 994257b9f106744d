"""GraphQL over HTTP: media types and their statuses, no ``data`` unless executed, methods, GraphiQL links."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from pbxgraph.config import ApiToken, AuthConfig, Config, ServerConfig
from pbxgraph.connectors.registry import build_connector
from pbxgraph.testing.graphql import GraphQLTestClient
from pbxgraph.testing.spy import SpyConnector, spied
from tests.ecosystem.conftest import local

GR = "application/graphql-response+json"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
TOKEN = "an-api-token-for-the-tests"


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[tuple[GraphQLTestClient, SpyConnector]]:
    configs = [local("east", tmp_path / "east.sqlite3")]
    spies, backends = spied([build_connector(c) for c in configs], configs)
    async with GraphQLTestClient.running(Config(backends=tuple(configs)), backends=backends) as client:
        yield client, spies[0]


async def post(client: GraphQLTestClient, body: object, accept: str | None) -> tuple[int, str, dict[str, object]]:
    headers = {"Accept": accept} if accept is not None else {}
    response = await client.http.post("/graphql", json=body, headers=headers)
    return response.status_code, response.headers["content-type"], response.json()


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        (GR, GR),
        ("application/json", "application/json"),
        ("*/*", "application/json"),
        (None, "application/json"),
        (f"{GR}, application/json", GR),  # graphql-request's header: the new type named first and alike
        (f"{GR};q=0.5, application/json", "application/json"),
        ("application/*", "application/json"),
    ],
)
async def test_the_response_takes_the_media_type_the_client_prefers(
    served: tuple[GraphQLTestClient, SpyConnector], accept: str | None, media: str
) -> None:
    client, _ = served
    status, content_type, body = await post(client, {"query": "{ __typename }"}, accept)
    assert (status, content_type.split(";")[0], body) == (200, media, {"data": {"__typename": "Query"}})
    assert "charset=utf-8" in content_type


async def test_an_accept_header_naming_neither_type_is_406(served: tuple[GraphQLTestClient, SpyConnector]) -> None:
    client, _ = served
    status, content_type, body = await post(client, {"query": "{ __typename }"}, "text/plain")
    assert status == 406 and content_type.startswith("application/json") and "data" not in body
    assert GR in body["errors"][0]["message"]  # type: ignore[index]


REQUEST_ERRORS = {
    "a document that does not parse": {"query": "{"},
    "a document that does not validate": {"query": "{ noSuchField }"},
    "variables that do not coerce": {"query": "query($id: ID!) { node(id: $id) { id } }", "variables": {"id": None}},
    "an unknown operation name": {"query": "query A { __typename }", "operationName": "B"},
    "several operations and no name": {"query": "query A { __typename } query B { __typename }"},
}


@pytest.mark.parametrize("what", REQUEST_ERRORS)
async def test_a_request_that_is_not_executed_has_no_data_and_is_400_with_the_new_type(
    served: tuple[GraphQLTestClient, SpyConnector], what: str
) -> None:
    client, spy = served
    spy.reset()
    status, _, body = await post(client, REQUEST_ERRORS[what], GR)
    assert status == 400 and "data" not in body, what
    assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"] * len(body["errors"])  # type: ignore[index, union-attr, attr-defined]
    status, _, legacy = await post(client, REQUEST_ERRORS[what], "application/json")
    assert status == 200 and "data" not in legacy, what
    assert legacy["errors"] == body["errors"]
    assert spy.total_calls == 0


async def test_a_field_error_keeps_data_and_200_with_the_new_type(
    served: tuple[GraphQLTestClient, SpyConnector],
) -> None:
    client, _ = served
    status, _, body = await post(client, {"query": '{ node(id: "not-an-id") { id } backends { name } }'}, GR)
    assert status == 200
    assert body["data"] == {"node": None, "backends": [{"name": "east"}]}
    assert body["errors"][0]["path"] == ["node"]  # type: ignore[index]


async def test_get_runs_queries_and_refuses_mutations_with_405(served: tuple[GraphQLTestClient, SpyConnector]) -> None:
    client, spy = served
    spy.reset()
    query = await client.http.get(
        "/graphql", params={"query": "{ users(first: 1) { totalCount } }"}, headers={"Accept": GR}
    )
    assert query.status_code == 200 and query.json()["data"]["users"]["totalCount"] > 0
    calls = spy.total_calls
    mutation = await client.http.get(
        "/graphql", params={"query": 'mutation { deleteUser(id: "x") { deletedId } }'}, headers={"Accept": GR}
    )
    assert mutation.status_code == 405 and mutation.headers["allow"] == "POST" and "data" not in mutation.json()
    assert spy.total_calls == calls


async def test_head_answers_like_get_without_a_body(served: tuple[GraphQLTestClient, SpyConnector]) -> None:
    client, _ = served
    params = {"query": "{ __typename }"}
    get = await client.http.get("/graphql", params=params)
    head = await client.http.head("/graphql", params=params)
    assert head.status_code == get.status_code == 200 and head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]
    assert head.headers["content-length"] == get.headers["content-length"] == str(len(get.content))
    page = await client.http.head("/graphql", headers={"Accept": BROWSER})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "OPTIONS"])
async def test_other_methods_are_405_with_allow(served: tuple[GraphQLTestClient, SpyConnector], method: str) -> None:
    client, _ = served
    response = await client.http.request(method, "/graphql", headers={"Accept": GR})
    assert response.status_code == 405 and response.headers["allow"] == "GET, HEAD, POST"
    assert "data" not in response.json() and response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_a_browser_gets_graphiql_even_with_a_query_and_a_client_gets_json(
    served: tuple[GraphQLTestClient, SpyConnector],
) -> None:
    client, spy = served
    spy.reset()
    params = {"query": "{ users(first: 2) { totalCount } }", "variables": "{}", "operationName": ""}
    page = await client.http.get("/graphql", params=params, headers={"Accept": BROWSER})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "totalCount" not in page.text  # the page fills its editors from the address itself
    assert spy.total_calls == 0
    for accept in ("*/*", "application/json, text/html", GR):
        answer = await client.http.get("/graphql", params=params, headers={"Accept": accept})
        assert answer.json()["data"]["users"]["totalCount"] > 0, accept


async def test_the_page_has_a_favicon_and_copy_link_and_reads_the_address(
    served: tuple[GraphQLTestClient, SpyConnector],
) -> None:
    client, _ = served
    page = await client.http.get("/graphql", headers={"Accept": BROWSER})
    icon = re.search(r'<link rel="icon" type="image/svg\+xml" href="([^"]+)">', page.text)
    assert icon is not None
    svg = await client.http.get(icon.group(1))
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    ico = await client.http.get("/favicon.ico")
    assert ico.status_code == 200 and ico.headers["content-type"] == "image/x-icon"
    assert ico.content[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert 'data-auth="none"' in page.text
    init = (await client.http.get("/static/graphiql/init.js")).text
    assert 'params.get("query")' in init and 'params.get("variables")' in init
    assert 'params.get("operationName")' in init and "copy-link" in init


async def test_with_tokens_the_page_needs_none_and_starts_with_a_bearer_header_but_data_does(tmp_path: Path) -> None:
    auth = AuthConfig(tokens=(ApiToken("ops", TOKEN),))
    for profile in ("development", "production"):
        config = Config(
            backends=(local("east", tmp_path / f"{profile}.sqlite3"),), auth=auth, server=ServerConfig(profile=profile)
        )
        async with GraphQLTestClient.running(config) as client:
            params = {"query": "{ users(first: 1) { totalCount } }"}
            page = await client.http.get("/graphql", params=params, headers={"Accept": BROWSER})
            if profile == "development":
                assert page.status_code == 200 and 'data-auth="bearer"' in page.text
            else:  # no GraphiQL in production: the browser's request is a query like any other
                assert page.status_code == 401 and "data" not in page.json()
            for accept in (GR, "application/json"):
                refused = await client.http.get("/graphql", params=params, headers={"Accept": accept})
                assert refused.status_code == 401 and refused.headers["content-type"].startswith(accept)
                assert refused.headers["www-authenticate"] == "Bearer" and "data" not in refused.json()
            allowed = await client.http.get(
                "/graphql", params=params, headers={"Accept": GR, "Authorization": f"Bearer {TOKEN}"}
            )
            assert allowed.status_code == 200 and allowed.json()["data"]["users"]["totalCount"] > 0

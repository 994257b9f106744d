"""The production profile: no introspection, GraphiQL or suggestions; internal errors masked; digests."""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import AsyncIterator
from pathlib import Path

from pbxgraph.config import ApiToken, AuthConfig, Config, ServerConfig
from pbxgraph.connectors.registry import build_connector
from pbxgraph.testing.graphql import GraphQLTestClient, error_codes
from pbxgraph.testing.spy import SpyConnector, spied
from tests.core.conftest import local

TOKEN = "an-admin-token-kept-in-a-vault"


@contextlib.asynccontextmanager
async def running(tmp_path: Path, profile: str) -> AsyncIterator[tuple[GraphQLTestClient, SpyConnector]]:
    configs = [local("east", tmp_path / f"{profile}.sqlite3")]
    auth = AuthConfig(tokens=(ApiToken("ops", token_sha256=hashlib.sha256(TOKEN.encode()).hexdigest()),))
    config = Config(backends=tuple(configs), server=ServerConfig(profile=profile), auth=auth)
    spies, backends = spied([build_connector(c) for c in configs], configs)
    async with GraphQLTestClient.running(
        config, backends=backends, headers={"Authorization": f"Bearer {TOKEN}"}
    ) as client:
        yield client, spies[0]


INTROSPECTION = "{ __schema { queryType { name } } }"


async def test_introspection_graphiql_and_suggestions_are_off_in_production(tmp_path: Path) -> None:
    async with running(tmp_path, "production") as (client, _):
        body = await client.execute(INTROSPECTION)
        assert "data" not in body and set(error_codes(body)) == {"BAD_USER_INPUT"}  # refused before execution
        assert body["errors"][0]["message"].startswith("GraphQL introspection has been disabled")
        body = await client.execute("{ nod(id: 1) { id } }")
        assert body["errors"][0]["message"] == "Cannot query field 'nod' on type 'Query'."
        body = await client.execute("{ users(orderBy: {field: NAM}) { totalCount } }")
        assert "Did you mean" not in body["errors"][0]["message"] and error_codes(body) == ["BAD_USER_INPUT"]
        page = await client.http.get("/graphql", headers={"Accept": "text/html"})
        assert page.status_code != 200 and "graphiql" not in page.text.lower()
        assert (await client.data("{ backends { name } }")) == {"backends": [{"name": "east"}]}


async def test_development_keeps_them(tmp_path: Path) -> None:
    async with running(tmp_path, "development") as (client, _):
        assert (await client.data(INTROSPECTION)) == {"__schema": {"queryType": {"name": "Query"}}}
        body = await client.execute("{ nod(id: 1) { id } }")
        assert "Did you mean 'node' or 'nodes'?" in body["errors"][0]["message"]
        page = await client.http.get("/graphql", headers={"Accept": "text/html"})
        assert page.status_code == 200 and "graphiql" in page.text.lower()


async def test_internal_errors_are_masked_in_production(tmp_path: Path) -> None:
    for profile, message, extensions in (
        (
            "development",
            "backend 'east' failed unexpectedly; see the server log",
            {"code": "INTERNAL_SERVER_ERROR", "backend": "east"},
        ),
        ("production", "Internal server error", {"code": "INTERNAL_SERVER_ERROR"}),
    ):
        async with running(tmp_path, profile) as (client, spy):
            spy.behaviour.failures["user.page"] = RuntimeError("password=hunter2 in a bug's message")
            body = await client.execute("{ users(first: 1) { totalCount } }")
            (error,) = body["errors"]
            assert (error["message"], error["extensions"]) == (message, extensions), profile
            assert "hunter2" not in str(body)


async def test_a_token_stored_as_a_digest_is_accepted_and_the_digest_is_not_a_token(tmp_path: Path) -> None:
    async with running(tmp_path, "production") as (client, _):
        assert (await client.data("{ backends { name } }"))["backends"] == [{"name": "east"}]
        digest = hashlib.sha256(TOKEN.encode()).hexdigest()
        body = await client.execute("{ backends { name } }", headers={"Authorization": f"Bearer {digest}"})
        assert error_codes(body) == ["UNAUTHENTICATED"]

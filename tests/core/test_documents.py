"""Documents are parsed and validated once per text, and every limit still applies on every request."""

from __future__ import annotations

import json
from pathlib import Path

from pbxgraph.config import Config, ServerConfig
from pbxgraph.testing.graphql import GraphQLTestClient, error_codes
from tests.core.conftest import local

DEEP = "{ users(first: 1) { edges { node { " + "groups { members { user { " * 6 + "id" + " } } }" * 6 + " } } } }"
ALIASES = "{ " + " ".join(f"a{n}: backends {{ name }}" for n in range(51)) + " }"
TOKENS = "{ " + " ".join("backends { name }" for _ in range(1300)) + " }"
INTROSPECTION = "{ __schema { queryType { name } } }"


def config(tmp_path: Path, profile: str = "development") -> Config:
    return Config(backends=(local("east", tmp_path / f"{profile}.sqlite3"),), server=ServerConfig(profile=profile))


async def test_every_limit_refuses_the_same_document_every_time(tmp_path: Path) -> None:
    async with GraphQLTestClient.running(config(tmp_path)) as client:
        for query, words in ((DEEP, "depth"), (ALIASES, "aliases"), (TOKENS, "token")):
            answers = [await client.execute(query) for _ in range(3)]
            for body in answers:
                assert "data" not in body and error_codes(body) == ["BAD_USER_INPUT"], query[:40]
                assert words in body["errors"][0]["message"].lower()
            assert answers[0] == answers[1] == answers[2]


async def test_an_invalid_document_stays_invalid_and_a_valid_one_runs(tmp_path: Path) -> None:
    async with GraphQLTestClient.running(config(tmp_path)) as client:
        for _ in range(2):
            body = await client.execute("{ users { nope } }")
            assert "data" not in body and error_codes(body) == ["BAD_USER_INPUT"]
            assert body["errors"][0]["message"].startswith("Cannot query field 'nope' on type 'UserConnection'.")
            body = await client.execute("{ users( }")
            assert "data" not in body and error_codes(body) == ["BAD_USER_INPUT"]
            assert (await client.data("{ backends { name } }")) == {"backends": [{"name": "east"}]}


async def test_the_same_text_is_validated_by_each_schema_s_own_rules(tmp_path: Path) -> None:
    async with (
        GraphQLTestClient.running(config(tmp_path)) as development,
        GraphQLTestClient.running(config(tmp_path, "production")) as production,
    ):
        for _ in range(2):
            assert (await development.data(INTROSPECTION)) == {"__schema": {"queryType": {"name": "Query"}}}
            body = await production.execute(INTROSPECTION)
            assert "data" not in body and set(error_codes(body)) == {"BAD_USER_INPUT"}
            assert body["errors"][0]["message"].startswith("GraphQL introspection has been disabled")


async def test_a_response_with_data_and_errors_is_one_json_document(tmp_path: Path) -> None:
    async with GraphQLTestClient.running(config(tmp_path)) as client:
        query = '{ backends { name } node(id: "not-an-id") { id } }'
        response = await client.http.post("/graphql", json={"query": query})
        body = json.loads(response.content)
        assert list(body) == ["data", "errors"]
        assert body["data"] == {"backends": [{"name": "east"}], "node": None}
        assert error_codes(body) == ["BAD_USER_INPUT"]

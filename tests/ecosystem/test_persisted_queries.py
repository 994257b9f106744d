"""Automatic persisted queries (Apollo's protocol) and trusted documents (only registered operations run)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from pbxgraph.cli import main
from pbxgraph.config import Config, ConfigError
from pbxgraph.connectors.registry import build_connector
from pbxgraph.testing.graphql import GraphQLTestClient
from pbxgraph.testing.spy import SpyConnector, spied
from tests.ecosystem.conftest import SCRIPTS, demo_config, run_node, serving

GR = "application/graphql-response+json"
USERS = "query Users($n: Int) { users(first: $n) { totalCount edges { node { username } } } }"
BACKENDS = "query Backends { backends { name } }"


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def persisted(digest: str, version: int = 1) -> dict[str, Any]:
    return {"persistedQuery": {"version": version, "sha256Hash": digest}}


async def started(config: Config) -> AsyncIterator[tuple[GraphQLTestClient, SpyConnector]]:
    spies, backends = spied([build_connector(c) for c in config.backends], list(config.backends))
    async with GraphQLTestClient.running(config, backends=backends) as client:
        yield client, spies[0]


@pytest.fixture
async def apq(tmp_path: Path) -> AsyncIterator[tuple[GraphQLTestClient, SpyConnector]]:
    async for served in started(demo_config(tmp_path)):
        yield served


async def test_a_hash_the_server_never_saw_is_persisted_query_not_found(
    apq: tuple[GraphQLTestClient, SpyConnector],
) -> None:
    client, spy = apq
    spy.reset()
    for accept, status in (("application/json", 200), (GR, 404)):
        response = await client.http.post(
            "/graphql", json={"extensions": persisted(sha(USERS))}, headers={"Accept": accept}
        )
        assert response.status_code == status, accept
        assert response.json() == {
            "errors": [{"message": "PersistedQueryNotFound", "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"}}]
        }
        assert "no-cache" in response.headers["cache-control"]
    assert spy.total_calls == 0


async def test_query_and_hash_register_it_then_the_hash_alone_runs_it_by_post_and_get(
    apq: tuple[GraphQLTestClient, SpyConnector],
) -> None:
    client, _ = apq
    digest = sha(USERS)
    first = await client.http.post(
        "/graphql", json={"query": USERS, "variables": {"n": 2}, "extensions": persisted(digest)}
    )
    assert first.status_code == 200 and first.json()["data"]["users"]["totalCount"] > 2
    by_post = await client.http.post("/graphql", json={"variables": {"n": 2}, "extensions": persisted(digest)})
    assert by_post.json() == first.json()
    by_get = await client.http.get(
        "/graphql",
        params={"extensions": json.dumps(persisted(digest)), "variables": '{"n": 2}', "operationName": "Users"},
        headers={"Accept": GR},
    )
    assert by_get.status_code == 200 and by_get.json() == first.json()


async def test_a_registered_mutation_still_needs_post(apq: tuple[GraphQLTestClient, SpyConnector]) -> None:
    client, spy = apq
    mutation = 'mutation { deleteUser(id: "eA") { deletedId } }'
    await client.http.post("/graphql", json={"query": mutation, "extensions": persisted(sha(mutation))})
    spy.reset()
    response = await client.http.get("/graphql", params={"extensions": json.dumps(persisted(sha(mutation)))})
    assert response.status_code == 405 and response.headers["allow"] == "POST"
    assert spy.total_calls == 0


async def test_a_query_that_does_not_validate_is_not_remembered(apq: tuple[GraphQLTestClient, SpyConnector]) -> None:
    client, _ = apq
    broken = "{ noSuchField }"
    first = await client.http.post("/graphql", json={"query": broken, "extensions": persisted(sha(broken))})
    assert first.status_code == 200 and first.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    again = await client.http.post("/graphql", json={"extensions": persisted(sha(broken))})
    assert again.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"


@pytest.mark.parametrize(
    ("extensions", "cause"),
    [
        (persisted(sha("{ other }")), "provided sha does not match query"),
        (persisted("abc"), "64 hexadecimal digits"),
        (persisted(sha(BACKENDS) + "\n"), "64 hexadecimal digits"),
        (persisted(sha(BACKENDS), version=2), "version' must be 1"),
        ({"persistedQuery": "yes"}, "must be an object"),
    ],
)
async def test_a_bad_persisted_query_extension_is_a_400_naming_the_cause(
    apq: tuple[GraphQLTestClient, SpyConnector], extensions: dict[str, Any], cause: str
) -> None:
    client, spy = apq
    spy.reset()
    response = await client.http.post("/graphql", json={"query": BACKENDS, "extensions": extensions})
    assert response.status_code == 400 and "data" not in response.json()
    (error,) = response.json()["errors"]
    assert cause in error["message"] and error["extensions"]["code"] == "BAD_USER_INPUT"
    assert spy.total_calls == 0


async def test_with_persisted_queries_off_a_hash_is_persisted_query_not_supported(tmp_path: Path) -> None:
    async for client, _ in started(demo_config(tmp_path, persisted_queries=False)):
        response = await client.http.post("/graphql", json={"extensions": persisted(sha(BACKENDS))})
        assert response.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_SUPPORTED"
        plain = await client.http.post("/graphql", json={"query": BACKENDS})
        assert plain.json() == {"data": {"backends": [{"name": "office"}]}}


def test_apollo_clients_persisted_query_link_registers_then_sends_hashes_by_get(tmp_path: Path) -> None:
    """Apollo Client's own link: a miss, the query sent once, then hashes alone over GET."""
    with serving(demo_config(tmp_path)) as (url, spies):
        result = run_node(SCRIPTS / "apollo_apq.mjs", f"{url}/graphql")
        calls = spies["office"].calls["user.page"]
    assert result.returncode == 0, result.stderr[-3000:]
    seen = json.loads(result.stdout)
    assert [(r["method"], r["hasQuery"], r["status"]) for r in seen["requests"]] == [
        ("GET", False, 404),  # first client: hash only -> PersistedQueryNotFound (it accepts the new type)
        ("POST", True, 200),  # the link sends the query with its hash: registered and run
        ("GET", False, 200),  # a second client: the hash alone now runs it
    ]
    assert seen["requests"][0]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert seen["results"][0] == seen["results"][1] and seen["results"][0]["users"]["totalCount"] > 0
    assert calls == 2  # the miss ran nothing


# --- trusted documents -----------------------------------------------------------------------------


def apollo_manifest(*bodies: str) -> dict[str, Any]:
    return {
        "format": "apollo-persisted-query-manifest",
        "version": 1,
        "operations": [{"id": sha(body), "name": body.split()[1], "type": "query", "body": body} for body in bodies],
    }


@pytest.fixture
async def trusted(tmp_path: Path) -> AsyncIterator[tuple[GraphQLTestClient, SpyConnector]]:
    manifest = tmp_path / "trusted-documents.json"
    manifest.write_text(json.dumps(apollo_manifest(USERS, BACKENDS)))
    async for served in started(demo_config(tmp_path, trusted_documents=str(manifest))):
        yield served


async def test_registered_documents_run_by_id_by_document_id_and_by_their_text(
    trusted: tuple[GraphQLTestClient, SpyConnector],
) -> None:
    client, _ = trusted
    expected = {"data": {"backends": [{"name": "office"}]}}
    by_hash = await client.http.post("/graphql", json={"extensions": persisted(sha(BACKENDS))})
    by_document_id = await client.http.post("/graphql", json={"documentId": f"sha256:{sha(BACKENDS)}"})
    by_get = await client.http.get("/graphql", params={"documentId": sha(BACKENDS)})
    by_text = await client.http.post("/graphql", json={"query": BACKENDS})
    for response in (by_hash, by_document_id, by_get, by_text):
        assert response.status_code == 200 and response.json() == expected


async def test_anything_else_is_refused_before_a_backend_is_asked(
    trusted: tuple[GraphQLTestClient, SpyConnector],
) -> None:
    client, spy = trusted
    spy.reset()
    free = await client.http.post(
        "/graphql", json={"query": "{ users(first: 500) { totalCount } }"}, headers={"Accept": GR}
    )
    assert free.status_code == 403 and "data" not in free.json()
    assert free.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_IN_LIST"
    unknown = await client.http.post("/graphql", json={"documentId": sha("{ __typename }")}, headers={"Accept": GR})
    assert unknown.status_code == 404
    assert unknown.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    registering = await client.http.post(
        "/graphql", json={"query": "{ __typename }", "extensions": persisted(sha("{ __typename }"))}
    )
    assert registering.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_IN_LIST"
    page = await client.http.get("/graphql", headers={"Accept": "text/html"})
    assert not page.headers["content-type"].startswith("text/html")  # GraphiQL's queries would be refused
    assert spy.total_calls == 0


async def test_the_flat_map_of_codegen_and_relay_is_read_too(tmp_path: Path) -> None:
    manifest = tmp_path / "persisted-documents.json"
    manifest.write_text(json.dumps({"b1": BACKENDS}))
    async for client, _ in started(demo_config(tmp_path, trusted_documents=str(manifest))):
        response = await client.http.post("/graphql", json={"documentId": "b1"})
        assert response.json() == {"data": {"backends": [{"name": "office"}]}}


@pytest.mark.parametrize(
    ("content", "cause"),
    [
        (None, "cannot read"),
        ("{not json", "is not JSON"),
        (json.dumps([BACKENDS]), "neither an Apollo persisted query manifest"),
        (json.dumps({}), "lists no documents"),
        (json.dumps({"a": "{ users { nope } }"}), "document 'a'"),
        (json.dumps({"a": "{ users"}), "does not parse"),
        (json.dumps({"format": "apollo-persisted-query-manifest", "version": 2, "operations": []}), "version 1"),
    ],
)
async def test_a_manifest_that_cannot_be_used_stops_the_start(tmp_path: Path, content: str | None, cause: str) -> None:
    manifest = tmp_path / "trusted.json"
    if content is not None:
        manifest.write_text(content)
    with pytest.raises(ConfigError) as raised:
        async for _ in started(demo_config(tmp_path, trusted_documents=str(manifest))):
            pass
    assert raised.value.key == "server.trusted_documents" and cause in str(raised.value)


def test_check_config_names_the_key_and_its_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    manifest = tmp_path / "trusted.json"
    manifest.write_text(json.dumps({"a": "{ nothing }"}))
    config = tmp_path / "pbxgraph.toml"
    config.write_text(
        f'[server]\ntrusted_documents = "{manifest}"\n\n[[backends]]\nname = "office"\nvendor = "local"\n'
    )
    assert main(["check-config", "--config", str(config)]) == 2
    error = capsys.readouterr().err
    assert f"{config}:2: server.trusted_documents: document 'a'" in error


def test_check_config_says_how_many_trusted_documents_it_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    manifest = tmp_path / "trusted.json"
    manifest.write_text(json.dumps(apollo_manifest(USERS, BACKENDS)))
    config = tmp_path / "pbxgraph.toml"
    config.write_text(
        f'[server]\ntrusted_documents = "{manifest}"\nfederation = true\nmax_batch = 0\n\n'
        '[[backends]]\nname = "office"\nvendor = "local"\n'
    )
    assert main(["check-config", "--config", str(config)]) == 0
    assert (
        f"  graphql: batches of up to 0 operations, automatic persisted queries on, trusted documents: 2 from "
        f"{manifest}, federation: on"
    ) in capsys.readouterr().out.splitlines()

"""CORS: a browser frontend on another origin may call the API, and only the origins configured."""

from __future__ import annotations

from pathlib import Path

from pbxgraph.config import ApiToken, AuthConfig, Config, ServerConfig
from pbxgraph.testing.graphql import GraphQLTestClient
from tests.core.conftest import local

APP = "https://app.example.com"
PREFLIGHT = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization, content-type"}
TOKEN = "reader-token-0123456789"


def config(tmp_path: Path, origins: tuple[str, ...]) -> Config:
    return Config(
        backends=(local("east", tmp_path / "east.sqlite3"),),
        server=ServerConfig(cors_origins=origins),
        auth=AuthConfig(tokens=(ApiToken("spa", TOKEN, "reader"),)),
    )


async def test_a_preflight_from_an_allowed_origin_then_the_call(tmp_path: Path) -> None:
    async with GraphQLTestClient.running(config(tmp_path, (APP,))) as client:
        preflight = await client.http.options("/graphql", headers={"Origin": APP, **PREFLIGHT})
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == APP
        assert preflight.headers["access-control-allow-credentials"] == "true"
        assert {"GET", "POST"} <= set(preflight.headers["access-control-allow-methods"].split(", "))
        assert {"authorization", "content-type"} <= {
            h.strip().lower() for h in preflight.headers["access-control-allow-headers"].split(",")
        }
        call = await client.http.post(
            "/graphql",
            json={"query": "{ backends { name } }"},
            headers={"Origin": APP, "Authorization": f"Bearer {TOKEN}"},
        )
        assert call.status_code == 200 and call.json() == {"data": {"backends": [{"name": "east"}]}}
        assert call.headers["access-control-allow-origin"] == APP
        assert "x-request-id" in call.headers["access-control-expose-headers"].lower()


async def test_other_origins_get_no_cors_answer(tmp_path: Path) -> None:
    async with GraphQLTestClient.running(config(tmp_path, (APP,))) as client:
        preflight = await client.http.options("/graphql", headers={"Origin": "https://evil.example", **PREFLIGHT})
        assert preflight.status_code == 400
        assert "access-control-allow-origin" not in preflight.headers
        call = await client.http.post(
            "/graphql",
            json={"query": "{ backends { name } }"},
            headers={"Origin": "https://evil.example", "Authorization": f"Bearer {TOKEN}"},
        )
        assert "access-control-allow-origin" not in call.headers


async def test_no_cors_by_default(tmp_path: Path) -> None:
    async with GraphQLTestClient.running(config(tmp_path, ())) as client:
        preflight = await client.http.options("/graphql", headers={"Origin": APP, **PREFLIGHT})
        assert preflight.status_code == 405 and "access-control-allow-origin" not in preflight.headers


async def test_any_origin_without_credentials(tmp_path: Path) -> None:
    async with GraphQLTestClient.running(config(tmp_path, ("*",))) as client:
        preflight = await client.http.options("/graphql", headers={"Origin": "https://any.example", **PREFLIGHT})
        assert preflight.status_code == 200 and preflight.headers["access-control-allow-origin"] == "*"
        assert "access-control-allow-credentials" not in preflight.headers

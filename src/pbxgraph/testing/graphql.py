"""Run the app in-process and talk GraphQL to it, lifespan included.

::

    async with GraphQLTestClient.running(config) as client:
        data = await client.data("{ users { totalCount } }")
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Mapping
from typing import Any

import httpx

from pbxgraph.app import create_app
from pbxgraph.config import Config
from pbxgraph.service import Backends


class GraphQLError(AssertionError):
    """A response that carried errors where the test expected none."""


class GraphQLTestClient:
    def __init__(self, http: httpx.AsyncClient, app: Any) -> None:
        self.http = http
        self.app = app

    @classmethod
    @contextlib.asynccontextmanager
    async def running(
        cls,
        config: Config,
        *,
        transports: Mapping[str, httpx.AsyncBaseTransport] | None = None,
        backends: Backends | None = None,
        headers: Mapping[str, str] | None = None,
        tracer_provider: Any = None,
    ) -> AsyncIterator[GraphQLTestClient]:
        app = create_app(config, transports=transports, backends=backends, tracer_provider=tracer_provider)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://pbxgraph.test", headers=dict(headers or {})
            ) as http:
                yield cls(http, app)

    @property
    def service(self) -> Any:
        return self.app.state.service

    async def execute(
        self, query: str, variables: Mapping[str, Any] | None = None, headers: Mapping[str, str] | None = None
    ) -> dict[str, Any]:
        """The whole response body: ``data`` and, where any, ``errors``."""
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": dict(variables or {})}, headers=dict(headers or {})
        )
        body: dict[str, Any] = response.json()
        return body

    async def data(self, query: str, variables: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """``data`` of a response that must have no errors."""
        body = await self.execute(query, variables)
        if body.get("errors"):
            raise GraphQLError(f"unexpected errors: {body['errors']}")
        result: dict[str, Any] = body["data"]
        return result


def error_codes(body: Mapping[str, Any]) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in body.get("errors") or []]

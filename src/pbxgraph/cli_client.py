"""The CLI's GraphQL client: one code path, to a remote pbxgraph or to the app built in this process.

``pbxgraph apply`` and ``pbxgraph export`` speak GraphQL, whatever they talk
to: with ``--url`` a running pbxgraph over HTTP (``--token`` or
``$PBXGRAPH_TOKEN`` sent as the bearer token); otherwise the app of
``--config`` (or ``$PBXGRAPH_CONFIG``, or with neither the embedded demo),
started in this process with its lifespan and reached through httpx's ASGI
transport. Either way the requests, the token gate, the limits and the
answers are the server's own.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from pbxgraph.config import CONFIG_ENV, Config, ConfigError, load_config

TOKEN_ENV = "PBXGRAPH_TOKEN"  # noqa: S105 - the name of a variable, not a token
#: Seconds a request may take: a large batch is planned and applied in one request.
TIMEOUT_S = 600.0


class ClientError(Exception):
    """The server could not be asked, or refused the request itself: one line for the operator."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


@dataclass
class Client:
    http: httpx.AsyncClient
    path: str

    async def execute(self, query: str, variables: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The whole answer (``data`` and ``errors``); ClientError when there is no GraphQL answer."""
        try:
            response = await self.http.post(self.path, json={"query": query, "variables": dict(variables or {})})
        except httpx.HTTPError as error:
            raise ClientError(f"cannot reach pbxgraph at {self.http.base_url}: {error}") from None
        try:
            body = response.json()
        except ValueError:
            raise ClientError(f"pbxgraph answered {response.status_code} without a GraphQL answer") from None
        if not isinstance(body, dict):
            raise ClientError(f"pbxgraph answered {response.status_code} with a batch, not one answer")
        if response.status_code == 401:
            raise ClientError(_first_error(body) or "the API token is not valid (--token or $PBXGRAPH_TOKEN)")
        return body


def _first_error(body: Mapping[str, Any]) -> str | None:
    errors = body.get("errors") or []
    return str(errors[0].get("message")) if errors and isinstance(errors[0], dict) else None


def _headers(token: str | None) -> dict[str, str]:
    token = token or os.environ.get(TOKEN_ENV)
    return {"Authorization": f"Bearer {token}"} if token else {}


def _endpoint(url: str) -> tuple[str, str]:
    """The base URL and path of the GraphQL endpoint: ``/graphql`` unless the URL names a path."""
    parts = httpx.URL(url)
    if parts.scheme not in ("http", "https") or not parts.host:
        raise ClientError(f"--url: {url!r} is not an http(s) URL", code=2)
    path = parts.path if parts.path not in ("", "/") else "/graphql"
    return str(parts.copy_with(path="/", query=None, fragment=None)), path


@contextlib.asynccontextmanager
async def connect(
    *, url: str | None = None, token: str | None = None, config: str | None = None
) -> AsyncIterator[Client]:
    """A client of the remote pbxgraph at ``url``, or of the configured (or demo) app in this process."""
    headers = _headers(token)
    timeout = httpx.Timeout(TIMEOUT_S, connect=10.0)
    if url is not None:
        base, path = _endpoint(url)
        async with httpx.AsyncClient(base_url=base, headers=headers, timeout=timeout) as http:
            yield Client(http, path)
        return
    async with _local_app(config) as app:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://pbxgraph.local", headers=headers, timeout=timeout
        ) as http:
            yield Client(http, "/graphql")


@contextlib.asynccontextmanager
async def _local_app(path: str | None) -> AsyncIterator[Any]:
    from pbxgraph.app import create_app

    path = path or os.environ.get(CONFIG_ENV)
    demo = None
    try:
        if path:
            loaded = load_config(path)
        else:
            from pbxgraph.demo import DemoEnvironment

            demo = DemoEnvironment.start()
            loaded = demo.config
        app = _built(create_app, loaded)
        async with app.router.lifespan_context(app):
            yield app
    except ConfigError as error:
        raise ClientError(f"configuration error: {error.describe()}", code=2) from None
    finally:
        if demo is not None:
            demo.stop()


def _built(create_app: Any, config: Config) -> Any:
    try:
        return create_app(config)
    except ConfigError as error:
        raise ClientError(f"configuration error: {config.locate(error).describe()}", code=2) from None


def written(text: str, output: str | None, what: str) -> int:
    """Put an export's ``text`` in the file ``output`` (saying how many ``what`` it holds) or on stdout; 0."""
    if output:
        Path(output).write_text(text, encoding="utf-8")
        sys.stderr.write(f"pbxgraph: {what} written to {output}\n")
    else:
        sys.stdout.write(text)
    return 0

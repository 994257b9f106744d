"""The change feed over a real WebSocket (graphql-transport-ws) and over SSE, against a live server.

The client is the ``websockets`` library (in the test extra: uvicorn needs it
to serve WebSockets at all, and it is the plainest real client of the
protocol); the server is the app under uvicorn on 127.0.0.1 and a port the
kernel picks.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
import websockets

from pbxgraph.app import create_app
from pbxgraph.config import ApiToken, AuthConfig, BackendConfig, Config, StateConfig
from pbxgraph.emulators.toolkit import LoopbackServer

ADMIN = "admin-token-0123456789"
LIMITED = "limited-token-0123456789"
SUBSCRIBE = (
    "subscription($backends: [String!], $kinds: [Kind!]) { changes(backends: $backends, kinds: $kinds) "
    "{ kind id nativeId backend operation fields time source } }"
)


def config(*, state: StateConfig | None = None, office: dict[str, Any] | None = None) -> Config:
    return Config(
        backends=(
            BackendConfig(name="office", vendor="local", options=office or {"path": ":memory:"}),
            BackendConfig(name="branch", vendor="local", options={"path": ":memory:"}),
        ),
        auth=AuthConfig(tokens=(ApiToken("ops", ADMIN), ApiToken("branch-only", LIMITED, backends=("branch",)))),
        state=state or StateConfig(),
    )


@contextlib.contextmanager
def serving(cfg: Config) -> Iterator[tuple[str, Any]]:
    app = create_app(cfg)
    with LoopbackServer(app, lifespan="on") as server:
        yield server.url, app


def wait_for_subscribers(app: Any, count: int = 1) -> None:
    """Until the server holds ``count`` subscriptions (a subscribe message has no answer of its own)."""
    feed = app.state.service.state.feed
    deadline = time.monotonic() + 10
    while len(feed._subscriptions) < count:
        assert time.monotonic() < deadline, "the subscription never reached the server"
        time.sleep(0.01)


async def create_user(url: str, backend: str, username: str, extension: str, token: str = ADMIN) -> str:
    query = (
        'mutation { createUser(backend: "%s", input: {username: "%s", extension: "%s", sipPassword: "pw-Secret-1"}) '
        "{ id } }" % (backend, username, extension)
    )
    async with httpx.AsyncClient() as client:
        answer = await client.post(
            f"{url}/graphql", json={"query": query}, headers={"Authorization": f"Bearer {token}"}
        )
    return str(answer.json()["data"]["createUser"]["id"])


@contextlib.asynccontextmanager
async def subscribed(url: str, payload: dict[str, Any], variables: dict[str, Any]) -> AsyncIterator[Any]:
    ws_url = url.replace("http://", "ws://") + "/graphql"
    async with websockets.connect(ws_url, subprotocols=[websockets.Subprotocol("graphql-transport-ws")]) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        await ws.send(
            json.dumps({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE, "variables": variables}})
        )
        yield ws


async def next_event(ws: Any) -> dict[str, Any]:
    while True:
        message = json.loads(await asyncio.wait_for(ws.recv(), 10))
        if message["type"] == "next":
            return message["payload"]  # type: ignore[no-any-return]
        assert message["type"] in ("ping", "pong"), message


async def test_a_change_made_through_pbxgraph_reaches_a_websocket_subscriber_at_once() -> None:
    with serving(config()) as (url, app):
        async with subscribed(url, {"token": ADMIN}, {"kinds": ["USER"]}) as ws:
            await asyncio.to_thread(wait_for_subscribers, app)
            user = await create_user(url, "office", "wsjane", "7500")
            payload = await next_event(ws)
        assert "errors" not in payload
        event = payload["data"]["changes"]
        assert event["id"] == user and event["kind"] == "USER" and event["backend"] == "office"
        assert event["operation"] == "create" and event["source"] == "pbxgraph"
        assert {"username", "extension", "sip_password"} <= set(event["fields"])


async def test_the_websocket_needs_a_token_and_a_limited_token_sees_only_its_backends() -> None:
    with serving(config()) as (url, app):
        ws_url = url.replace("http://", "ws://") + "/graphql"
        async with websockets.connect(ws_url, subprotocols=[websockets.Subprotocol("graphql-transport-ws")]) as ws:
            await ws.send(json.dumps({"type": "connection_init", "payload": {"token": "wrong-token-0123456789"}}))
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await ws.recv()
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403

        async with subscribed(url, {"Authorization": f"Bearer {LIMITED}"}, {}) as ws:
            await asyncio.to_thread(wait_for_subscribers, app)
            await create_user(url, "office", "hidden", "7501")  # out of the token's sight: never sent
            seen = await create_user(url, "branch", "seen", "7502")
            event = (await next_event(ws))["data"]["changes"]
        assert event["id"] == seen and event["backend"] == "branch"


async def test_server_sent_events_stream_the_same_changes() -> None:
    with serving(config()) as (url, _):
        headers = {"Authorization": f"Bearer {ADMIN}"}
        async with httpx.AsyncClient(timeout=10) as client:
            assert (await client.get(f"{url}/changes")).status_code == 401
            async with client.stream("GET", f"{url}/changes", params={"kind": "USER"}, headers=headers) as stream:
                assert stream.headers["content-type"].startswith("text/event-stream")
                lines = stream.aiter_lines()
                assert await anext(lines) == ": connected"
                user = await create_user(url, "branch", "ssejane", "7503")
                event = None
                async for line in lines:
                    if line.startswith("data: "):
                        event = json.loads(line[len("data: ") :])
                        break
        assert event is not None and event["id"] == user and event["operation"] == "create"


async def test_replicas_on_postgresql_share_the_feed(postgres_store: Any) -> None:
    """Two servers on one PostgreSQL store: a change through one reaches a subscriber of the other."""
    shared = postgres_store.options("office")
    state = StateConfig(url=postgres_store.url, schema=postgres_store.schema_of("state"))
    with (
        serving(config(state=state, office=shared)) as (first, _),
        serving(config(state=state, office=shared)) as (
            second,
            app,
        ),
    ):
        async with subscribed(second, {"token": ADMIN}, {"backends": ["office"]}) as ws:
            await asyncio.to_thread(wait_for_subscribers, app)
            user = await create_user(first, "office", "pgjane", "7504")
            event = (await next_event(ws))["data"]["changes"]
            assert event["id"] == user
            with contextlib.suppress(TimeoutError):  # heard once, not once per replica
                extra = await asyncio.wait_for(ws.recv(), 0.5)
                assert json.loads(extra)["type"] != "next"

"""Logs: one access line per GraphQL request, in text and JSON; request ids; vendor URLs scrubbed."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Callable, Iterator

import httpx
import pytest
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from pbxgraph.connectors.http import VendorHttp
from pbxgraph.errors import BackendUnavailable
from pbxgraph.telemetry.logs import scrub_url, setup_logging
from tests.core.conftest import Env

Capture = Callable[..., io.StringIO]
QUERY = "query FewUsers { users(first: 6) { edges { node { id groups { name } devices { mac } } } } }"


@pytest.fixture
def logs() -> Iterator[Capture]:
    """Route every logger to a string, as ``pbxgraph serve`` routes them to stderr."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level

    def capture(fmt: str = "text", level: str = "info") -> io.StringIO:
        stream = io.StringIO()
        setup_logging(level, fmt, stream)
        return stream

    yield capture
    root.handlers[:] = handlers
    root.setLevel(level)


def access_lines(stream: io.StringIO) -> list[str]:
    return [line for line in stream.getvalue().splitlines() if " pbxgraph.access: " in line]


def expected_backends(env: Env) -> dict[str, dict[str, int]]:
    """What the access line must say: exactly the calls the spies saw, all answered."""
    return {
        name: {"calls": sum(spy.calls.values()), "ok": sum(spy.calls.values())}
        for name, spy in sorted(env.spies.items())
        if spy.calls
    }


async def test_one_text_access_line_per_graphql_request(env: Env, logs: Capture) -> None:
    stream = logs("text")
    env.reset_calls()
    response = await env.client.http.post("/graphql", json={"query": QUERY}, headers={"X-Request-ID": "req-42"})
    assert response.status_code == 200 and response.headers["x-request-id"] == "req-42"
    (line,) = access_lines(stream)
    backends = json.dumps(expected_backends(env), separators=(",", ":"))
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z INFO pbxgraph\.access: POST /graphql request_id=req-42 "
        r"operation=FewUsers status=200 duration_ms=\d+\.\d " + re.escape(f"backends={backends} errors=[]"),
        line,
    ), line
    assert sum(env.spies["east"].calls.values()) == 3  # users.list, then one batch each of groups and devices


async def test_json_access_line_with_per_backend_outcomes_and_error_codes(env: Env, logs: Capture) -> None:
    stream = logs("json")
    env.reset_calls()
    env.spies["west"].behaviour.failures["user.page"] = BackendUnavailable("west is down")
    body = await env.client.execute(QUERY)
    assert [e["extensions"]["code"] for e in body["errors"]] == ["BACKEND_UNAVAILABLE"]
    (line,) = access_lines_json(stream)
    assert set(line) == {
        "time",
        "level",
        "logger",
        "message",
        "request_id",
        "operation",
        "status",
        "duration_ms",
        "backends",
        "errors",
    }
    assert (line["level"], line["message"], line["operation"], line["status"]) == (
        "INFO",
        "POST /graphql",
        "FewUsers",
        200,
    )
    assert re.fullmatch(r"[0-9a-f]{32}", line["request_id"])
    east = sum(env.spies["east"].calls.values())
    assert line["backends"] == {"east": {"calls": east, "ok": east}, "west": {"calls": 1, "backend_unavailable": 1}}
    assert line["errors"] == ["BACKEND_UNAVAILABLE"]


def access_lines_json(stream: io.StringIO) -> list[dict[str, object]]:
    entries = [json.loads(line) for line in stream.getvalue().splitlines()]
    return [e for e in entries if e["logger"] == "pbxgraph.access"]


async def test_a_bad_request_id_is_replaced_and_lines_of_a_request_carry_its_id(env: Env, logs: Capture) -> None:
    stream = logs("json")
    env.spies["east"].behaviour.failures["user.page"] = RuntimeError("a bug in a connector")
    response = await env.client.http.post(
        "/graphql", json={"query": QUERY}, headers={"X-Request-ID": 'forged" line=1 ' + "x" * 200}
    )
    request_id = response.headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    entries = [json.loads(line) for line in stream.getvalue().splitlines()]
    bug = next(e for e in entries if e["message"] == "connector of backend east failed on user.list")
    assert bug["level"] == "ERROR" and bug["request_id"] == request_id and "RuntimeError" in bug["exception"]
    (access,) = access_lines_json(stream)
    assert access["request_id"] == request_id and access["errors"] == ["INTERNAL_SERVER_ERROR"]


async def test_probes_and_pages_are_not_access_lines(env: Env, logs: Capture) -> None:
    stream = logs("text")
    await env.client.http.get("/healthz")
    await env.client.http.get("/graphql", headers={"Accept": "text/html"})
    assert access_lines(stream) == []
    stream = logs("text", "debug")
    await env.client.http.get("/healthz")
    (line,) = access_lines(stream)
    assert " DEBUG pbxgraph.access: GET /healthz 200 " in line


def vendor() -> Starlette:
    async def echo(request: object) -> JSONResponse:
        return JSONResponse({"ok": True})

    return Starlette(routes=[Route("/items", echo)])


async def test_vendor_calls_are_debug_lines_with_secret_query_values_scrubbed(logs: Capture) -> None:
    http = VendorHttp(
        "hq", "http://vendor.test", timeout_s=5, max_concurrency=2, transport=httpx.ASGITransport(app=vendor())
    )
    try:
        stream = logs("text", "info")
        await http.request("GET", "/items?limit=1&api_key=sekrit-value&token=t0ken")
        assert stream.getvalue() == ""  # not at INFO, neither ours nor httpx's
        stream = logs("text", "debug")
        await http.request("GET", "/items?limit=1&api_key=sekrit-value&token=t0ken")
    finally:
        await http.aclose()
    text = stream.getvalue()
    assert "sekrit-value" not in text and "t0ken" not in text
    ours = [line for line in text.splitlines() if " pbxgraph.vendor: " in line]
    theirs = [line for line in text.splitlines() if " httpx: " in line]
    assert (
        len(ours) == 1
        and " DEBUG pbxgraph.vendor: hq GET http://vendor.test/items?limit=1&api_key=***&token=*** -> 200 in "
        in ours[0]
    )
    assert (
        len(theirs) == 1
        and " DEBUG httpx: HTTP Request: GET http://vendor.test/items?limit=1&api_key=***&token=*** " in theirs[0]
    )


def test_scrub_url_drops_user_info_and_masks_secret_parameters() -> None:
    assert (
        scrub_url("https://admin:pw@pbx.example.net:8443/api/users?page=2&password=x&userPin=1234")
        == "https://pbx.example.net:8443/api/users?page=2&password=***&userPin=***"
    )


async def test_a_request_id_with_a_trailing_newline_is_replaced(env: Env, logs: Capture) -> None:
    """A pattern checked with ``$`` would take "abc\\n", and the id would break its log line."""
    logs("text")
    response = await env.client.http.post("/graphql", json={"query": QUERY}, headers=[(b"x-request-id", b"abc\n")])
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])
    kept = await env.client.http.post("/graphql", json={"query": QUERY}, headers={"X-Request-ID": "client-id-7"})
    assert kept.headers["x-request-id"] == "client-id-7"

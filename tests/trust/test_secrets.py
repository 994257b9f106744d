"""No log level prints a secret, and no error quotes more than a short prefix of what the caller sent."""

from __future__ import annotations

import logging

import pytest

from pbxgraph.config import BackendConfig, Config
from pbxgraph.testing.graphql import GraphQLTestClient
from tests.trust.conftest import BACKENDS, Stack
from tests.trust.surface import error_fields

pytestmark = pytest.mark.asyncio(loop_scope="module")

SIP_CANARY = "Canary-Sip-7f3a91"
TRUNK_CANARY = "Canary-Trunk-c04e2b"


CREATE_USER = """mutation($b: String!, $u: String!, $e: String!, $p: String!) {
  createUser(backend: $b, input: {username: $u, extension: $e, sipPassword: $p}) { id }
}"""
UPDATE_USER = "mutation($id: ID!, $p: String!) { updateUser(id: $id, input: {sipPassword: $p}) { id } }"
CREATE_TRUNK = """mutation($b: String!, $n: String!, $p: String!) {
  createTrunk(backend: $b, input: {name: $n, host: "sip.example.net", username: "acct", password: $p}) { id }
}"""
DRIVER_LOGGERS = (
    "sqlalchemy.engine",
    "sqlalchemy.engine.Engine",
    "sqlalchemy.pool",
    "aiosqlite",
    "httpx",
    "httpcore",
    "pbxgraph",
)


def debug_everywhere(caplog: pytest.LogCaptureFixture) -> None:
    """As ``--log-level debug`` does, and more: every logger that could see a password at DEBUG."""
    caplog.set_level(logging.DEBUG)
    for logger in DRIVER_LOGGERS:
        caplog.set_level(logging.DEBUG, logger=logger)


def logged(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(f"{r.name} {r.getMessage()} {r.exc_text or ''}" for r in caplog.records)


async def test_debug_logs_never_hold_sip_or_trunk_passwords(fresh: Stack, caplog: pytest.LogCaptureFixture) -> None:
    """At DEBUG the SQL driver used to log INSERT parameters, passwords included."""
    debug_everywhere(caplog)
    for index, backend in enumerate(BACKENDS):
        user = await fresh.client.data(
            CREATE_USER, {"b": backend, "u": f"canary.{index}", "e": f"{4730 + index}", "p": SIP_CANARY}
        )
        await fresh.client.data(UPDATE_USER, {"id": user["createUser"]["id"], "p": SIP_CANARY + "-2"})
        users = await fresh.client.data(
            "query($b: [String!]) { users(backends: $b, first: 500) { nodes { raw } } }", {"b": [backend]}
        )
        assert SIP_CANARY not in str(users)
        if backend != "infinity-demo":  # Infinity keeps no trunks
            await fresh.client.data(CREATE_TRUNK, {"b": backend, "n": f"Canary trunk {index}", "p": TRUNK_CANARY})
            trunks = await fresh.client.data(
                "query($b: [String!]) { trunks(backends: $b, first: 500) { nodes { raw } } }", {"b": [backend]}
            )
            assert TRUNK_CANARY not in str(trunks)
    text = logged(caplog)
    assert "sqlalchemy" in text or "aiosqlite" in text or "httpcore" in text  # the loggers did talk
    assert SIP_CANARY not in text
    assert TRUNK_CANARY not in text


async def test_the_sql_driver_stays_quiet_when_its_loggers_are_set_to_debug(caplog: pytest.LogCaptureFixture) -> None:
    """Turned to DEBUG after the store opened, the driver loggers still print no rows and no parameters."""
    config = Config(backends=(BackendConfig(name="office", vendor="local", options={"path": ":memory:"}),))
    async with GraphQLTestClient.running(config) as client:
        debug_everywhere(caplog)
        await client.data(
            'mutation($p: String!) { createUser(backend: "office", input: {username: "quiet", '
            "sipPassword: $p}) { id } }",
            {"p": SIP_CANARY},
        )
        await client.data("{ users(first: 500) { nodes { id } } }")
    assert SIP_CANARY not in logged(caplog)


async def test_a_megabyte_literal_is_not_echoed_in_the_error(fresh: Stack) -> None:
    huge = "Z" * 1_000_000
    queries = [
        '{ users(first: "%s") { totalCount } }' % huge,
        "{ users(orderBy: {field: %s}) { totalCount } }" % huge,
        '{ users(filter: {%s: "x"}) { totalCount } }' % huge,
        "{ %s }" % huge,
        '{ directory(number: "%s") { number } }' % huge,
        'mutation { createUser(backend: "%s", input: {username: "x"}) { id } }' % huge,
    ]
    for query in queries:
        response = await fresh.client.http.post("/graphql", json={"query": query})
        assert response.status_code == 200
        assert len(response.content) < 2000, response.text[:300]
        assert "Z" * 40 not in response.text
    variables = [
        ("query($f: Int!) { users(first: $f) { totalCount } }", {"f": huge}),
        ("query($f: ListFilter) { users(filter: $f) { totalCount } }", {"f": {huge: 1}}),
        ("query($f: SortField) { users(orderBy: {field: $f}) { totalCount } }", {"f": huge}),
    ]
    for query, values in variables:
        body = await fresh.client.execute(query, values)
        assert error_fields(body) and len(str(body)) < 2000 and "Z" * 40 not in str(body)
    assert fresh.calls() == fresh.no_calls()

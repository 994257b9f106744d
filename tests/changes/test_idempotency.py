"""Safe retries: a repeated key answers as the first time and writes nothing again."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from graphql import parse

from pbxgraph.config import ApiToken, AuthConfig, BackendConfig, Config, StateConfig
from pbxgraph.schema.idempotency import fingerprint
from pbxgraph.testing.graphql import GraphQLTestClient
from tests.changes.conftest import LOCAL, NO_WRITES, Stack, Start

CREATE = """mutation($name: String!, $ext: String!) {
  createUser(backend: "era", input: {username: $name, extension: $ext, sipPassword: "s3cret-Pass-1"}) {
    id username extension
  }
}"""
CREATE_BY_ARGUMENT = """mutation($key: String, $name: String!) {
  createUser(backend: "era", idempotencyKey: $key, input: {username: $name, extension: "7301"}) { id username }
}"""


def era_creates(stack: Stack) -> int:
    return sum(1 for method, _ in stack.requests("era") if method == "POST")


async def test_a_repeat_answers_the_first_outcome_and_writes_once(stack: Stack) -> None:
    key = {"Idempotency-Key": "onboard-jane-1"}
    first = await stack.client.execute(CREATE, {"name": "jane", "ext": "7300"}, headers=key)
    again = await stack.client.execute(CREATE, {"name": "jane", "ext": "7300"}, headers=key)
    assert "errors" not in first and first["data"]["createUser"]["username"] == "jane"
    assert again.get("data") == first["data"], again
    assert again["extensions"]["idempotency"] == {"replayed": True}
    assert stack.writes()["era"] == 1 and era_creates(stack) == 1


async def test_a_repeat_with_another_body_is_a_conflict(stack: Stack) -> None:
    key = {"Idempotency-Key": "onboard-2"}
    await stack.client.execute(CREATE, {"name": "jane", "ext": "7300"}, headers=key)
    stack.reset()
    other = await stack.client.execute(CREATE, {"name": "john", "ext": "7301"}, headers=key)
    assert other.get("data") is None
    [error] = other["errors"]
    assert error["extensions"]["code"] == "CONFLICT" and error["extensions"]["idempotency"] == "MISMATCH"
    assert stack.writes() == NO_WRITES


async def test_the_argument_works_as_the_header_does_for_every_mutation(stack: Stack) -> None:
    variables = {"key": "by-argument", "name": "argy"}
    first = await stack.client.execute(CREATE_BY_ARGUMENT, variables)
    again = await stack.client.execute(CREATE_BY_ARGUMENT, variables)
    assert again["data"] == first["data"] and first["data"]["createUser"]["username"] == "argy"
    assert era_creates(stack) == 1
    changes = [{"createUser": {"backend": LOCAL, "input": {"username": "batchy", "extension": "7302"}}}]
    query = (
        'mutation($input: ApplyChangesInput!) { applyChanges(input: $input, idempotencyKey: "batch-1") '
        "{ status changes { id status } } }"
    )
    one = await stack.client.execute(query, {"input": {"changes": changes}})
    two = await stack.client.execute(query, {"input": {"changes": changes}})
    assert one["data"]["applyChanges"]["status"] == "APPLIED" and two["data"] == one["data"]
    assert stack.writes()[LOCAL] == 1


async def test_keys_belong_to_their_caller_and_failures_replay_too(stack: Stack) -> None:
    taken = {"name": "dup", "ext": "7303"}
    await stack.client.execute(CREATE, taken)
    first = await stack.client.execute(CREATE, taken, headers={"Idempotency-Key": "k"})
    again = await stack.client.execute(CREATE, taken, headers={"Idempotency-Key": "k"})
    assert first["errors"][0]["extensions"]["code"] == "CONFLICT"
    # the same error, word for word: message, location, path, code and details
    assert first["errors"] == again["errors"]


async def test_a_key_still_running_is_a_clear_conflict(stack: Stack) -> None:
    variables = {"name": "x", "ext": "7304"}
    running = fingerprint(parse(CREATE), None, variables)
    await stack.client.service.state.keys.claim("anonymous", "busy", running)  # as a first request would
    answer = await stack.client.execute(CREATE, variables, headers={"Idempotency-Key": "busy"})
    assert answer["errors"][0]["extensions"] == {"code": "CONFLICT", "idempotency": "IN_PROGRESS"}
    assert stack.writes() == NO_WRITES


async def test_a_key_is_free_again_after_the_window(start: Start) -> None:
    async with start(state=StateConfig(idempotency_window_s=0.2)) as stack:
        key = {"Idempotency-Key": "short-lived"}
        await stack.client.execute(CREATE, {"name": "early", "ext": "7305"}, headers=key)
        await asyncio.sleep(0.3)
        later = await stack.client.execute(CREATE, {"name": "late", "ext": "7306"}, headers=key)
        assert "errors" not in later and later["data"]["createUser"]["username"] == "late"
        assert era_creates(stack) == 2


async def test_a_bad_key_is_refused_before_any_write(stack: Stack) -> None:
    answer = await stack.client.execute(CREATE, {"name": "x", "ext": "7307"}, headers={"Idempotency-Key": "x" * 300})
    assert answer["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert stack.writes() == NO_WRITES


ADMIN_A = "first-admin-token-0123"
ADMIN_B = "second-admin-token-0123"
LOCAL_CREATE = (
    'mutation { createUser(backend: "office", input: {username: "once", extension: "7310"}) { id username } }'
)


def _tokens_config(office: dict[str, object], state: StateConfig | None = None) -> Config:
    return Config(
        backends=(BackendConfig(name="office", vendor="local", options=office),),
        auth=AuthConfig(tokens=(ApiToken("first", ADMIN_A), ApiToken("second", ADMIN_B))),
        state=state or StateConfig(),
    )


async def test_keys_are_scoped_by_token_name(tmp_path: Path) -> None:
    config = _tokens_config({"path": str(tmp_path / "office.sqlite3")})
    async with GraphQLTestClient.running(config) as client:
        key = {"Idempotency-Key": "same-key"}
        first = await client.execute(LOCAL_CREATE, headers={**key, "Authorization": f"Bearer {ADMIN_A}"})
        other = await client.execute(LOCAL_CREATE, headers={**key, "Authorization": f"Bearer {ADMIN_B}"})
        assert "errors" not in first
        # the second token's key is its own: its request runs (and meets the first one's user)
        assert other["errors"][0]["extensions"]["code"] == "CONFLICT"
        assert "idempotency" not in other.get("extensions", {})


async def test_replicas_on_postgresql_share_keys(postgres_store: Any) -> None:
    office = postgres_store.options("office")
    state = StateConfig(url=postgres_store.url, schema=postgres_store.schema_of("state"))
    key = {"Idempotency-Key": "across-replicas", "Authorization": f"Bearer {ADMIN_A}"}
    async with (
        GraphQLTestClient.running(_tokens_config(office, state)) as one,
        GraphQLTestClient.running(_tokens_config(office, state)) as two,
    ):
        first = await one.execute(LOCAL_CREATE, headers=key)
        again = await two.execute(LOCAL_CREATE, headers=key)
        assert "errors" not in first and again["data"] == first["data"]
        assert again["extensions"]["idempotency"] == {"replayed": True}
        users = await two.execute(
            '{ users(filter: {search: "once"}) { totalCount } }', headers={"Authorization": f"Bearer {ADMIN_A}"}
        )
        assert users["data"]["users"]["totalCount"] == 1


async def test_a_request_that_wrote_nothing_frees_its_key(stack: Stack) -> None:
    key = {"Idempotency-Key": "fix-and-retry"}
    refused = await stack.client.execute(CREATE, {"name": "fixme", "ext": "12ab"}, headers=key)
    assert refused["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    fixed = await stack.client.execute(CREATE, {"name": "fixme", "ext": "7311"}, headers=key)
    assert "errors" not in fixed and era_creates(stack) == 1

"""A backend's declared rules are shown in the schema and enforced before any backend call.

The local store accepts everything; here it is given the rules of a stricter
PBX (the way a vendor connector declares them), so that what is tested is the
service's enforcement and the schema's account of it, whatever the vendor.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from pbxgraph.config import Config
from pbxgraph.connectors.registry import build_connector
from pbxgraph.domain import Kind, KindRules, MemberKind, RingStrategy, TrunkKind
from pbxgraph.testing.graphql import GraphQLTestClient, error_codes
from pbxgraph.testing.spy import SpyConnector, spied
from tests.core.conftest import local

STRICT = {
    Kind.USER: KindRules(
        create_fields=frozenset({"username", "display_name", "extension", "sip_password"}),
        update_fields=frozenset({"display_name", "extension", "sip_password"}),
        required=frozenset({"sip_password"}),
    ),
    Kind.QUEUE: KindRules(
        strategies=frozenset({RingStrategy.ALL, RingStrategy.SEQUENTIAL}),
        member_kinds=frozenset({MemberKind.GROUP}),
        member_priority=None,
    ),
    Kind.DEVICE: KindRules(models=("yealink-t46", "polycom-vvx")),
    Kind.TRUNK: KindRules(trunk_kinds=frozenset({TrunkKind.SIP})),
}


@pytest.fixture
async def strict(tmp_path: Path) -> AsyncIterator[tuple[GraphQLTestClient, SpyConnector]]:
    config = local("pbx", tmp_path / "pbx.sqlite3")
    connector = build_connector(config)
    connector.capabilities = dataclasses.replace(connector.capabilities, rules=STRICT)  # type: ignore[misc]
    spies, backends = spied([connector], [config])
    async with GraphQLTestClient.running(Config(backends=(config,)), backends=backends) as client:
        spies[0].reset()
        yield client, spies[0]


async def test_capabilities_show_what_each_kind_accepts(strict: tuple[GraphQLTestClient, SpyConnector]) -> None:
    client, _ = strict
    data = await client.data("""{ backends { capabilities { kind createFields updateFields requiredFields
        strategies memberKinds memberPriority models trunkKinds } } }""")
    by_kind = {c["kind"]: c for c in data["backends"][0]["capabilities"]}
    assert by_kind["USER"]["createFields"] == ["username", "displayName", "extension", "sipPassword"]
    assert by_kind["USER"]["updateFields"] == ["displayName", "extension", "sipPassword"]
    assert by_kind["USER"]["requiredFields"] == ["sipPassword"]
    assert by_kind["USER"]["strategies"] is None and by_kind["USER"]["memberKinds"] is None
    assert by_kind["QUEUE"]["strategies"] == ["ALL", "SEQUENTIAL"]
    assert by_kind["QUEUE"]["memberKinds"] == ["GROUP"]
    assert by_kind["QUEUE"]["memberPriority"] is None
    assert by_kind["DEVICE"]["models"] == ["yealink-t46", "polycom-vvx"]
    assert by_kind["TRUNK"]["trunkKinds"] == ["SIP"]
    # A kind without declared rules takes every field, any strategy, users and groups with priorities.
    group = by_kind["GROUP"]
    assert "members" in group["createFields"] and "displayName" in group["updateFields"]
    assert group["strategies"] == ["ALL", "SEQUENTIAL", "RANDOM", "ROUND_ROBIN", "LONGEST_IDLE", "PRIORITY"]
    # A group's members are users, whatever the backend.
    assert group["memberKinds"] == ["USER"] and group["memberPriority"] is None


async def test_default_rules_of_the_local_store_accept_everything(tmp_path: Path) -> None:
    config = Config(backends=(local("office", tmp_path / "o.sqlite3"),))
    async with GraphQLTestClient.running(config) as client:
        data = await client.data(
            "{ backends { capabilities { kind memberKinds memberPriority models requiredFields } } }"
        )
    queue = next(c for c in data["backends"][0]["capabilities"] if c["kind"] == "QUEUE")
    assert queue == {
        "kind": "QUEUE",
        "memberKinds": ["USER", "GROUP"],
        "memberPriority": "LOWER_FIRST",
        "models": None,
        "requiredFields": [],
    }


@pytest.mark.parametrize(
    ("mutation", "code", "field"),
    [
        # A field the backend cannot store is NOT_SUPPORTED naming it...
        (
            'createUser(backend: "pbx", input: {username: "a1", email: "a@example.com", sipPassword: "Secret-99"}) { id }',
            "NOT_SUPPORTED",
            "input.email",
        ),
        (
            'createUser(backend: "pbx", input: {username: "a1", enabled: false, sipPassword: "Secret-99"}) { id }',
            "NOT_SUPPORTED",
            "input.enabled",
        ),
        # ...a field it needs is BAD_USER_INPUT naming it.
        ('createUser(backend: "pbx", input: {username: "a1"}) { id }', "BAD_USER_INPUT", "input.sipPassword"),
        ('createQueue(backend: "pbx", input: {name: "Q", strategy: RANDOM}) { id }', "NOT_SUPPORTED", "input.strategy"),
        (
            'createDevice(backend: "pbx", input: {mac: "00:04:f2:00:00:01", model: "acme-9"}) { id }',
            "BAD_USER_INPUT",
            "input.model",
        ),
        (
            'createTrunk(backend: "pbx", input: {name: "T", host: "sip.example.net", kind: PRI}) { id }',
            "NOT_SUPPORTED",
            "input.kind",
        ),
    ],
)
async def test_a_create_the_backend_cannot_take_is_refused_before_any_call(
    strict: tuple[GraphQLTestClient, SpyConnector], mutation: str, code: str, field: str
) -> None:
    client, spy = strict
    body = await client.execute(f"mutation {{ {mutation} }}")
    assert error_codes(body) == [code]
    error = body["errors"][0]
    assert error["extensions"]["field"] == field and error["extensions"]["backend"] == "pbx"
    assert error["message"].startswith(f"{field}: ")
    assert spy.total_calls == 0


async def test_neutral_values_ask_nothing_and_pass(strict: tuple[GraphQLTestClient, SpyConnector]) -> None:
    client, _ = strict
    data = await client.data(
        'mutation { createUser(backend: "pbx", input: {username: "n1", enabled: true, '
        'email: null, sipPassword: "Secret-99"}) { id enabled } }'
    )
    user = data["createUser"]["id"]
    body = await client.execute(
        'mutation($id: ID!) { updateUser(id: $id, input: {username: "n2"}) { id } }', {"id": user}
    )
    assert error_codes(body) == ["NOT_SUPPORTED"] and body["errors"][0]["extensions"]["field"] == "input.username"
    data = await client.data(
        'mutation($id: ID!) { updateUser(id: $id, input: {displayName: "N", email: null}) { displayName } }',
        {"id": user},
    )
    assert data["updateUser"]["displayName"] == "N"


async def test_queue_members_are_checked_against_the_member_rules(
    strict: tuple[GraphQLTestClient, SpyConnector],
) -> None:
    client, spy = strict
    ids = await client.data(
        "{ users(first: 1) { nodes { id } } groups(first: 1) { nodes { id } } queues(first: 1) { nodes { id } } }"
    )
    user, group, queue = (ids[k]["nodes"][0]["id"] for k in ("users", "groups", "queues"))
    spy.reset()
    body = await client.execute(
        "mutation($q: ID!, $m: [QueueMemberInput!]!) { setQueueMembers(queueId: $q, members: $m) { id } }",
        {"q": queue, "m": [{"id": group}, {"id": user}]},
    )
    assert error_codes(body) == ["NOT_SUPPORTED"] and body["errors"][0]["extensions"]["field"] == "members[1].id"
    body = await client.execute(
        "mutation($q: ID!, $m: [QueueMemberInput!]!) { setQueueMembers(queueId: $q, members: $m) { id } }",
        {"q": queue, "m": [{"id": group, "priority": 3}]},
    )
    assert body["errors"][0]["extensions"]["field"] == "members[0].priority"
    body = await client.execute(
        'mutation($m: [QueueMemberInput!]!) { createQueue(backend: "pbx", input: {name: "Q", members: $m}) { id } }',
        {"m": [{"id": user}]},
    )
    assert body["errors"][0]["extensions"]["field"] == "input.members[0].id"
    assert spy.total_calls == 0
    data = await client.data(
        "mutation($q: ID!, $m: [QueueMemberInput!]!) { setQueueMembers(queueId: $q, "
        "members: $m) { members { member { ... on Group { id } } } } }",
        {"q": queue, "m": [{"id": group}]},
    )
    assert data["setQueueMembers"]["members"] == [{"member": {"id": group}}]

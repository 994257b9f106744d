"""The audit trail: every change that reached a backend, with its caller, fields and outcome; never a secret."""

from __future__ import annotations

import json
from typing import Any

from pbxgraph.config import ApiToken, AuthConfig, BackendConfig, Config, StateConfig
from pbxgraph.ids import decode_id
from pbxgraph.testing.graphql import GraphQLTestClient
from tests.changes.conftest import LOCAL, Stack, Start

PASSWORD = "Sup3r-s3cret-Pa55"
CREATE = (
    """mutation($name: String!, $ext: String!) {
  createUser(backend: "era", input: {username: $name, extension: $ext, sipPassword: "%s"}) { id }
}"""
    % PASSWORD
)
UPDATE = (
    """mutation($id: ID!) {
  updateUser(id: $id, input: {displayName: "Jane Q. Doe", sipPassword: "%s-2"}) { id }
}"""
    % PASSWORD
)
DELETE = "mutation($id: ID!) { deleteUser(id: $id) { deletedId } }"
LOG = """query($filter: AuditLogFilter, $first: Int = 50, $after: String) {
  auditLog(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { time token operation backend kind objectId nativeId outcome message fields { field before after } }
  }
}"""


async def log(stack: Stack, **filter: Any) -> dict[str, Any]:
    data: dict[str, Any] = await stack.client.data(LOG, {"filter": filter})
    return data["auditLog"]  # type: ignore[no-any-return]


def fields(entry: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    return {f["field"]: (f["before"], f["after"]) for f in entry["fields"]}


async def test_create_update_delete_are_recorded_without_secrets(stack: Stack) -> None:
    created = await stack.client.data(CREATE, {"name": "jane", "ext": "7400"})
    user = created["createUser"]["id"]
    await stack.client.data(UPDATE, {"id": user})
    await stack.client.data(DELETE, {"id": user})

    trail = await log(stack, objectId=user)
    assert trail["totalCount"] == 3
    delete, update, create = trail["nodes"]  # newest first
    assert [e["operation"] for e in (create, update, delete)] == ["create", "update", "delete"]
    assert all(e["backend"] == "era" and e["kind"] == "USER" and e["objectId"] == user for e in trail["nodes"])
    assert all(e["outcome"] == "ok" and e["token"] == "anonymous" for e in trail["nodes"])
    assert fields(create)["username"] == (None, "jane") and fields(create)["extension"] == (None, "7400")
    assert fields(create)["sip_password"] == (None, "changed")
    # the values before are read first (the secret's never: only that it changed)
    assert fields(update) == {"display_name": ("jane", "Jane Q. Doe"), "sip_password": (None, "changed")}
    assert fields(delete)["username"] == ("jane", None) and "sip_password" not in fields(delete)
    assert PASSWORD not in json.dumps(trail)

    exported = await stack.client.http.get("/audit.jsonl", params={"object": user})
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("application/jsonl")
    lines = [json.loads(line) for line in exported.text.splitlines()]
    assert [line["operation"] for line in lines] == ["create", "update", "delete"]  # oldest first
    assert PASSWORD not in exported.text


async def test_a_failed_change_is_recorded_with_its_code(stack: Stack) -> None:
    await stack.client.data(CREATE, {"name": "dup", "ext": "7401"})
    failed = await stack.client.execute(CREATE, {"name": "dup", "ext": "7402"})
    assert failed["errors"][0]["extensions"]["code"] == "CONFLICT"
    trail = await log(stack, outcomes=["CONFLICT"])
    [entry] = trail["nodes"]
    assert entry["operation"] == "create" and entry["backend"] == "era" and entry["objectId"] is None
    assert "already" in entry["message"] and PASSWORD not in json.dumps(entry)


async def test_batches_and_filters(stack: Stack) -> None:
    changes = [
        {"ref": "a", "createUser": {"backend": LOCAL, "input": {"username": "auda", "extension": "7403"}}},
        {"ref": "b", "createUser": {"backend": LOCAL, "input": {"username": "audb", "extension": "7404"}}},
    ]
    answer = await stack.apply(changes)
    assert answer["data"]["applyChanges"]["status"] == "APPLIED"
    await stack.client.data(CREATE, {"name": "other", "ext": "7405"})
    local = await log(stack, backends=[LOCAL], operations=["create"])
    assert local["totalCount"] == 2 and {fields(e)["username"][1] for e in local["nodes"]} == {"auda", "audb"}
    first = await stack.client.data(LOG, {"filter": {"kinds": ["USER"]}, "first": 2})
    page = first["auditLog"]
    assert page["totalCount"] == 3 and page["pageInfo"]["hasNextPage"]
    rest = await stack.client.data(LOG, {"filter": {"kinds": ["USER"]}, "after": page["pageInfo"]["endCursor"]})
    assert len(rest["auditLog"]["nodes"]) == 1 and not rest["auditLog"]["pageInfo"]["hasNextPage"]
    assert (await log(stack, since="2999-01-01T00:00:00Z"))["totalCount"] == 0
    assert (await log(stack, tokens=["someone-else"]))["totalCount"] == 0


ADMIN = "admin-token-0123456789"
READER = "reader-token-0123456789"


async def test_only_admin_tokens_read_the_log_and_entries_name_the_token() -> None:
    config = Config(
        backends=(BackendConfig(name="office", vendor="local", options={"path": ":memory:"}),),
        auth=AuthConfig(tokens=(ApiToken("provisioning", ADMIN), ApiToken("viewer", READER, role="reader"))),
        state=StateConfig(),
    )
    admin = {"Authorization": f"Bearer {ADMIN}"}
    async with GraphQLTestClient.running(config, headers=admin) as client:
        await client.data(
            'mutation { createUser(backend: "office", input: {username: "tok", extension: "7406"}) { id } }'
        )
        trail = await client.data(LOG)
        assert [e["token"] for e in trail["auditLog"]["nodes"]] == ["provisioning"]
        reader = {"Authorization": f"Bearer {READER}"}
        refused = await client.execute(LOG, headers=reader)
        assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        assert (await client.http.get("/audit.jsonl", headers=reader)).status_code == 403
        assert (await client.http.get("/audit.jsonl", headers={"Authorization": ""})).status_code == 401
        assert (await client.http.get("/audit.jsonl", params={"kind": "PLANET"})).status_code == 400
        assert len((await client.http.get("/audit.jsonl")).text.splitlines()) == 1


async def test_the_values_before_cost_one_read_of_the_object_alone(start: Start) -> None:
    """Reading the values before adds one GET of the object and nothing else (no registration state)."""
    seen: dict[bool, list[tuple[str, str]]] = {}
    for read_before in (True, False):
        async with start(state=StateConfig(audit_read_before=read_before)) as stack:
            user = (await stack.client.data(CREATE, {"name": "jane", "ext": "7409"}))["createUser"]["id"]
            stack.reset()
            await stack.client.data(UPDATE, {"id": user})
            # the two stacks' users have ids of their own: compare the requests without them
            seen[read_before] = [
                (m, path.replace(decode_id(user).native_id, "{id}")) for m, path in stack.requests("era")
            ]
    extra = list(seen[True])
    for request in seen[False]:
        extra.remove(request)
    assert extra == [("GET", "/rest/v1/uc/sipusers")]  # the object alone: its registration state is not read


async def test_values_before_are_not_read_when_told_not_to(start: Start) -> None:
    async with start(state=StateConfig(audit_read_before=False)) as stack:
        user = (await stack.client.data(CREATE, {"name": "jane", "ext": "7407"}))["createUser"]["id"]
        await stack.client.data(
            'mutation($id: ID!) { updateUser(id: $id, input: {extension: "7408"}) { id } }', {"id": user}
        )
        await stack.client.data(DELETE, {"id": user})
        delete, update, _ = (await log(stack, objectId=user))["nodes"]
        assert fields(update) == {"extension": (None, "7408")}
        assert all(before is None for before, _ in fields(delete).values())


async def test_a_move_is_recorded_step_by_step_on_both_backends(stack: Stack) -> None:
    from tests.changes.test_move import _move, _setup

    user = await _setup(stack)
    moved = await _move(stack, user, "sipxcom")
    assert moved["status"] == "APPLIED"
    trail = await log(stack, backends=["era", "sipxcom"])
    steps = [(e["backend"], e["kind"], e["operation"]) for e in reversed(trail["nodes"])]
    # after the set-up batch: the target's creates, then the source cleaned, its user last
    assert set(steps[-4:]) == {
        ("era", "GROUP", "remove_members"),
        ("era", "QUEUE", "set_members"),
        ("era", "DEVICE", "delete"),
        ("era", "USER", "delete"),
    }
    assert steps[-1] == ("era", "USER", "delete")
    assert ("sipxcom", "USER", "create") in steps and ("sipxcom", "DEVICE", "create") in steps
    assert all(e["outcome"] == "ok" for e in trail["nodes"])

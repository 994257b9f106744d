"""Ids and cursors a caller crafts: no crash, no wrong object, no request that leaves its path."""

from __future__ import annotations

import base64
import json

import pytest

from pbxgraph.connectors.http import VendorHttp
from pbxgraph.domain import Kind
from pbxgraph.errors import BadUserInput
from pbxgraph.ids import encode_id
from tests.trust.conftest import BACKENDS, LOCAL, Stack
from tests.trust.surface import error_fields, post, real_ids

pytestmark = pytest.mark.asyncio(loop_scope="module")

NODE = "query($id: ID!) { node(id: $id) { id ... on User { username } } }"
UPDATE_USER = 'mutation($id: ID!) { updateUser(id: $id, input: {displayName: "Changed"}) { id } }'
DELETE_USER = "mutation($id: ID!) { deleteUser(id: $id) { deletedId } }"
#: Native ids that are numbers to the eye but not ASCII digits.
UNICODE_DIGITS = ["²", "١٢", "１２", "12²", "٣", "𝟙𝟚", "1_2", " 12", "+12"]
#: Native ids that would take a vendor request out of its path.
ESCAPING = [
    "..",
    ".",
    "",
    "%2e%2e",
    "%2E.",
    "%252e%252e",
    "a/b",
    "../users",
    "a%2Fb",
    "a\\b",
    "a%5Cb",
    "a?b",
    "a%3Fb",
    "a#b",
    "a%23b",
    "a\x00b",
    "x\n",
    "\x7f",
    "a%0Ab",
    "a\u202eb",
    "..%2F..%2Fadmin%ff",
    "a%2Fb%ff",
    "%2e%2e%ff%2F",
]


async def test_unicode_digits_in_a_numeric_native_id_name_nothing(fresh: Stack) -> None:
    """``١٢`` is not user 12 and ``²`` is no crash: numeric ids are ASCII digits, on every vendor."""
    twelve = await fresh.client.data(NODE, {"id": encode_id(Kind.USER, LOCAL, "12")})
    assert twelve["node"] is not None
    for backend, natives in (
        (LOCAL, UNICODE_DIGITS),
        ("sipxcom-demo", UNICODE_DIGITS),
        ("infinity-demo", [f"1-{n}" for n in UNICODE_DIGITS] + ["١-١٢", "1-12²"]),
    ):
        fresh.reset_calls()
        for native in natives:
            gid = encode_id(Kind.USER, backend, native)
            body = await post(fresh.client, NODE, {"id": gid})
            assert body == {"data": {"node": None}}, (backend, native, body)
            for mutation in (UPDATE_USER, DELETE_USER):
                body = await post(fresh.client, mutation, {"id": gid})
                assert error_fields(body) == [("NOT_FOUND", None)], (backend, native, body)
        requests = {name: len(e.recorder.requests) for name, e in fresh.emulators.items()}
        assert requests == dict.fromkeys(fresh.emulators, 0), backend  # nothing numeric to ask a vendor for


async def test_unicode_digits_in_extensions_are_bad_user_input(fresh: Stack) -> None:
    for backend in BACKENDS:
        for number in ("١٢٣", "12²", "５６５７"):
            body = await post(
                fresh.client,
                "mutation($b: String!, $e: String) { createUser(backend: $b, "
                'input: {username: "digits.user", extension: $e}) { id } }',
                {"b": backend, "e": number},
            )
            assert error_fields(body) == [("BAD_USER_INPUT", "input.extension")]
    for number in ("١٢٣", "12²"):
        body = await post(fresh.client, "query($n: String!) { directory(number: $n) { number } }", {"n": number})
        assert error_fields(body) == [("BAD_USER_INPUT", "number")]
        body = await post(
            fresh.client, "query($n: String) { users(filter: {extension: $n}) { totalCount } }", {"n": number}
        )
        assert error_fields(body) == [("BAD_USER_INPUT", "filter.extension")]
    assert fresh.calls() == fresh.no_calls()


@pytest.mark.parametrize("backend", BACKENDS)
async def test_a_native_id_that_would_leave_its_path_reaches_no_backend(fresh: Stack, backend: str) -> None:
    """``deleteUser`` with the native id ``..`` once reached Era as ``DELETE /rest/v1/uc/sipusers``."""
    reads = [(NODE, "id"), ("query($id: ID!) { nodes(ids: [$id]) { id } }", "ids[0]")]
    writes = [
        (UPDATE_USER, "id"),
        (DELETE_USER, "id"),
        (
            'mutation($id: ID!) { createGroup(backend: "%s", input: {name: "G", memberIds: [$id]}) { id } }' % backend,
            "input.memberIds[0]",
        ),
    ]
    for native in ESCAPING:
        gid = encode_id(Kind.USER, backend, native)
        for query, field in reads + writes:
            body = await post(fresh.client, query, {"id": gid})
            assert error_fields(body) == [("BAD_USER_INPUT", field)], (native, query, body)
    for kind, mutation in (
        (Kind.GROUP, "deleteGroup"),
        (Kind.QUEUE, "deleteQueue"),
        (Kind.TRUNK, "deleteTrunk"),
        (Kind.DEVICE, "deleteDevice"),
        (Kind.DEVICE, "restartDevice"),
    ):
        body = await post(
            fresh.client,
            f"mutation($id: ID!) {{ {mutation}(id: $id) {{ __typename }} }}",
            {"id": encode_id(kind, backend, "..")},
        )
        assert error_fields(body) == [("BAD_USER_INPUT", "id")], (mutation, body)
    assert fresh.calls() == fresh.no_calls()


def _forged(cursor: str, change: object) -> str:
    data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    data["o"] = change(data["o"])  # type: ignore[operator]
    text = json.dumps(data, allow_nan=True)
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


async def test_forged_cursors_are_bad_user_input_naming_after(fresh: Stack) -> None:
    page = await fresh.client.data("{ users(first: 3) { pageInfo { endCursor } } }")
    cursor = page["users"]["pageInfo"]["endCursor"]
    again = await fresh.client.data(
        "query($a: String) { users(first: 3, after: $a) { edges { cursor } } }", {"a": cursor}
    )
    assert len(again["users"]["edges"]) == 3  # the real cursor works

    def each(value: object) -> object:
        return lambda offsets: dict.fromkeys(offsets, value)

    forgeries = [
        _forged(cursor, each(2**63)),
        _forged(cursor, each(2**64 + 5)),
        _forged(cursor, each(10**400)),
        _forged(cursor, each(-1)),
        _forged(cursor, each(1.5)),
        _forged(cursor, each(1e308)),
        _forged(cursor, each(float("inf"))),
        _forged(cursor, each(float("nan"))),
        _forged(cursor, each("12")),
        _forged(cursor, each("١٢")),
        _forged(cursor, each(True)),
        _forged(cursor, each(None)),
        _forged(cursor, each([1])),
        _forged(cursor, lambda o: [1, 2]),
        _forged(cursor, lambda o: {**o, "x": 1}),
        _forged(cursor, lambda o: {}),
        cursor[:-2],
        cursor + "\n",
        cursor + "!",
        "x" * 5000,
        "",
        base64.urlsafe_b64encode(b"[" * 5000).decode(),
        base64.urlsafe_b64encode(b"\xff\xfe").decode(),
    ]
    fresh.reset_calls()
    for forged in forgeries:
        body = await post(
            fresh.client, "query($a: String) { users(first: 3, after: $a) { totalCount } }", {"a": forged}
        )
        if forged == "":
            assert "errors" not in body  # an empty cursor is no cursor: the first page
            fresh.reset_calls()
            continue
        assert error_fields(body) == [("BAD_USER_INPUT", "after")], (forged[:60], body)
        assert len(body["errors"][0]["message"]) < 200
    assert fresh.calls() == fresh.no_calls()


async def test_ids_of_other_backends_and_kinds_are_refused_before_any_call(fresh: Stack) -> None:
    ids = await real_ids(fresh.client)
    office_user, era_user = ids[LOCAL][Kind.USER][0], ids["era-demo"][Kind.USER][0]
    office_group = ids[LOCAL][Kind.GROUP][0]
    fresh.reset_calls()
    cases = [
        ('mutation($id: ID!) { updateGroup(id: $id, input: {name: "X"}) { id } }', {"id": office_user}, "id"),
        (
            "mutation($g: ID!, $u: [ID!]!) { addGroupMembers(groupId: $g, userIds: $u) { id } }",
            {"g": office_group, "u": [office_user, era_user]},
            "userIds[1]",
        ),
        (
            "mutation($id: ID!) { deleteUser(id: $id) { deletedId } }",
            {"id": encode_id(Kind.USER, "nowhere", "1")},
            "id",
        ),
    ]
    for query, variables, field in cases:
        body = await post(fresh.client, query, variables)
        assert error_fields(body) == [("BAD_USER_INPUT", field)], body
    assert fresh.calls() == fresh.no_calls()


async def test_the_shared_http_seam_sends_no_path_that_leaves_its_resource(fresh: Stack) -> None:
    """The last line behind id decoding: whatever a connector builds (also from a vendor's own payload)."""
    for name, emulator in fresh.emulators.items():
        http = VendorHttp(name, f"http://{name}.test", timeout_s=5, max_concurrency=1, transport=emulator.transport())
        for path in [
            "/rest/v1/uc/sipusers/..",
            "/users/%2e%2E",
            "/users/%252e%252e/x",
            "/users/./1",
            "/users//1",
            "/users/1/",
            "/users/1#x",
            "/users/a%2Fb",
            "/users/a\\b",
            "/users/1%0A",
            "/users/\x00",
            "/users/..%2F..%2Fadmin%ff",
        ]:
            with pytest.raises(BadUserInput) as info:
                await http.request("DELETE", path)
            assert info.value.backend == name
        await http.aclose()
    assert fresh.calls() == fresh.no_calls()


async def test_a_native_id_longer_than_255_characters_is_refused_and_not_echoed(fresh: Stack) -> None:
    body = await post(fresh.client, NODE, {"id": encode_id(Kind.USER, "era-demo", "a" * 256)})
    assert error_fields(body) == [("BAD_USER_INPUT", "id")]
    assert "a" * 40 not in body["errors"][0]["message"]
    assert fresh.calls() == fresh.no_calls()
    body = await post(fresh.client, NODE, {"id": encode_id(Kind.USER, "era-demo", "a" * 255)})
    assert body == {"data": {"node": None}}  # well formed: Era is asked, and has no such user

"""Property-based fuzzing of the GraphQL surface, starting from values that are valid.

Random ids never pass id decoding, so a fuzzer that invents them only ever
tests the decoder. These strategies start from what the running app itself
hands out (global ids of objects that exist on each backend, cursors from
real listings, inputs that pass validation) and then bend one value: Unicode
digits, control characters, trailing newlines, huge numbers, long strings,
ids of other backends and other kinds, truncated and forged cursors, unsafe
native ids.

Whatever is sent, the answer is never a 5xx nor INTERNAL_SERVER_ERROR, and
every error carries a known code. A value that is invalid on its face (one
the server can refuse without asking anyone) makes no backend call at all:
neither a connector call (spies) nor an HTTP request to an emulator
(recorders). Writes are only sent with such values, so the run changes
nothing but the objects its few valid creates add.

The run is derandomized (the same examples every time, no example database),
so CI is reproducible. A longer, random run by hand:
``PBXGRAPH_FUZZ_EXAMPLES=5000 PBXGRAPH_FUZZ_RANDOM=1 pytest tests/trust/test_fuzz.py``.
"""

from __future__ import annotations

import base64
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from pbxgraph.domain import Kind
from pbxgraph.errors import BadUserInput
from pbxgraph.ids import decode_id, encode_id
from pbxgraph.schema.limits import MAX_LENGTH
from tests.trust.conftest import BACKENDS, Stack
from tests.trust.surface import KNOWN_CODES, real_ids

pytestmark = pytest.mark.asyncio(loop_scope="module")

PLURALS = {"users": Kind.USER, "groups": Kind.GROUP, "queues": Kind.QUEUE, "trunks": Kind.TRUNK, "devices": Kind.DEVICE}
UNICODE_DIGITS = "²³¹١٢٣٤۵６７𝟠९০"
CONTROLS = "\x00\x01\x07\x08\t\n\x0b\x0c\r\x1b\x7f\x85\u2028\u2029"
UNSAFE_NATIVE = [
    "..",
    ".",
    "",
    "%2e%2e",
    "%252e%252e",
    "a/b",
    "a%2Fb",
    "a\\b",
    "a?b",
    "a#b",
    "a\nb",
    "\x00",
    "../../x",
    "a%23b",
]
UPDATE_INPUT = {
    Kind.USER: (
        "UpdateUserInput",
        {
            "displayName": "Fuzz",
            "email": "fuzz@example.com",
            "extension": "4801",
            "username": "fuzz.user",
            "sipPassword": "Fuzz-Pw-1",
        },
    ),
    Kind.GROUP: ("UpdateGroupInput", {"name": "Fuzz", "extension": "4802", "description": "fuzzed"}),
    Kind.QUEUE: ("UpdateQueueInput", {"name": "Fuzz", "extension": "4803", "description": "fuzzed"}),
    Kind.TRUNK: (
        "UpdateTrunkInput",
        {"name": "Fuzz", "host": "sip.example.org", "username": "acct", "password": "Fuzz-Pw-2"},
    ),
    Kind.DEVICE: ("UpdateDeviceInput", {"mac": "00:04:f2:00:48:01", "model": "Fuzz 1", "name": "Fuzz"}),
}
CREATE_INPUT = {
    Kind.USER: (
        "CreateUserInput",
        {
            "username": "fuzz.new",
            "displayName": "Fuzz New",
            "extension": "4811",
            "email": "new@example.com",
            "sipPassword": "Fuzz-Pw-3",
        },
    ),
    Kind.GROUP: ("CreateGroupInput", {"name": "Fuzz group", "extension": "4812", "description": "fuzzed"}),
    Kind.QUEUE: ("CreateQueueInput", {"name": "Fuzz queue", "extension": "4813", "description": "fuzzed"}),
    Kind.TRUNK: (
        "CreateTrunkInput",
        {"name": "Fuzz trunk", "host": "sip.example.org", "username": "acct", "password": "Fuzz-Pw-4"},
    ),
    Kind.DEVICE: ("CreateDeviceInput", {"mac": "00:04:f2:00:48:11", "model": "Fuzz 1", "name": "Fuzz"}),
}
DIGIT_FIELDS = {"extension", "number"}


@dataclass
class World:
    """What the running app handed out: ids per backend and kind, cursors per listing."""

    ids: dict[str, dict[Kind, list[str]]]
    cursors: dict[tuple[str, tuple[str, ...] | None], list[str]] = field(default_factory=dict)
    extensions: list[str] = field(default_factory=list)


@dataclass
class Request:
    query: str
    variables: dict[str, Any]
    #: True when the request holds a value the server must refuse (BAD_USER_INPUT)...
    refused: bool = False
    what: list[str] = field(default_factory=list)
    #: ...and then call no backend at all (False where other parts of it are valid and answered).
    partial: bool = False


@pytest.fixture(scope="module")
def world_holder() -> dict[str, World]:
    return {}


async def world_of(stack: Stack, holder: dict[str, World]) -> World:
    if "world" in holder:
        return holder["world"]
    world = World(ids=await real_ids(stack.client))
    for plural in PLURALS:
        for backends in (None, *((b,) for b in BACKENDS)):
            body = await stack.client.execute(
                f"query($b: [String!]) {{ {plural}(backends: $b, first: 3) {{ edges {{ cursor }} }} }}",
                {"b": list(backends) if backends else None},
            )
            edges = (body.get("data") or {}).get(plural, {}).get("edges", []) if body.get("data") else []
            world.cursors[(plural, backends)] = [e["cursor"] for e in edges]
    users = await stack.client.data("{ users(first: 100) { nodes { extension } } }")
    world.extensions = [n["extension"] for n in users["users"]["nodes"] if n["extension"]][:20]
    holder["world"] = world
    return world


# --- bending one value ----------------------------------------------------------------


def bent_text(draw: Callable[..., Any], value: str, name: str) -> tuple[str, bool, str]:
    """A string leaf bent one way: (value, must be refused before any backend, what was done)."""
    how = draw(
        st.sampled_from(
            ["newline", "control", "overlong", "surrogate", "unicode-digits", "unicode-text", "empty", "keep"]
        )
    )
    if how == "newline":
        return value + draw(st.sampled_from(["\n", "\r\n", "\r"])), True, how
    if how == "control":
        at = draw(st.integers(0, len(value)))
        return value[:at] + draw(st.sampled_from(CONTROLS)) + value[at:], True, how
    if how == "overlong":
        limit = MAX_LENGTH[name]
        return draw(st.sampled_from("a7Z.-")) * draw(st.integers(limit + 1, limit + 60_000)), True, how
    if how == "surrogate":
        return value + "\ud800", True, how
    if how == "unicode-digits":
        digits = "".join(draw(st.sampled_from(UNICODE_DIGITS)) for _ in range(4))
        return (digits, True, how) if name in DIGIT_FIELDS else (value + digits, False, how)
    if how == "unicode-text":
        text = value + draw(
            st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=8)
        )
        return text, name in DIGIT_FIELDS and not re.fullmatch("[0-9]{2,15}", text), how
    if how == "empty":
        return "", False, how
    return value, False, how


def bent_id(
    draw: Callable[..., Any], value: str, world: World, *, strict_kinds: set[Kind] | None, home: str | None
) -> tuple[str, bool, str]:
    """A real global id bent one way. ``strict_kinds``: the kinds the argument accepts (None: any);
    ``home``: the backend it must live on (that of the request's target), if any."""
    try:
        gid = decode_id(value)
    except BadUserInput:  # already bent out of shape by an earlier draw
        return value + "\x00", True, "control"
    how = draw(
        st.sampled_from(
            [
                "unsafe-native",
                "unicode-digits",
                "huge-number",
                "other-kind",
                "other-backend",
                "unknown-backend",
                "truncated",
                "suffix",
                "garbage",
                "keep",
            ]
        )
    )
    if how == "unsafe-native":
        return encode_id(gid.kind, gid.backend, draw(st.sampled_from(UNSAFE_NATIVE))), True, how
    if how == "unicode-digits":
        native = "".join(draw(st.sampled_from(UNICODE_DIGITS)) for _ in range(draw(st.integers(1, 4))))
        return encode_id(gid.kind, gid.backend, native), False, how
    if how == "huge-number":
        return encode_id(gid.kind, gid.backend, str(draw(st.integers(2**62, 2**200)))), False, how
    if how == "other-kind":
        kind = draw(st.sampled_from([k for k in Kind if k is not gid.kind]))
        return encode_id(kind, gid.backend, gid.native_id), strict_kinds is not None and kind not in strict_kinds, how
    if how == "other-backend":
        backend = draw(st.sampled_from([b for b in BACKENDS if b != gid.backend]))
        return encode_id(gid.kind, backend, gid.native_id), home is not None and backend != home, how
    if how == "unknown-backend":
        return encode_id(gid.kind, draw(st.sampled_from(["nowhere", "office2", "Era-demo"])), gid.native_id), True, how
    if how == "truncated":
        return value[: draw(st.integers(0, len(value) - 1))], value[:1] == "", how
    if how == "suffix":
        suffix = draw(st.sampled_from(["\n", " ", "=", "!", "%", "\u00e9"]))
        return value + suffix, suffix != "=", how  # base64 padding is tolerated
    if how == "garbage":
        return (
            draw(
                st.text(
                    alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", min_size=1, max_size=60
                )
            ),
            False,
            how,
        )
    return value, False, how


def bent_cursor(draw: Callable[..., Any], cursor: str, other: list[str]) -> tuple[str, bool, str]:
    how = draw(st.sampled_from(["forged", "truncated", "other-listing", "suffix", "keep"]))
    if how == "forged":
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        value = draw(
            st.one_of(
                st.integers(2**31, 2**80),
                st.integers(-(2**70), -1),
                st.floats(allow_nan=True),
                st.text(UNICODE_DIGITS, min_size=1, max_size=3),
                st.booleans(),
                st.none(),
                st.lists(st.integers(), max_size=2),
            )
        )
        data["o"] = dict.fromkeys(data["o"], value)
        text = json.dumps(data, allow_nan=True)
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("="), True, how
    if how == "truncated":
        return cursor[: draw(st.integers(1, len(cursor) - 1))], False, how
    if how == "other-listing" and other and other[0] != cursor:
        return other[0], False, how
    if how == "suffix":
        return cursor + draw(st.sampled_from(["\n", "\t", "%00"])), True, how
    return cursor, False, "keep"


# --- requests -------------------------------------------------------------------------


@st.composite
def read_request(draw: Callable[..., Any], world: World) -> Request:
    shape = draw(st.sampled_from(["node", "nodes", "listing", "directory"]))
    backend = draw(st.sampled_from([b for b in BACKENDS if world.ids.get(b)]))
    pool = [i for ids in world.ids[backend].values() for i in ids]
    bend = draw(st.booleans())
    if shape == "node":
        value, refused, how = (
            bent_id(draw, draw(st.sampled_from(pool)), world, strict_kinds=None, home=None)
            if bend
            else (draw(st.sampled_from(pool)), False, "keep")
        )
        return Request(
            "query($id: ID!) { node(id: $id) { id ... on User { username groups { id } } } }",
            {"id": value},
            refused,
            [f"node {how}"],
        )
    if shape == "nodes":
        ids = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=4))
        request = Request("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": ids}, what=["nodes"])
        if bend:
            at = draw(st.integers(0, len(ids) - 1))
            ids[at], refused, how = bent_id(draw, ids[at], world, strict_kinds=None, home=None)
            request.refused, request.what, request.partial = refused, [f"nodes[{at}] {how}"], len(ids) > 1
        return request
    if shape == "directory":
        number = draw(st.sampled_from(world.extensions or ["201"]))
        refused, how = False, "keep"
        if bend:
            number, refused, how = bent_text(draw, number, "number")
        return Request(
            "query($n: String!) { directory(number: $n) { entries { backend kind } } }",
            {"n": number},
            refused,
            [f"directory {how}"],
        )
    plural = draw(st.sampled_from(list(PLURALS)))
    scope = draw(st.sampled_from([None, (backend,)]))
    variables: dict[str, Any] = {"b": list(scope) if scope else None, "first": draw(st.integers(0, 12))}
    cursors = world.cursors.get((plural, scope), [])
    request = Request(
        f"query($b: [String!], $first: Int!, $after: String, $f: {'DeviceFilter' if plural == 'devices' else 'ListFilter'}) "
        f"{{ {plural}(backends: $b, first: $first, after: $after, filter: $f) "
        f"{{ totalCount edges {{ cursor node {{ id }} }} pageInfo {{ hasNextPage }} }} }}",
        variables,
        what=[plural],
    )
    variables["after"] = draw(st.sampled_from(cursors)) if cursors and draw(st.booleans()) else None
    variables["f"] = None
    if not bend:
        return request
    target = draw(st.sampled_from(["after", "first", "backends", "search", "extension"]))
    if target == "after" and variables["after"]:
        others = [c for key, found in world.cursors.items() if key != (plural, scope) for c in found]
        variables["after"], request.refused, how = bent_cursor(draw, variables["after"], others)
    elif target == "first":
        variables["first"] = draw(st.sampled_from([-1, 501, 10**6, 2**31, -(2**31) - 1, 2**63]))
        request.refused, how = True, "out of range"
    elif target == "backends":
        name, request.refused, how = bent_text(draw, backend, "backends")
        variables["b"] = [name]
        request.refused = request.refused or (name not in (backend, ""))
    elif target == "search":
        variables["f"] = {"search": draw(st.sampled_from(["a", "Anna", "%", "_"]))}
        variables["f"]["search"], request.refused, how = bent_text(draw, variables["f"]["search"], "search")
    else:
        key = "mac" if plural == "devices" else "extension"
        start = "00:04:f2:00:00:01" if key == "mac" else draw(st.sampled_from(world.extensions or ["201"]))
        value, request.refused, how = bent_text(draw, start, key if key == "mac" else "extension")
        if key == "mac" and how in ("unicode-digits", "unicode-text"):
            request.refused = True  # no longer 12 hex digits
        variables["f"] = {key: value}
    request.what.append(f"{target} {how}")
    return request


@st.composite
def write_request(draw: Callable[..., Any], world: World) -> Request:
    """A mutation with one value bent so that it must be refused before any backend is asked."""
    backend = draw(st.sampled_from([b for b in BACKENDS if world.ids[b].get(Kind.USER)]))
    kinds = [k for k in Kind if world.ids[backend].get(k)]
    kind = draw(st.sampled_from(kinds))
    target = draw(st.sampled_from(world.ids[backend][kind]))
    verb = draw(st.sampled_from(["update", "delete", "create", "members"]))
    if verb == "members" and kind not in (Kind.GROUP, Kind.QUEUE, Kind.DEVICE):
        verb = "update"
    name = kind.value.capitalize()
    if verb == "members":
        user = draw(st.sampled_from(world.ids[backend][Kind.USER]))
        if kind is Kind.GROUP:
            query, variables = (
                "mutation($t: ID!, $u: [ID!]!) { addGroupMembers(groupId: $t, userIds: $u) { id } }",
                {"t": target, "u": [user]},
            )
            slots = [("t", {Kind.GROUP}, False), ("u.0", {Kind.USER}, True)]
        elif kind is Kind.QUEUE:
            query, variables = (
                "mutation($t: ID!, $m: [QueueMemberInput!]!) { setQueueMembers(queueId: $t, members: $m) { id } }",
                {"t": target, "m": [{"id": user, "priority": 1}]},
            )
            slots = [
                ("t", {Kind.QUEUE}, False),
                ("m.0.id", {Kind.USER, Kind.GROUP}, True),
                ("m.0.priority", None, None),
            ]
        else:
            query, variables = (
                "mutation($t: ID!, $u: ID!) { assignDevice(deviceId: $t, userId: $u) { id } }",
                {"t": target, "u": user},
            )
            slots = [("t", {Kind.DEVICE}, False), ("u", {Kind.USER}, True)]
    elif verb == "delete":
        query, variables = f"mutation($t: ID!) {{ delete{name}(id: $t) {{ deletedId }} }}", {"t": target}
        slots = [("t", {kind}, False)]
    elif verb == "create":
        type_name, fields = CREATE_INPUT[kind]
        query = f"mutation($b: String!, $i: {type_name}!) {{ create{name}(backend: $b, input: $i) {{ id }} }}"
        variables = {"b": backend, "i": dict(fields)}
        slots = [("b", None, None), *((f"i.{f}", None, None) for f in fields)]
    else:
        type_name, fields = UPDATE_INPUT[kind]
        query = f"mutation($t: ID!, $i: {type_name}!) {{ update{name}(id: $t, input: $i) {{ id }} }}"
        variables = {"t": target, "i": dict(fields)}
        slots = [("t", {kind}, False), *((f"i.{f}", None, None) for f in fields)]
    request = Request(query, variables, what=[f"{verb} {kind.value} on {backend}"])
    for _ in range(20):  # bend values until one must be refused outright
        path, strict, same = draw(st.sampled_from(slots))
        holder, key = _slot(variables, path)
        value = holder[key]
        if isinstance(value, int):
            holder[key], refused, how = draw(st.sampled_from([1001, -1, 2**31, 2**40])), True, "out of range"
        elif strict is not None:
            home = _backend_of(variables["t"]) if same else None
            holder[key], refused, how = bent_id(draw, value, world, strict_kinds=strict, home=home)
        else:
            holder[key], refused, how = bent_text(draw, value, path.rsplit(".", 1)[-1] if "." in path else "backend")
            if path == "b":
                refused = holder[key] not in BACKENDS
        request.what.append(f"{path} {how}")
        if refused:
            request.refused = True
            return request
    holder[key] = "\x00"  # no luck drawing: a control character is always refused
    request.refused = True
    return request


PRINTABLE = st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"))


@st.composite
def odd_write(draw: Callable[..., Any], world: World) -> Request:
    """A create whose every value is valid but unusual (any printable Unicode): it reaches the vendor."""
    backend = draw(st.sampled_from(BACKENDS))
    if draw(st.booleans()):
        return Request(
            "mutation($b: String!, $u: String!, $d: String) { createUser(backend: $b, input: "
            "{username: $u, displayName: $d}) { id displayName } }",
            {
                "b": backend,
                "u": f"odd.{draw(st.integers(0, 10**6))}",
                "d": draw(st.text(PRINTABLE, min_size=1, max_size=MAX_LENGTH["displayName"])),
            },
            what=[f"odd user on {backend}"],
        )
    return Request(
        "mutation($b: String!, $n: String!, $d: String) { createGroup(backend: $b, input: "
        "{name: $n, description: $d}) { id name } }",
        {
            "b": backend,
            "n": draw(st.text(PRINTABLE, min_size=1, max_size=40)).strip() or "odd",
            "d": draw(st.text(PRINTABLE, max_size=60)),
        },
        what=[f"odd group on {backend}"],
    )


def _backend_of(value: str) -> str | None:
    try:
        return decode_id(value).backend
    except BadUserInput:
        return None


def _slot(variables: dict[str, Any], path: str) -> tuple[Any, Any]:
    steps: list[Any] = [int(s) if s.isdecimal() else s for s in path.split(".")]
    holder: Any = variables
    for step in steps[:-1]:
        holder = holder[step]
    return holder, steps[-1]


# --- the property ----------------------------------------------------------------------


async def send(stack: Stack, request: Request) -> tuple[int, dict[str, Any]]:
    response = await stack.client.http.post(
        "/graphql",
        content=json.dumps({"query": request.query, "variables": request.variables}),
        headers={"content-type": "application/json"},
    )
    return response.status_code, response.json()


@settings(
    max_examples=int(os.environ.get("PBXGRAPH_FUZZ_EXAMPLES", "500")),
    deadline=None,
    derandomize=not os.environ.get("PBXGRAPH_FUZZ_RANDOM"),
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
async def test_no_crafted_request_crashes_the_server_or_reaches_a_backend_it_should_not(
    stack: Stack, world_holder: dict[str, World], data: st.DataObject
) -> None:
    world = await world_of(stack, world_holder)
    shape = data.draw(st.sampled_from(["read", "read", "read", "write", "write", "write", "odd"]))
    request = data.draw({"read": read_request, "write": write_request, "odd": odd_write}[shape](world))
    event(f"{request.what[0].split(' on ')[0]}, {'refused' if request.refused else 'answered'}")
    stack.reset_calls()
    status, body = await send(stack, request)
    note = f"{request.what}: {json.dumps(request.variables)[:300]} -> {str(body)[:400]}"
    assert status < 500, note
    codes = [e.get("extensions", {}).get("code") for e in body.get("errors") or []]
    assert "INTERNAL_SERVER_ERROR" not in codes, note
    assert set(codes) <= KNOWN_CODES, note
    for error in body.get("errors") or []:
        assert len(error["message"]) <= 1000, note
    if request.refused:
        assert "BAD_USER_INPUT" in codes, note
        if not request.partial:
            assert stack.calls() == stack.no_calls(), note

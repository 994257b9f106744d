"""Every string a caller sends: a documented maximum length, no control characters, checked first.

The tests walk the schema, so every argument and input field of every query
and mutation is fed the bad value on its own (the rest of the request valid),
and must answer BAD_USER_INPUT naming exactly that argument path, with no
backend called and the value not echoed.
"""

from __future__ import annotations

import itertools

import pytest

from pbxgraph.domain import Kind
from pbxgraph.schema.limits import MAX_LENGTH
from tests.trust.conftest import BACKENDS, LOCAL, Stack
from tests.trust.surface import (
    dotted,
    error_fields,
    operations,
    post,
    real_ids,
    replaced,
    string_leaves,
    valid_arguments,
    value_at,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def _each_leaf_fed(fresh: Stack, bad: object, backend: str = LOCAL) -> list[str]:
    """Feed ``bad(value, name)`` to every string leaf of every root field; the failures, as text."""
    ids = {kind: found[0] for kind, found in (await real_ids(fresh.client))[backend].items()}
    for kind in Kind:  # a backend without trunks still gets a well-formed trunk id
        ids.setdefault(kind, ids[Kind.USER])
    fresh.reset_calls()
    failures = []
    checked = 0
    for operation in operations():
        arguments = valid_arguments(operation, ids)
        for path, name in string_leaves(operation, arguments):
            value = bad(value_at(arguments, path), name)  # type: ignore[operator]
            variables = replaced(arguments, path, value)
            body = await post(fresh.client, operation.document(), variables)
            checked += 1
            where = f"{operation.field} {dotted(path)}"
            if error_fields(body) != [("BAD_USER_INPUT", dotted(path))]:
                failures.append(f"{where}: {body.get('errors') or body.get('data')}")
            elif len(body["errors"][0]["message"]) > 200 or (len(value) > 40 and value[:40] in str(body)):
                failures.append(f"{where}: the error echoes the value")
            if any(fresh.calls().values()):
                failures.append(f"{where}: backend calls {fresh.calls()}")
                fresh.reset_calls()
    assert checked > 80  # every mutation input and filter, not a handful
    return failures


@pytest.mark.parametrize("backend", BACKENDS)
async def test_a_trailing_newline_in_any_field_is_bad_user_input_before_any_backend(fresh: Stack, backend: str) -> None:
    assert await _each_leaf_fed(fresh, lambda value, name: value + "\n", backend) == []


async def test_a_control_character_in_any_field_is_bad_user_input(fresh: Stack) -> None:
    chars = itertools.cycle(["\x00", "\t", "\x1b", "\x7f", "\x85", "\u2028", "\ud800"])
    assert await _each_leaf_fed(fresh, lambda value, name: value[:1] + next(chars) + value[1:]) == []


async def test_a_value_longer_than_its_limit_is_bad_user_input_and_not_echoed(fresh: Stack) -> None:
    assert await _each_leaf_fed(fresh, lambda value, name: "7" * (MAX_LENGTH[name] + 1)) == []


async def test_a_fifty_thousand_character_search_reaches_no_backend(fresh: Stack) -> None:
    for plural in ("users", "groups", "queues", "trunks", "devices"):
        body = await fresh.client.execute(
            f"query($s: String) {{ {plural}(filter: {{search: $s}}) {{ totalCount }} }}", {"s": "a%_" * 16_667}
        )
        assert error_fields(body) == [("BAD_USER_INPUT", "filter.search")]
        assert "a%_a%_a%_" * 10 not in body["errors"][0]["message"]
    assert fresh.calls() == fresh.no_calls()


async def test_values_at_their_limit_are_accepted(fresh: Stack) -> None:
    name = "N" * MAX_LENGTH["displayName"]
    body = await fresh.client.execute(
        'mutation($n: String!, $d: String!, $p: String!) { createUser(backend: "office", '
        "input: {username: $n, displayName: $d, sipPassword: $p}) { username displayName } }",
        {"n": "u" * MAX_LENGTH["username"], "d": name, "p": "p" * MAX_LENGTH["sipPassword"]},
    )
    assert body["data"]["createUser"] == {"username": "u" * MAX_LENGTH["username"], "displayName": name}
    search = await fresh.client.data(
        'query($s: String) { users(backends: ["office"], filter: {search: $s}) { totalCount } }',
        {"s": "N" * MAX_LENGTH["search"]},
    )
    assert search["users"]["totalCount"] == 1

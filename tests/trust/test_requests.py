"""Request bodies and query strings that are not a GraphQL request: 400 with a GraphQL error, never 500."""

from __future__ import annotations

import pytest

from tests.trust.conftest import Stack

pytestmark = pytest.mark.asyncio(loop_scope="module")

JSON = {"content-type": "application/json"}
BAD_BODIES = {
    "a JSON string": b'"x"',
    "a JSON number": b"1",
    "JSON null": b"null",
    "JSON true": b"true",
    "an empty array": b"[]",
    "a batch holding a number": b'[{"query": "{ __typename }"}, 5]',
    "a batch entry without a query": b'[{"query": "{ __typename }"}, {"qeury": "{ __typename }"}]',
    "invalid UTF-8": b'{"query": "{ __typename }", "variables": {"a": "\xff\xfe"}}',
    "a UTF-16 byte order mark": b"\xff\xfe{\x00}\x00",
    "100,000-deep arrays": b"[" * 100_000 + b"]" * 100_000,
    "100,000-deep variables": b'{"query": "{ __typename }", "variables": ' + b'{"a":' * 100_000 + b"1" + b"}" * 100_001,
    "NaN": b'{"query": "{ __typename }", "variables": {"a": NaN}}',
    "a number of 5,000 digits": b'{"query": "{ __typename }", "variables": {"a": ' + b"9" * 5000 + b"}}",
    "no JSON at all": b"query { __typename }",
    "an empty body": b"",
    "a cut-off object": b'{"query": "{ __typename }"',
    "a query that is not a string": b'{"query": 5}',
    "variables that are not an object": b'{"query": "{ __typename }", "variables": [1]}',
}


def assert_graphql_400(status: int, body: dict[str, object], what: str, expected: int = 400) -> None:
    assert status == expected, what
    assert "data" not in body, what  # nothing was executed
    errors = body.get("errors")
    assert isinstance(errors, list) and len(errors) == 1, what
    assert isinstance(errors[0]["message"], str) and len(errors[0]["message"]) < 200, what
    assert errors[0]["extensions"] == {"code": "BAD_USER_INPUT"}, what


@pytest.mark.parametrize("what", BAD_BODIES)
async def test_a_post_body_that_is_no_graphql_request_is_a_400_graphql_error(fresh: Stack, what: str) -> None:
    response = await fresh.client.http.post("/graphql", content=BAD_BODIES[what], headers=JSON)
    assert_graphql_400(response.status_code, response.json(), what)
    assert fresh.calls() == fresh.no_calls()


async def test_other_content_types_are_a_415_graphql_error(fresh: Stack) -> None:
    for content_type in (
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/json; charset=latin-1",
    ):
        response = await fresh.client.http.post(
            "/graphql", content=b"query=%7B__typename%7D", headers={"content-type": content_type}
        )
        assert_graphql_400(response.status_code, response.json(), content_type, expected=415)


@pytest.mark.parametrize("variables", ["{bad", "5", "[1]", '"x"', "[" * 2000, '{"a": NaN}', "\udcff"])
async def test_get_variables_that_are_no_json_object_are_a_400_graphql_error(fresh: Stack, variables: str) -> None:
    response = await fresh.client.http.get(
        "/graphql", params={"query": "{ __typename }", "variables": variables.encode("utf-8", "surrogateescape")}
    )
    assert_graphql_400(response.status_code, response.json(), variables[:20])


async def test_good_requests_still_work_both_ways(fresh: Stack) -> None:
    post = await fresh.client.http.post(
        "/graphql", content=b'{"query": "{ __typename }", "variables": null}', headers=JSON
    )
    get = await fresh.client.http.get(
        "/graphql", params={"query": "query($n: Int) { users(first: $n) { totalCount } }", "variables": '{"n": 1}'}
    )
    assert post.status_code == 200 and post.json() == {"data": {"__typename": "Query"}}
    assert get.status_code == 200 and get.json()["data"]["users"]["totalCount"] > 0
    mutation = await fresh.client.http.get(
        "/graphql", params={"query": 'mutation { deleteUser(id: "x") { deletedId } }'}
    )
    assert_graphql_400(mutation.status_code, mutation.json(), "a mutation over GET", expected=405)
    assert mutation.headers["allow"] == "POST"

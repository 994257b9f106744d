"""Reads that failed before any answer are sent once more; reads told to retry later, within a budget; writes never.

Every case counts the exact vendor requests the emulator received.
"""

from __future__ import annotations

import pytest

from pbxgraph.config import Config
from pbxgraph.emulators.toolkit import Fault, FaultKind
from pbxgraph.testing.graphql import GraphQLTestClient, error_codes
from tests.trust.conftest import VENDORS, Running, Vendors

#: The request a ``users`` listing of each vendor makes first (a prefix the other requests do not share).
LIST_PATH = {
    "era": "/rest/v1/uc/sipusers",
    "infinity": "/config/v2.1/sip/domains/1/users",
    "sipxcom": "/sipxconfig/rest/user",
}
USERS = "{ users { nodes { id } } }"


def listed(vendors: Vendors, vendor: str, method: str = "GET") -> int:
    path = LIST_PATH[vendor]
    return sum(1 for r in vendors[vendor].recorder.matching(method, path) if r.path == path)


async def baseline(vendors: Vendors, running: Running, vendor: str) -> tuple[int, int]:
    """How many users, and how many listing requests, the query costs with nothing wrong."""
    async with running(vendors.backend(vendor)) as client:
        data = await client.data(USERS)
    return len(data["users"]["nodes"]), listed(vendors, vendor)


@pytest.mark.parametrize("vendor", VENDORS)
async def test_a_read_reset_before_any_answer_is_sent_once_more(
    vendor: str, vendors: Vendors, running: Running
) -> None:
    users, requests = await baseline(vendors, running, vendor)
    vendors[vendor].faults.add(Fault(kind=FaultKind.RESET, method="GET", path_prefix=LIST_PATH[vendor], times=1))
    async with running(vendors.backend(vendor)) as client:
        data = await client.data(USERS)
    assert len(data["users"]["nodes"]) == users
    assert listed(vendors, vendor) == requests + 1


async def test_a_read_reset_twice_is_unavailable_after_exactly_two_attempts(vendors: Vendors, running: Running) -> None:
    vendors.infinity.faults.add(Fault(kind=FaultKind.RESET, method="GET", path_prefix=LIST_PATH["infinity"]))
    async with running(vendors.backend("infinity")) as client:
        body = await client.execute(USERS)
    assert error_codes(body) == ["BACKEND_UNAVAILABLE"]
    assert listed(vendors, "infinity") == 2


async def test_a_read_cut_off_in_the_middle_of_its_answer_is_not_sent_again(vendors: Vendors, running: Running) -> None:
    vendors.infinity.faults.add(Fault(kind=FaultKind.DROP, method="GET", path_prefix=LIST_PATH["infinity"]))
    async with running(vendors.backend("infinity")) as client:
        body = await client.execute(USERS)
    assert error_codes(body) == ["BACKEND_UNAVAILABLE"]
    assert listed(vendors, "infinity") == 1


@pytest.mark.parametrize(
    ("status", "headers", "times", "code", "attempts"),
    [
        (503, (("Retry-After", "0"),), 1, None, 2),  # told to come back at once: answered
        (429, (("Retry-After", "0"),), 2, None, 3),  # twice: still within the budget
        (429, (("Retry-After", "0"),), None, "BACKEND_UNAVAILABLE", 3),  # forever: gives up after two waits
        (503, (("Retry-After", "3600"),), None, "BACKEND_UNAVAILABLE", 1),  # longer than any budget
        (429, (), None, "BACKEND_UNAVAILABLE", 1),  # no Retry-After: no retry
        (503, (("Retry-After", "\u00b2"),), None, "BACKEND_UNAVAILABLE", 1),  # not a number of seconds
        (500, (("Retry-After", "0"),), None, "BACKEND_ERROR", 1),  # not a "come back later"
    ],
    ids=["503-once", "429-twice", "429-always", "503-an-hour", "429-bare", "503-unicode-digit", "500"],
)
async def test_retry_after_is_honoured_within_a_small_budget(
    status: int,
    headers: tuple[tuple[str, str], ...],
    times: int | None,
    code: str | None,
    attempts: int,
    vendors: Vendors,
    running: Running,
) -> None:
    users, _ = await baseline(vendors, running, "infinity")
    vendors.infinity.faults.add(
        Fault(
            kind=FaultKind.STATUS,
            method="GET",
            path_prefix=LIST_PATH["infinity"],
            status=status,
            headers=headers,
            times=times,
            body=b'{"error": "busy"}',
            content_type="application/json",
        )
    )
    async with running(vendors.backend("infinity")) as client:
        body = await client.execute(USERS)
    assert error_codes(body) == ([code] if code else [])
    if code is None:
        assert len(body["data"]["users"]["nodes"]) == users
    assert listed(vendors, "infinity") == attempts


async def test_a_retry_after_that_would_outlast_the_call_is_not_waited_for(vendors: Vendors, running: Running) -> None:
    vendors.infinity.faults.add(
        Fault(
            kind=FaultKind.STATUS,
            method="GET",
            path_prefix=LIST_PATH["infinity"],
            status=503,
            headers=(("Retry-After", "1"),),
        )
    )
    async with running(vendors.backend("infinity", timeout_s=0.5)) as client:
        body = await client.execute(USERS)
    assert error_codes(body) == ["BACKEND_UNAVAILABLE"]
    assert listed(vendors, "infinity") == 1


@pytest.mark.parametrize(
    "fault",
    [
        Fault(kind=FaultKind.RESET),
        Fault(kind=FaultKind.STATUS, status=503, headers=(("Retry-After", "0"),)),
    ],
    ids=["reset", "503-retry-after"],
)
@pytest.mark.parametrize("vendor", VENDORS)
async def test_a_write_is_sent_exactly_once_whatever_happens(
    vendor: str, fault: Fault, vendors: Vendors, running: Running
) -> None:
    fault.method = "PUT" if vendor == "sipxcom" else "POST"  # how each vendor creates a group
    vendors[vendor].faults.add(fault)
    extension = ', extension: "7701"' if vendor != "sipxcom" else ""  # sipXcom groups have no number
    async with running(vendors.backend(vendor)) as client:
        body = await client.execute(
            f'mutation {{ createGroup(backend: "{vendor}", input: {{name: "Night shift"{extension}}}) {{ id }} }}'
        )
    assert error_codes(body) == ["BACKEND_UNAVAILABLE"]
    writes = [r for r in vendors[vendor].recorder.requests if r.method in ("POST", "PUT", "PATCH", "DELETE")]
    assert len(writes) == 1


async def test_a_stale_pooled_connection_over_loopback_costs_one_more_request(vendors: Vendors) -> None:
    server = vendors.infinity.serve()
    try:
        backend = vendors.backend("infinity", url=server.url)
        async with GraphQLTestClient.running(Config(backends=(backend,))) as client:
            first = await client.data(USERS)  # the connection is now pooled
            vendors.infinity.recorder.clear()
            vendors.infinity.faults.add(
                Fault(kind=FaultKind.RESET, method="GET", path_prefix=LIST_PATH["infinity"], times=1)
            )
            again = await client.data(USERS)
    finally:
        server.stop()
    assert again == first
    assert listed(vendors, "infinity") == 2

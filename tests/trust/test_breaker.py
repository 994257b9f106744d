"""A backend that keeps failing is not called for a while; one probe later decides whether it is back.

Every case counts the exact vendor requests the emulator received: while
the breaker is open a query reaches no vendor, and the rest of it still
comes back.
"""

from __future__ import annotations

import asyncio
import re

import pytest

from pbxgraph.config import BackendConfig, ConfigError, parse_config
from pbxgraph.emulators.toolkit import Fault, FaultKind
from pbxgraph.testing.graphql import GraphQLTestClient, error_codes
from tests.trust.conftest import PREFIX, VENDORS, Running, Vendors

USERS = "{ users { nodes { id backend } } }"
RESET_S = 0.3


def requests(vendors: Vendors, vendor: str) -> int:
    return len(vendors[vendor].recorder.requests)


def local_store() -> BackendConfig:
    return BackendConfig(name="office", vendor="local", options={"path": ":memory:", "demo": True})


async def breaker_state(client: GraphQLTestClient, backend: str) -> str:
    text = (await client.http.get("/metrics")).text
    states = re.findall(rf'pbxgraph_backend_breaker_state\{{backend="{backend}",state="(\w+)"\}} 1\.0', text)
    assert len(states) == 1, text
    return states[0]


async def fail_until_open(client: GraphQLTestClient, vendors: Vendors, vendor: str, failures: int) -> None:
    vendors[vendor].faults.add(Fault(kind=FaultKind.STATUS, status=500, path_prefix=PREFIX[vendor]))
    for _ in range(failures):  # a query may make several requests: it may open before the last
        body = await client.execute(USERS)
        assert set(error_codes(body)) <= {"BACKEND_ERROR", "BACKEND_UNAVAILABLE"}
    assert await breaker_state(client, vendor) == "open"


@pytest.mark.parametrize("vendor", VENDORS)
async def test_an_open_breaker_answers_at_once_without_calling_the_vendor(
    vendor: str, vendors: Vendors, running: Running
) -> None:
    backend = vendors.backend(vendor, breaker_failures=3, breaker_reset_s=600)
    async with running(local_store(), backend) as client:
        await fail_until_open(client, vendors, vendor, 3)
        before = requests(vendors, vendor)
        body = await client.execute(USERS)
        assert requests(vendors, vendor) == before  # nothing sent
        assert error_codes(body) == ["BACKEND_UNAVAILABLE"]
        [error] = body["errors"]
        assert error["extensions"]["backend"] == vendor
        assert "circuit breaker open" in error["message"]
        # The rest of the query still comes back.
        assert {n["backend"] for n in body["data"]["users"]["nodes"]} == {"office"}


async def test_after_the_wait_one_probe_closes_it_when_the_backend_is_back(vendors: Vendors, running: Running) -> None:
    async with running(vendors.backend("era", breaker_failures=2, breaker_reset_s=RESET_S)) as client:
        await fail_until_open(client, vendors, "era", 2)
        vendors.era.faults.clear()
        await asyncio.sleep(RESET_S * 1.5)
        assert await breaker_state(client, "era") == "half_open"
        before = requests(vendors, "era")
        data = await client.data(USERS)
        assert data["users"]["nodes"]
        assert requests(vendors, "era") > before
        assert await breaker_state(client, "era") == "closed"


async def test_a_failed_probe_opens_it_again_after_exactly_one_request(vendors: Vendors, running: Running) -> None:
    async with running(vendors.backend("era", breaker_failures=2, breaker_reset_s=RESET_S)) as client:
        await fail_until_open(client, vendors, "era", 2)
        await asyncio.sleep(RESET_S * 1.5)
        before = requests(vendors, "era")
        body = await client.execute(USERS)
        assert error_codes(body) == ["BACKEND_ERROR"]  # the probe's own answer
        assert requests(vendors, "era") == before + 1
        assert await breaker_state(client, "era") == "open"
        body = await client.execute(USERS)
        assert error_codes(body) == ["BACKEND_UNAVAILABLE"]
        assert requests(vendors, "era") == before + 1


async def test_answers_below_500_prove_the_backend_is_up(vendors: Vendors, running: Running) -> None:
    async with running(vendors.backend("era", breaker_failures=2, breaker_reset_s=600)) as client:
        vendors.era.faults.add(Fault(kind=FaultKind.STATUS, status=404, path_prefix=PREFIX["era"]))
        for _ in range(4):
            body = await client.execute(USERS)
            assert error_codes(body) and "BACKEND_UNAVAILABLE" not in error_codes(body)
        assert await breaker_state(client, "era") == "closed"
        # A success between failures starts the count again.
        vendors.era.faults.clear()
        vendors.era.faults.add(Fault(kind=FaultKind.STATUS, status=500, path_prefix=PREFIX["era"], times=1))
        await client.execute(USERS)
        await client.data(USERS)
        vendors.era.faults.add(Fault(kind=FaultKind.STATUS, status=500, path_prefix=PREFIX["era"], times=1))
        await client.execute(USERS)
        assert await breaker_state(client, "era") == "closed"


async def test_unreachable_backends_open_it_too_and_readiness_says_so(vendors: Vendors, running: Running) -> None:
    async with running(vendors.backend("infinity", breaker_failures=2, breaker_reset_s=600)) as client:
        vendors.infinity.faults.add(Fault(kind=FaultKind.RESET, path_prefix=PREFIX["infinity"]))
        for _ in range(2):
            assert error_codes(await client.execute(USERS)) == ["BACKEND_UNAVAILABLE"]
        before = requests(vendors, "infinity")
        ready = await client.http.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["backends"]["infinity"]["code"] == "BACKEND_UNAVAILABLE"
        assert requests(vendors, "infinity") == before


async def test_breaker_failures_zero_never_stops_calling(vendors: Vendors, running: Running) -> None:
    async with running(vendors.backend("era", breaker_failures=0)) as client:
        vendors.era.faults.add(Fault(kind=FaultKind.STATUS, status=500, path_prefix=PREFIX["era"]))
        for _ in range(8):
            before = requests(vendors, "era")
            assert error_codes(await client.execute(USERS)) == ["BACKEND_ERROR"]
            assert requests(vendors, "era") > before


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("breaker_failures", -1, "backends.hq.breaker_failures: must be a whole number from 0 to 1000, got -1"),
        ("breaker_reset_s", 0, "backends.hq.breaker_reset_s: must be a positive number, got 0.0"),
    ],
)
def test_bad_breaker_settings_are_one_line_errors(key: str, value: object, message: str) -> None:
    table = {"name": "hq", "vendor": "era", "url": "http://127.0.0.1:9", "token": "${T}", key: value}
    with pytest.raises(ConfigError) as raised:
        parse_config({"backends": [table]}, env={"T": "t"})
    assert str(raised.value) == message

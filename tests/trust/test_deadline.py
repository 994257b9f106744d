"""One deadline over every vendor call of a query: what is left is cancelled, the rest of the answer comes back.

Era's backend timeout is 2 s and every Era call below answers in 0.4 s or
0.8 s, well within it; only the request's deadline (1.2 s) can stop the query. The
outstanding call is seen cancelled in the emulator's record (its answer never
went out), and the calls it would have led to are never made.
"""

from __future__ import annotations

import dataclasses

import pytest

from pbxgraph.config import LimitsConfig, parse_config
from pbxgraph.emulators.era.seed import HUNTS
from pbxgraph.emulators.toolkit import Fault, FaultKind
from tests.core.conftest import local
from tests.trust.conftest import PREFIX, VENDORS, Running, Vendors

UC = "/rest/v1/uc"
NESTED = """{ queues(orderBy: {field: NAME}) { nodes { backend name
    members { member { ... on User { username devices { mac } } } } } } }"""


async def test_a_query_past_its_deadline_answers_what_it_has_and_cancels_the_rest(
    vendors: Vendors, running: Running
) -> None:
    era = vendors.era
    era.faults.add(Fault(kind=FaultKind.LATENCY, method="GET", path_prefix=f"{UC}/hunts/", delay_s=0.4))
    era.faults.add(Fault(kind=FaultKind.LATENCY, method="GET", path_prefix=f"{UC}/sipusers", delay_s=1.2))
    office = local("office", ":memory:")
    async with running(
        office, vendors.backend("era", timeout_s=2.0), limits=LimitsConfig(request_timeout_s=1.2)
    ) as client:
        body = await client.execute(NESTED)

    nodes = body["data"]["queues"]["nodes"]
    era_queues = [n for n in nodes if n["backend"] == "era"]
    assert sorted(q["name"] for q in era_queues) == sorted(h["code"] for h in HUNTS)
    assert all(q["members"] is None for q in era_queues)
    office_queues = [n for n in nodes if n["backend"] == "office"]
    assert office_queues and all(q["members"] is not None for q in office_queues)  # the rest came back whole
    assert any(m["member"] and m["member"]["devices"] is not None for q in office_queues for m in q["members"])
    assert {(e["extensions"]["code"], e["extensions"]["backend"]) for e in body["errors"]} == {
        ("BACKEND_TIMEOUT", "era")
    }
    assert sorted(e["path"][2] for e in body["errors"]) == sorted(nodes.index(q) for q in era_queues)

    # The hunts list (no description asked: no whole reads), each hunt's members (0.4 s), then the
    # members' users (1.2 s more): that read was cut off, unanswered...
    assert [(r.method, r.path) for r in era.recorder.unanswered()] == [("GET", f"{UC}/sipusers")]
    assert era.recorder.count() == 1 + len(HUNTS) + 1
    # ... and what would have followed (registrations, the members' devices) was never asked for.
    assert era.recorder.count("GET", f"{UC}/sipuser_states") == 0


async def test_a_mutation_is_not_cut_short_by_the_request_deadline(vendors: Vendors, running: Running) -> None:
    vendors.era.faults.add(Fault(kind=FaultKind.LATENCY, method="POST", path_prefix=f"{UC}/sipusers", delay_s=0.8))
    async with running(vendors.backend("era", timeout_s=2.0), limits=LimitsConfig(request_timeout_s=0.3)) as client:
        data = await client.data(
            'mutation { createUser(backend: "era", input: {username: "late.writer", '
            'extension: "7702", sipPassword: "Pw-1234567"}) { username extension } }'
        )
    assert data["createUser"] == {"username": "late.writer", "extension": "7702"}
    assert [u["login"] for u in vendors.era.state.entities("sipusers")].count("late.writer") == 1


def test_the_request_timeout_is_configured_in_limits() -> None:
    table = {"backends": [{"name": "office", "vendor": "local"}], "limits": {"request_timeout_s": 4.5}}
    assert parse_config(table).limits.request_timeout_s == 4.5
    assert parse_config({"backends": table["backends"]}).limits.request_timeout_s is None


DEEP = "{ users { nodes { backend devices { mac } groups { name members { position } } } } }"


async def test_the_default_deadline_is_the_slowest_backends_timeout_plus_a_second(
    vendors: Vendors, running: Running
) -> None:
    office = dataclasses.replace(local("office", ":memory:"), timeout_s=0.5)
    async with running(office, vendors.backend("era", timeout_s=2.5)) as client:
        assert client.service.request_timeout_s == 3.5


@pytest.mark.parametrize("vendor", VENDORS)
async def test_every_vendor_stops_at_the_request_deadline(vendor: str, vendors: Vendors, running: Running) -> None:
    """Every call answers in 0.8 s, well within the backend's own 5 s, but a user's groups can only be
    asked once the users are listed: two levels do not fit in the 1.2 s deadline. The vendor's part
    answers BACKEND_TIMEOUT naming the deadline, the local store's part comes back whole, and the
    outstanding call is seen cancelled."""
    vendors[vendor].faults.add(Fault(kind=FaultKind.LATENCY, method="GET", path_prefix=PREFIX[vendor], delay_s=0.8))
    office = local("office", ":memory:")
    async with running(
        office, vendors.backend(vendor, timeout_s=5.0), limits=LimitsConfig(request_timeout_s=1.2)
    ) as client:
        body = await client.execute(DEEP)
    nodes = body["data"]["users"]["nodes"] if body["data"] else []
    assert {e["extensions"]["code"] for e in body["errors"]} == {"BACKEND_TIMEOUT"}
    assert {e["extensions"]["backend"] for e in body["errors"]} == {vendor}
    assert all("deadline" in e["message"] for e in body["errors"])
    assert any(n["backend"] == "office" and n["groups"] for n in nodes)
    assert vendors[vendor].recorder.unanswered()

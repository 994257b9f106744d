"""The emulator toolkit: recorder and fault injection, in-process and over loopback."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from pbxgraph.emulators.toolkit import Emulator, Fault, FaultKind


def tiny_vendor(seed: int | None = None) -> Emulator[dict]:
    state = {"things": [{"id": 1}, {"id": 2}]}

    async def things(request: Request) -> JSONResponse:
        if request.method == "POST":
            item = await request.json()
            state["things"].append(item)
            return JSONResponse(item, status_code=201)
        return JSONResponse(state["things"])

    app = Starlette(
        routes=[
            Route("/api/things", things, methods=["GET", "POST"]),
            Route("/api/other", lambda r: JSONResponse({"ok": True})),
        ]
    )
    return Emulator(app, state, name="tiny", fault_seed=seed)


@pytest.fixture
def emulator() -> Emulator[dict]:
    return tiny_vendor()


async def test_recorder_counts_and_keeps_every_request(emulator: Emulator[dict]) -> None:
    async with httpx.AsyncClient(transport=emulator.transport(), base_url="http://tiny") as client:
        await client.get("/api/things", params={"limit": "5"})
        await client.post("/api/things", json={"id": 3})
        await client.get("/api/other")
    assert emulator.recorder.count() == 3
    assert emulator.recorder.count("GET", "/api/things") == 1
    post = emulator.recorder.matching("POST")[0]
    assert post.body == b'{"id":3}' and post.headers["content-type"] == "application/json"
    assert emulator.recorder.matching("GET", "/api/things")[0].params == [("limit", "5")]
    assert emulator.state["things"][-1] == {"id": 3}  # the body still reached the app
    emulator.recorder.clear()
    assert emulator.recorder.count() == 0


async def test_faults_apply_per_route_for_the_next_n_requests(emulator: Emulator[dict]) -> None:
    emulator.faults.add(Fault(FaultKind.STATUS, path_prefix="/api/things", status=503, body=b"busy", times=2))
    async with httpx.AsyncClient(transport=emulator.transport(), base_url="http://tiny") as client:
        assert (await client.get("/api/other")).status_code == 200  # other routes untouched
        assert (await client.get("/api/things")).status_code == 503
        assert (await client.get("/api/things")).text == "busy"
        assert (await client.get("/api/things")).status_code == 200  # retired after two
    assert emulator.recorder.count("GET", "/api/things") == 3  # faulted calls still count


async def test_garbage_latency_and_method_filter(emulator: Emulator[dict]) -> None:
    emulator.faults.add(Fault(FaultKind.GARBAGE, method="POST"))
    emulator.faults.add(Fault(FaultKind.LATENCY, path_prefix="/api/other", delay_s=0.01, times=1))
    async with httpx.AsyncClient(transport=emulator.transport(), base_url="http://tiny") as client:
        garbled = await client.post("/api/things", json={"id": 9})
        # Garbage fails however the decoder meets it first: as text (UnicodeDecodeError) or as JSON.
        with pytest.raises(ValueError):  # noqa: PT011
            garbled.json()
        assert (await client.get("/api/things")).status_code == 200
        slow = await client.get("/api/other")
        assert slow.json() == {"ok": True}


async def test_a_fraction_of_requests_fail() -> None:
    emulator = tiny_vendor(seed=7)
    emulator.faults.add(Fault(FaultKind.STATUS, status=500, fraction=0.5))
    async with httpx.AsyncClient(transport=emulator.transport(), base_url="http://tiny") as client:
        statuses = [(await client.get("/api/other")).status_code for _ in range(40)]
    assert 5 < statuses.count(500) < 35 and statuses.count(200) == 40 - statuses.count(500)


async def test_a_dropped_connection_in_process_and_over_loopback(emulator: Emulator[dict]) -> None:
    emulator.faults.add(Fault(FaultKind.DROP, path_prefix="/api/things"))
    async with httpx.AsyncClient(transport=emulator.transport(), base_url="http://tiny") as client:
        with pytest.raises(httpx.RemoteProtocolError):
            await client.get("/api/things")
    server = emulator.serve()
    try:
        assert server.url.startswith("http://127.0.0.1:")
        async with httpx.AsyncClient(base_url=server.url) as client:
            with pytest.raises(httpx.RemoteProtocolError):
                await client.get("/api/things")
            assert (await client.get("/api/other")).json() == {"ok": True}
    finally:
        server.stop()


async def test_control_routes_drive_faults_over_http(emulator: Emulator[dict]) -> None:
    server = emulator.serve()
    try:
        async with httpx.AsyncClient(base_url=server.url) as client:
            added = await client.post("/_emulator/faults", json={"kind": "status", "status": 502, "times": 1})
            assert added.status_code == 201
            assert (await client.get("/_emulator/faults")).json()[0]["kind"] == "status"
            assert (await client.get("/api/other")).status_code == 502
            assert (await client.get("/api/other")).status_code == 200
            bad = await client.post("/_emulator/faults", json={"kind": "meteor"})
            assert bad.status_code == 400
            requests = (await client.get("/_emulator/requests")).json()
            assert [r["path"] for r in requests] == ["/api/other", "/api/other"]  # control calls not recorded
    finally:
        server.stop()


async def test_after_lets_the_first_matching_requests_through(emulator: Emulator[dict]) -> None:
    emulator.faults.add(Fault(FaultKind.STATUS, path_prefix="/api/things", method="POST", status=500, after=1, times=1))
    async with httpx.AsyncClient(transport=emulator.transport(), base_url="http://tiny") as client:
        assert (await client.get("/api/things")).status_code == 200  # another method: not counted
        assert (await client.post("/api/things", json={"id": 3})).status_code == 201
        assert (await client.post("/api/things", json={"id": 4})).status_code == 500
        assert (await client.post("/api/things", json={"id": 5})).status_code == 201
    assert [t["id"] for t in emulator.state["things"]] == [1, 2, 3, 5]
    assert emulator.faults.rules == []


async def test_a_status_fault_sends_its_headers(emulator: Emulator[dict]) -> None:
    emulator.faults.add(Fault(FaultKind.STATUS, status=503, headers=(("Retry-After", "7"),), times=1))
    async with httpx.AsyncClient(transport=emulator.transport(), base_url="http://tiny") as client:
        busy = await client.get("/api/other")
    assert busy.status_code == 503 and busy.headers["retry-after"] == "7"


async def test_a_reset_connection_answers_nothing_in_process_and_over_loopback(emulator: Emulator[dict]) -> None:
    emulator.faults.add(Fault(FaultKind.RESET, path_prefix="/api/things", times=2))
    async with httpx.AsyncClient(transport=emulator.transport(), base_url="http://tiny") as client:
        with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
            await client.get("/api/things")
    server = emulator.serve()
    try:
        async with httpx.AsyncClient(base_url=server.url) as client:
            assert (await client.get("/api/other")).json() == {"ok": True}  # a connection now in the pool
            with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
                await client.get("/api/things")
            assert (await client.get("/api/things")).status_code == 200
    finally:
        server.stop()
    assert emulator.recorder.count("GET", "/api/things") == 3

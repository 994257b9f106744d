"""An emulator: a vendor app wrapped in the recorder and the fault injector.

The vendor packages build their starlette app (state + routes + vendor-shaped
errors) and hand it here; what comes back is the ASGI app to serve plus the
handles tests use. The control routes under ``/_emulator/`` let a running demo
be made slow or broken over HTTP, e.g.::

    curl -X POST localhost:8101/_emulator/faults -d '{"kind": "latency", "delay_s": 2}'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from pbxgraph.emulators.toolkit.faults import Fault, FaultInjector, FaultKind
from pbxgraph.emulators.toolkit.recorder import Recorder
from pbxgraph.emulators.toolkit.server import LoopbackServer
from pbxgraph.emulators.toolkit.transport import EmulatorTransport

S = TypeVar("S")


def _control_app(emulator: Emulator[Any]) -> Starlette:
    async def faults(request: Request) -> Response:
        if request.method == "DELETE":
            emulator.faults.clear()
            return Response(status_code=204)
        if request.method == "GET":
            return JSONResponse(
                [
                    {
                        "kind": f.kind.value,
                        "path_prefix": f.path_prefix,
                        "method": f.method,
                        "times": f.times,
                        "after": f.after,
                        "fraction": f.fraction,
                        "hits": f.hits,
                    }
                    for f in emulator.faults.rules
                ]
            )
        spec = await request.json()
        try:
            headers = spec.get("headers", {})
            if not isinstance(headers, dict):
                raise TypeError("headers must be an object")
            fault = Fault(
                kind=FaultKind(spec["kind"]),
                path_prefix=spec.get("path_prefix", "/"),
                method=spec.get("method"),
                times=spec.get("times"),
                fraction=float(spec.get("fraction", 1.0)),
                delay_s=float(spec.get("delay_s", 0.0)),
                status=int(spec.get("status", 500)),
                body=str(spec.get("body", "Internal Server Error")).encode(),
                content_type=str(spec.get("content_type", "text/plain")),
                headers=tuple((str(k), str(v)) for k, v in headers.items()),
                after=int(spec.get("after", 0)),
            )
        except (KeyError, ValueError, TypeError) as exc:
            return JSONResponse({"error": f"bad fault: {exc}"}, status_code=400)
        emulator.faults.add(fault)
        return JSONResponse({"added": fault.kind.value}, status_code=201)

    async def requests(request: Request) -> Response:
        if request.method == "DELETE":
            emulator.recorder.clear()
            return Response(status_code=204)
        return JSONResponse(
            [{"method": r.method, "path": r.path, "query": r.query} for r in emulator.recorder.requests]
        )

    return Starlette(
        routes=[
            Route("/faults", faults, methods=["GET", "POST", "DELETE"]),
            Route("/requests", requests, methods=["GET", "DELETE"]),
        ]
    )


@dataclass
class Emulator(Generic[S]):
    """A vendor emulator ready to serve: ``app`` records and injects faults."""

    vendor_app: ASGIApp
    state: S
    name: str = "emulator"
    #: Seed for fraction-based faults, for tests that want the same draw every run.
    fault_seed: int | None = None
    recorder: Recorder = field(init=False)
    faults: FaultInjector = field(init=False)
    app: ASGIApp = field(init=False)

    def __post_init__(self) -> None:
        control = _control_app(self)
        vendor_app = self.vendor_app

        async def routed(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] == "http" and scope["path"].startswith("/_emulator/"):
                scope = dict(scope, path=scope["path"][len("/_emulator") :], root_path="/_emulator")
                await control(scope, receive, send)
            else:
                await vendor_app(scope, receive, send)

        # Recording sits outside fault injection: a faulted call still counts as a call.
        self.faults = FaultInjector(routed, seed=self.fault_seed)
        self.recorder = Recorder(self.faults)
        self.app = self.recorder

    def transport(self) -> EmulatorTransport:
        """An httpx transport that reaches this emulator in-process."""
        return EmulatorTransport(self.app)

    def serve(
        self, port: int = 0, *, ssl_certfile: str | None = None, ssl_keyfile: str | None = None
    ) -> LoopbackServer:
        """Start it on a loopback port (HTTPS with a certificate); stop it with ``.stop()``."""
        return LoopbackServer(self.app, port=port, ssl_certfile=ssl_certfile, ssl_keyfile=ssl_keyfile).start()


__all__ = ["Emulator"]

"""Fault injection: make an emulated vendor slow, failing, garbled or gone.

Rules match a route (a path prefix, optionally a method) and apply to the next
N matching requests, to a fraction of them, or to all until cleared; ``after``
lets the first matching requests through first, so "fail the second POST to
this path" is ``Fault(..., method="POST", after=1, times=1)``. Tests add
rules in Python; a running demo can be told the same over HTTP through the
control route ``/_emulator/faults``.
"""

from __future__ import annotations

import asyncio
import enum
import random
import threading
from dataclasses import dataclass, field

from starlette.types import ASGIApp, Receive, Scope, Send


class FaultKind(enum.StrEnum):
    LATENCY = "latency"  # answer normally, but only after delay_s
    STATUS = "status"  # answer with status and body instead of the real answer
    GARBAGE = "garbage"  # answer 200 with a body no parser accepts
    DROP = "drop"  # start the answer, then close the connection
    RESET = "reset"  # close the connection before any byte of an answer (a stale pooled connection)


class ConnectionDropped(Exception):
    """Raised inside the app to make the connection end without a whole answer.

    It carries what was sent before the end (status, headers, the first
    bytes), so an in-process transport can hand the client exactly that
    and then fail, as a socket closed half-way would.
    """

    def __init__(
        self, message: str, status: int = 200, headers: list[tuple[bytes, bytes]] | None = None, partial: bytes = b""
    ) -> None:
        super().__init__(message)
        self.status = status
        self.headers = headers or []
        self.partial = partial


class ConnectionReset(Exception):
    """Raised inside the app to make the connection end before any answer at all."""


@dataclass(slots=True)
class Fault:
    kind: FaultKind
    path_prefix: str = "/"
    method: str | None = None
    #: Apply to the next ``times`` matching requests, then retire; None = unbounded.
    times: int | None = None
    #: Apply to this fraction of matching requests (0..1), chosen at random.
    fraction: float = 1.0
    delay_s: float = 0.0
    status: int = 500
    body: bytes = b"Internal Server Error"
    content_type: str = "text/plain"
    #: Extra response headers of a STATUS answer, e.g. ``(("Retry-After", "1"),)``.
    headers: tuple[tuple[str, str], ...] = ()
    #: Let this many matching requests through before the rule starts to apply.
    after: int = 0
    hits: int = field(default=0)
    seen: int = field(default=0)

    def matches(self, method: str, path: str) -> bool:
        return path.startswith(self.path_prefix) and (self.method is None or self.method.upper() == method)


GARBAGE_BODY = b'\x00\xff<<not what you asked for>>\n{"truncated": [1, 2,'


class FaultInjector:
    """ASGI middleware applying the first matching, still-active fault rule."""

    def __init__(self, app: ASGIApp, *, seed: int | None = None) -> None:
        self.app = app
        self._rules: list[Fault] = []
        self._lock = threading.Lock()
        self._random = random.Random(seed)

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            self._rules.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    @property
    def rules(self) -> list[Fault]:
        with self._lock:
            return list(self._rules)

    def _take(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for rule in self._rules:
                if not rule.matches(method, path):
                    continue
                rule.seen += 1
                if rule.seen <= rule.after:
                    continue
                if rule.fraction < 1.0 and self._random.random() >= rule.fraction:
                    continue
                rule.hits += 1
                if rule.times is not None and rule.hits >= rule.times:
                    self._rules.remove(rule)
                return rule
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/_emulator/"):
            await self.app(scope, receive, send)
            return
        fault = self._take(scope["method"], scope["path"])
        if fault is None:
            await self.app(scope, receive, send)
            return
        if fault.kind is FaultKind.LATENCY:
            await asyncio.sleep(fault.delay_s)
            await self.app(scope, receive, send)
            return
        if fault.kind is FaultKind.RESET:
            if _close_server_connection(send):
                return  # a real socket: closed under the client, which sees no answer at all
            raise ConnectionReset("connection closed by fault injection before any answer")
        if fault.kind is FaultKind.DROP:
            headers = [(b"content-type", b"application/json"), (b"content-length", b"1000")]
            partial = b'[{"id":'
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": partial, "more_body": True})
            raise ConnectionDropped("connection dropped by fault injection", 200, headers, partial)
        if fault.kind is FaultKind.GARBAGE:
            status, body, ctype = 200, GARBAGE_BODY, b"application/json"
        else:
            status, body, ctype = fault.status, fault.body, fault.content_type.encode()
        if fault.delay_s:
            await asyncio.sleep(fault.delay_s)
        extra = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in fault.headers]
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", ctype), (b"content-length", str(len(body)).encode()), *extra],
            }
        )
        await send({"type": "http.response.body", "body": body})


def _close_server_connection(send: Send) -> bool:
    """Close the socket under a loopback server's request, if ``send`` belongs to one.

    An ASGI app cannot close its connection, so this reaches for the
    transport of the server's request cycle (uvicorn's ``send`` is a method
    of it). In-process there is no socket: the caller raises instead, and
    the emulator transport turns that into what httpx raises for a peer
    that hung up before answering.
    """
    while hasattr(send, "__wrapped__"):  # the recorder's wrapper, then the server's own ``send``
        send = send.__wrapped__
    transport = getattr(getattr(send, "__self__", None), "transport", None)
    close = getattr(transport, "close", None)
    if close is None:
        return False
    close()
    return True

"""A request recorder: the exact vendor calls a test can count and inspect.

Besides each request, it notes whether its answer was sent whole: a request
the client gave up on (cancelled in-process, before its answer) stays
unanswered, which is how a test sees that pbxgraph cancelled a call. It also
notes how many other requests were in flight when each one arrived, which is
how a test sees that calls ran concurrently, without timing anything.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes
    #: Arrival order, unique within the recorder's life.
    seq: int = 0
    #: Other requests that had arrived and were not answered yet when this one arrived.
    in_flight: int = 0

    @property
    def params(self) -> list[tuple[str, str]]:
        return parse_qsl(self.query, keep_blank_values=True)


class Recorder:
    """ASGI middleware keeping every HTTP request that reached the emulator.

    Thread-safe, because a loopback server runs the app in its own thread
    while the test reads the record from the main one.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._lock = threading.Lock()
        self._requests: list[RecordedRequest] = []
        self._answered: set[int] = set()
        self._open: set[int] = set()
        self._seq = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/_emulator/"):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        more = True
        while more:
            message = await receive()
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        with self._lock:
            self._seq += 1
            record = RecordedRequest(
                method=scope["method"],
                path=scope["path"],
                query=scope.get("query_string", b"").decode("latin-1"),
                headers={k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]},
                body=body,
                seq=self._seq,
                in_flight=len(self._open),
            )
            self._requests.append(record)
            self._open.add(record.seq)
        replayed = False

        async def sending(message: Message) -> None:
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                with self._lock:
                    self._answered.add(record.seq)

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        sending.__wrapped__ = send  # type: ignore[attr-defined]  # the server's own, for fault injection
        try:
            await self.app(scope, replay, sending)
        finally:
            with self._lock:
                self._open.discard(record.seq)

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def count(self, method: str | None = None, path_prefix: str | None = None) -> int:
        return len(self.matching(method, path_prefix))

    def matching(self, method: str | None = None, path_prefix: str | None = None) -> list[RecordedRequest]:
        return [
            r
            for r in self.requests
            if (method is None or r.method == method.upper())
            and (path_prefix is None or r.path.startswith(path_prefix))
        ]

    def answered(self, record: RecordedRequest) -> bool:
        """Whether the request's answer was sent whole (False: still running, cut off, or given up on)."""
        with self._lock:
            return record.seq in self._answered

    def unanswered(self, method: str | None = None, path_prefix: str | None = None) -> list[RecordedRequest]:
        return [r for r in self.matching(method, path_prefix) if not self.answered(r)]

    def most_in_flight(self, method: str | None = None, path_prefix: str | None = None) -> int:
        """The most requests in flight at once, counted as matching ones arrived (1: never two at once)."""
        return max((r.in_flight + 1 for r in self.matching(method, path_prefix)), default=0)

    def clear(self) -> None:
        with self._lock:
            self._requests.clear()
            self._answered.clear()

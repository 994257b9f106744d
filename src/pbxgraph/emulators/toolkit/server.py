"""Serve an ASGI app on a loopback port, for tests that want real HTTP.

uvicorn runs in a thread with its own event loop on 127.0.0.1, port 0 (the
kernel picks a free one), so tests never collide on ports and never listen on
anything but loopback.
"""

from __future__ import annotations

import asyncio
import threading
import time
from types import TracebackType

import uvicorn
from starlette.types import ASGIApp


class LoopbackServer:
    def __init__(
        self,
        app: ASGIApp,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        log_level: str = "warning",
        ssl_certfile: str | None = None,
        ssl_keyfile: str | None = None,
    ) -> None:
        """``ssl_certfile``/``ssl_keyfile`` serve HTTPS, for vendors only reached over TLS."""
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError("emulators listen on loopback only")
        # h11, not httptools: vendors use custom methods (Era's LOOKUP) that httptools rejects.
        config = uvicorn.Config(app, host=host, port=port, log_level=log_level, lifespan="off", http="h11",
                                access_log=False, loop="asyncio", ssl_certfile=ssl_certfile,
                                ssl_keyfile=ssl_keyfile)
        self._server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None
        self.host = host
        self.scheme = "https" if ssl_certfile else "http"
        self.port: int | None = None

    @property
    def url(self) -> str:
        if self.port is None:
            raise RuntimeError("server not started")
        return f"{self.scheme}://{self.host}:{self.port}"

    def start(self, timeout_s: float = 10.0) -> LoopbackServer:
        self._thread = threading.Thread(target=self._run, name="emulator-server", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout_s
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("emulator server did not start")
            time.sleep(0.01)
        sockets = self._server.servers[0].sockets
        self.port = sockets[0].getsockname()[1]
        return self

    def _run(self) -> None:
        asyncio.run(self._server.serve())

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)

    def __enter__(self) -> LoopbackServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

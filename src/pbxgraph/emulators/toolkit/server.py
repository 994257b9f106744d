"""Serve an ASGI app on a loopback port, for tests that want real HTTP.

uvicorn runs in a thread with its own event loop on 127.0.0.1, port 0 (the
kernel picks a free one), so tests never collide on ports and never listen on
anything but loopback.

The server leaves the process's logging alone (no handlers, no levels of its
own): its uvicorn lines from its thread are dropped below ``log_level``, so an
emulator beside the real server does not repeat the server's start and
shutdown lines.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import threading
import time
from types import TracebackType
from typing import Literal

import uvicorn
from starlette.types import ASGIApp

_numbers = itertools.count(1)
#: Thread name -> the least level of uvicorn line shown from it.
_thread_levels: dict[str, int] = {}


class _PerThreadLevel(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        least = _thread_levels.get(record.threadName or "")
        return least is None or record.levelno >= least


logging.getLogger("uvicorn.error").addFilter(_PerThreadLevel())


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
        lifespan: Literal["auto", "on", "off"] = "off",
    ) -> None:
        """``ssl_certfile``/``ssl_keyfile`` serve HTTPS, for vendors only reached over TLS;
        ``lifespan="on"`` runs the app's start-up and shut-down (pbxgraph's own app opens its backends so)."""
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError("emulators listen on loopback only")
        # h11, not httptools: vendors use custom methods (Era's LOOKUP) that httptools rejects.
        config = uvicorn.Config(
            app,
            host=host,
            port=port,
            log_config=None,
            lifespan=lifespan,
            http="h11",
            access_log=False,
            loop="asyncio",
            ssl_certfile=ssl_certfile,
            ssl_keyfile=ssl_keyfile,
        )
        self._server = uvicorn.Server(config)
        self._thread_name = f"emulator-server-{next(_numbers)}"
        self._least_level = logging.getLevelName(log_level.upper()) if isinstance(log_level, str) else log_level
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
        if self._thread is not None:  # already serving (``with emulator.serve() as server``)
            return self
        _thread_levels[self._thread_name] = self._least_level
        self._thread = threading.Thread(target=self._run, name=self._thread_name, daemon=True)
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

    def signal_stop(self) -> None:
        """Ask the server to stop without waiting: to stop several at once, then :meth:`stop` each."""
        self._server.should_exit = True

    def stop(self) -> None:
        self.signal_stop()
        if self._thread is not None:
            self._thread.join(timeout=10)
        _thread_levels.pop(self._thread_name, None)

    def __enter__(self) -> LoopbackServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

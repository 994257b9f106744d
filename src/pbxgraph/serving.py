"""Running the app under uvicorn: bind first, announce once bound, stop once.

The socket is bound before uvicorn starts, so a taken port is one clear line
(and a non-zero exit) rather than a traceback after an announcement; the
GraphiQL address is announced only once the app has started on that socket.
Ctrl-C (or SIGTERM) shuts the server down once, gracefully, and the process
exits 0: the signal is not raised again after the shutdown, as uvicorn would.
"""

from __future__ import annotations

import contextlib
import errno
import gc
import logging
import signal
import socket
import threading
from collections.abc import Callable, Generator

import uvicorn
from starlette.types import ASGIApp

log = logging.getLogger("pbxgraph")
_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def settle_heap() -> None:
    """Once the app has started, move what start-up built (modules, the schema, the clients) out of the
    garbage collector's sight.

    Those objects live as long as the process; left in the collected generations, every full collection
    walks them again, and such a pause lands in whichever request is running. Frozen, a collection only
    walks what requests make.
    """
    gc.collect()
    gc.freeze()


class PortInUse(OSError):
    """The address is taken; the message says so and how to choose another."""


def bind(host: str, port: int) -> socket.socket:
    """A listening-ready socket on ``host``:``port`` (IPv4 or IPv6, by what the host resolves to)."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except socket.gaierror as exc:
        raise OSError(f"cannot listen on {host}: {exc.strerror}") from None
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        shown = f"[{host}]" if ":" in host else host
        if exc.errno == errno.EADDRINUSE:
            raise PortInUse(f"port {port} on {shown} is already in use; choose another with --port") from None
        raise OSError(f"cannot listen on {shown}:{port}: {exc.strerror}") from None
    sock.set_inheritable(True)
    return sock


class Server(uvicorn.Server):
    """uvicorn's server, calling ``on_started`` once it serves, and ending quietly on a signal."""

    def __init__(self, config: uvicorn.Config, on_started: Callable[[], None]) -> None:
        super().__init__(config)
        self._on_started = on_started

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started and not self.should_exit:
            settle_heap()
            self._on_started()

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        original = {sig: signal.signal(sig, self.handle_exit) for sig in _SIGNALS}
        try:
            yield
        finally:
            for sig, handler in original.items():
                signal.signal(sig, handler)


def serve(app: ASGIApp, sock: socket.socket, *, log_level: str, on_started: Callable[[], None]) -> bool:
    """Serve until a signal; whether the app started (a failed start-up is logged by uvicorn)."""
    config = uvicorn.Config(
        app, log_config=None, log_level=log_level, access_log=False, lifespan="on", timeout_graceful_shutdown=10
    )
    server = Server(config, on_started)
    try:
        server.run(sockets=[sock])
    except SystemExit:  # uvicorn exits this way when the app's start-up fails
        return False
    finally:
        sock.close()
    return server.started

"""The real app on a loopback port, for clients that speak HTTP themselves (browsers, node, gql).

::

    with live_server(config) as url:  # e.g. "http://127.0.0.1:41235"
        subprocess.run(["node", "client.mjs", f"{url}/graphql"])

uvicorn serves the app in a thread with the app's lifespan (backends opened
and closed), on 127.0.0.1 and a port the kernel picks, so tests never collide
and nothing listens beyond loopback.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from typing import Any

import httpx

from pbxgraph.app import create_app
from pbxgraph.config import Config
from pbxgraph.emulators.toolkit import LoopbackServer
from pbxgraph.service import Backends


@contextlib.contextmanager
def live_server(
    config: Config,
    *,
    backends: Backends | None = None,
    transports: Mapping[str, httpx.AsyncBaseTransport] | None = None,
    app: Any = None,
) -> Iterator[str]:
    """Serve ``config`` (or a ready ``app``) until the block ends; yields the base URL."""
    served = app if app is not None else create_app(config, backends=backends, transports=transports)
    with LoopbackServer(served, lifespan="on") as server:
        yield server.url


__all__ = ["live_server"]

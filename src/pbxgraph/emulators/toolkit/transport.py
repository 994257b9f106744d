"""An in-process transport: a connector talks to an emulator with no socket.

Wraps ``httpx.ASGITransport`` so a dropped connection looks to the client
exactly as it does over the network (``httpx.RemoteProtocolError``), keeping
the connector's error mapping honest in fast in-process tests.
"""

from __future__ import annotations

import httpx
from starlette.types import ASGIApp

from pbxgraph.emulators.toolkit.faults import ConnectionDropped


class EmulatorTransport(httpx.AsyncBaseTransport):
    def __init__(self, app: ASGIApp) -> None:
        self._inner = httpx.ASGITransport(app=app)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return await self._inner.handle_async_request(request)
        except ConnectionDropped:
            raise httpx.RemoteProtocolError(
                "peer closed connection without sending complete message body", request=request
            ) from None

    async def aclose(self) -> None:
        await self._inner.aclose()

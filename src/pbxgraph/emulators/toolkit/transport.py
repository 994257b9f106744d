"""An in-process transport: a connector talks to an emulator with no socket.

Wraps ``httpx.ASGITransport`` so a dropped or reset connection looks to the
client exactly as it does over the network (``httpx.RemoteProtocolError``,
with httpx's own words for each), keeping the connector's error mapping and
retries honest in fast in-process tests.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
from starlette.types import ASGIApp

from pbxgraph.emulators.toolkit.faults import ConnectionDropped, ConnectionReset


class EmulatorTransport(httpx.AsyncBaseTransport):
    def __init__(self, app: ASGIApp) -> None:
        self._inner = httpx.ASGITransport(app=app)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return await self._inner.handle_async_request(request)
        except ConnectionReset:
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a response.", request=request
            ) from None
        except ConnectionDropped as dropped:
            # The answer had begun: the client gets its head, and fails reading the body.
            return httpx.Response(
                dropped.status, headers=dropped.headers, request=request, stream=_CutShort(dropped.partial, request)
            )

    async def aclose(self) -> None:
        await self._inner.aclose()


class _CutShort(httpx.AsyncByteStream):
    """A body that ends before its announced length, the way a closed socket ends one."""

    def __init__(self, partial: bytes, request: httpx.Request) -> None:
        self._partial = partial
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        if self._partial:
            yield self._partial
        raise httpx.RemoteProtocolError(
            "peer closed connection without sending complete message body", request=self._request
        )

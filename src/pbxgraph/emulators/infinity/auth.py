"""Who may call: HTTP Basic on ``/config/v2``, ``Authorization: ApiKey <key>`` on ``/config/v2.1``.

Missing or wrong credentials answer 401 ``auth required``; an account without
rights to a domain answers 403 ``access denied`` (an account without rights
to any domain gets 403 everywhere). The account found is left in the request
scope for the routes' domain checks.
"""

from __future__ import annotations

import base64
import binascii
import hmac

from starlette.types import ASGIApp, Receive, Scope, Send

from pbxgraph.emulators.infinity.errors import error_response
from pbxgraph.emulators.infinity.state import Account, InfinityState

BASIC_PREFIX = "/config/v2"
APIKEY_PREFIX = "/config/v2.1"


def api_version(path: str) -> str | None:
    """``v2`` or ``v2.1`` for a Config API path, None for anything else."""
    for version, prefix in (("v2.1", APIKEY_PREFIX), ("v2", BASIC_PREFIX)):
        if path == prefix or path.startswith(prefix + "/"):
            return version
    return None


def _basic(header: str, state: InfinityState) -> Account | None:
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "basic" or not token:
        return None
    try:
        username, _, password = base64.b64decode(token.strip(), validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    known = state.basic_accounts.get(username)
    if known is None or not hmac.compare_digest(known[0].encode(), password.encode()):
        return None
    return known[1]


def _api_key(header: str, state: InfinityState) -> Account | None:
    scheme, _, key = header.partition(" ")
    if scheme.lower() != "apikey" or not key.strip():
        return None
    key = key.strip()
    for known, account in state.api_keys.items():
        if hmac.compare_digest(known.encode(), key.encode()):
            return account
    return None


class AuthGate:
    """ASGI middleware in front of the Config API routes."""

    def __init__(self, app: ASGIApp, state: InfinityState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        version = api_version(scope["path"])
        if version is None:
            await error_response(404, f"no such route: {scope['path']}")(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        header = headers.get("authorization", "")
        if version == "v2":
            account, challenge = _basic(header, self.state), "Basic"
        else:
            account, challenge = _api_key(header, self.state), "ApiKey"
        if account is None:
            await error_response(401, "auth required", challenge=challenge)(scope, receive, send)
            return
        if account.domains is not None and not account.domains:
            await error_response(403, "access denied")(scope, receive, send)
            return
        scope.setdefault("state", {})["account"] = account
        await self.app(scope, receive, send)

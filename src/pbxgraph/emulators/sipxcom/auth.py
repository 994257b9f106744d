"""sipXconfig's HTTP authentication: Basic sent preemptively, or Digest.

A request without credentials is answered 401 with a Digest challenge (the
server's default scheme); a client may then answer the challenge, or send
Basic credentials up front, which is what API clients do. Wrong credentials
in either scheme get 401 again.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
import threading

from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

_DIGEST_PARAM = re.compile(r'(\w+)=(?:"([^"]*)"|([^\s,]+))')


def _md5(text: str) -> str:
    return hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest()


class Authenticator:
    """ASGI middleware guarding the vendor app with one administrator account."""

    def __init__(self, app: ASGIApp, *, username: str, password: str, realm: str) -> None:
        self.app = app
        self.username = username
        self.password = password
        self.realm = realm
        self._nonces: set[str] = set()
        self._lock = threading.Lock()

    def _challenge(self) -> Response:
        nonce = secrets.token_hex(16)
        with self._lock:
            self._nonces.add(nonce)
        header = f'Digest realm="{self.realm}", qop="auth", nonce="{nonce}", algorithm=MD5'
        return Response(b"Unauthorized", status_code=401, media_type="text/plain", headers={"WWW-Authenticate": header})

    def _basic_ok(self, credentials: str) -> bool:
        try:
            decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return False
        user, _, password = decoded.partition(":")
        return hmac.compare_digest(user.encode(), self.username.encode()) and hmac.compare_digest(
            password.encode(), self.password.encode()
        )

    def _digest_ok(self, params_text: str, method: str) -> bool:
        params = {
            m.group(1): m.group(2) if m.group(2) is not None else m.group(3)
            for m in _DIGEST_PARAM.finditer(params_text)
        }
        nonce = params.get("nonce", "")
        with self._lock:
            known = nonce in self._nonces
        if not known or params.get("username") != self.username or params.get("realm") != self.realm:
            return False
        ha1 = _md5(f"{self.username}:{self.realm}:{self.password}")
        ha2 = _md5(f"{method}:{params.get('uri', '')}")
        if params.get("qop") == "auth":
            expected = _md5(f"{ha1}:{nonce}:{params.get('nc', '')}:{params.get('cnonce', '')}:auth:{ha2}")
        else:
            expected = _md5(f"{ha1}:{nonce}:{ha2}")
        return hmac.compare_digest(expected, params.get("response", ""))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        header = Headers(scope=scope).get("authorization", "")
        scheme, _, value = header.partition(" ")
        allowed = False
        if scheme.lower() == "basic":
            allowed = self._basic_ok(value.strip())
        elif scheme.lower() == "digest":
            allowed = self._digest_ok(value, scope["method"])
        if not allowed:
            await self._challenge()(scope, receive, send)
            return
        await self.app(scope, receive, send)

"""Global ids: opaque, stable, and self-describing for the server only.

A global id encodes kind, backend and native id as ``kind:backend:native``,
base64url without padding. Clients must treat it as opaque; the server decodes
it to route a request, and rejects anything malformed *before* any backend is
asked, so a bad id can never turn into a vendor request.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

from pbxgraph.domain import Kind
from pbxgraph.errors import BadUserInput

BACKEND_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$")
_PREFIX = "pbx1"


@dataclass(frozen=True, slots=True)
class GlobalId:
    kind: Kind
    backend: str
    native_id: str

    def encode(self) -> str:
        return encode_id(self.kind, self.backend, self.native_id)


def encode_id(kind: Kind, backend: str, native_id: str) -> str:
    text = f"{_PREFIX}:{kind.value}:{backend}:{native_id}"
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_id(value: str, *, field: str = "id") -> GlobalId:
    """Decode a global id or raise ``BadUserInput`` naming ``field``."""
    if not isinstance(value, str) or not value or len(value) > 2048:
        raise BadUserInput(f"{field}: not a pbxgraph id", field=field)
    try:
        padded = value + "=" * (-len(value) % 4)
        text = base64.urlsafe_b64decode(padded.encode("ascii")).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError):
        raise BadUserInput(f"{field}: '{value}' is not a pbxgraph id", field=field) from None
    parts = text.split(":", 3)
    if len(parts) != 4 or parts[0] != _PREFIX:
        raise BadUserInput(f"{field}: '{value}' is not a pbxgraph id", field=field)
    _, kind_text, backend, native = parts
    try:
        kind = Kind(kind_text)
    except ValueError:
        raise BadUserInput(f"{field}: '{value}' is not a pbxgraph id", field=field) from None
    if not BACKEND_NAME.match(backend) or not native:
        raise BadUserInput(f"{field}: '{value}' is not a pbxgraph id", field=field)
    return GlobalId(kind, backend, native)


def decode_expected(value: str, kind: Kind, *, field: str = "id") -> GlobalId:
    """Decode an id that must name a ``kind``: a user id where a group is due is bad input."""
    gid = decode_id(value, field=field)
    if gid.kind is not kind:
        raise BadUserInput(
            f"{field}: expected the id of a {kind.value}, got the id of a {gid.kind.value}",
            field=field,
        )
    return gid

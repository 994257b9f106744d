"""Global ids: opaque, stable, and self-describing for the server only.

A global id encodes kind, backend and native id as ``kind:backend:native``,
base64url without padding. Clients must treat it as opaque; the server decodes
it to route a request, and rejects anything malformed *before* any backend is
asked, so a bad id can never turn into a vendor request.

The native part is the vendor's own id, opaque to pbxgraph, but it becomes a
segment of a vendor URL: one that is empty, ``.`` or ``..``, or that holds a
``/``, ``\\``, ``?``, ``#`` or a control character (as such, or as a
``%``-sequence that decodes to one) could address another resource than the
one named, and is refused here.
"""

from __future__ import annotations

import base64
import binascii
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import unquote

from pbxgraph.domain import Kind
from pbxgraph.errors import BadUserInput, shown

#: A backend name; matched whole (``fullmatch``), never with ``match``.
BACKEND_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,62}")
#: Longest global id accepted, in characters.
MAX_ID_LENGTH = 2048
#: Longest native id accepted, in characters.
MAX_NATIVE_ID_LENGTH = 255
_PREFIX = "pbx1"
_ASCII_DIGITS = re.compile(r"[0-9]{1,18}")
_URL_SPECIAL = frozenset("/\\?#")
_CONTROL = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def numeric_id(native_id: object) -> int | None:
    """A native id made of ASCII digits (at most 18) as an int; None for anything else.

    ``str.isdigit`` and ``int`` accept any Unicode digit (``"²"``, ``"١٢"``),
    so a vendor whose ids are numbers checks them with this, never with those.
    """
    if isinstance(native_id, str) and _ASCII_DIGITS.fullmatch(native_id):
        return int(native_id)
    return None


def is_control(char: str) -> bool:
    """Control, format, surrogate and line-separator characters: never part of a name or id."""
    return unicodedata.category(char) in _CONTROL


def unsafe_segment(text: str) -> str | None:
    """Why ``text`` cannot be one segment of a URL path, or None when it can.

    ``%``-sequences are decoded (repeatedly, as a chain of proxies might) and
    every form is checked, so ``%2e%2e`` is as refused as ``..``. A sequence
    that is no UTF-8 (``%ff``) does not stop the others from being decoded,
    as a lenient server would: ``..%2f%ff`` is as refused as ``../``.
    """
    forms = [text]
    while "%" in forms[-1] and len(forms) < 4:
        decoded = unquote(forms[-1], errors="replace")
        if decoded == forms[-1]:
            break
        forms.append(decoded)
    for index, form in enumerate(forms):
        decoded = " once %-decoded" if index else ""
        if form in ("", ".", ".."):
            return "is empty" if form == "" else f"is {form!r}{decoded}: a path step, not an id"
        if any(c in _URL_SPECIAL for c in form):
            return f"holds '/', '\\', '?' or '#'{decoded}"
        if any(is_control(c) for c in form):
            return f"holds a control character{decoded}"
    return None


def check_native_id(native_id: str, *, field: str = "id") -> str:
    """``native_id``, or BadUserInput naming ``field`` when it is no safe vendor id."""
    if len(native_id) > MAX_NATIVE_ID_LENGTH:
        raise BadUserInput(f"{field}: the native id is longer than {MAX_NATIVE_ID_LENGTH} characters", field=field)
    problem = unsafe_segment(native_id)
    if problem is not None:
        raise BadUserInput(f"{field}: the native id {shown(native_id)} {problem}", field=field)
    return native_id


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


_BASE64URL = re.compile(r"[A-Za-z0-9_-]+={0,2}")


def decode_id(value: str, *, field: str = "id") -> GlobalId:
    """Decode a global id or raise ``BadUserInput`` naming ``field``."""
    if not isinstance(value, str) or not value:
        raise BadUserInput(f"{field}: not a pbxgraph id", field=field)
    if len(value) > MAX_ID_LENGTH:
        raise BadUserInput(f"{field}: not a pbxgraph id (longer than {MAX_ID_LENGTH} characters)", field=field)
    not_an_id = BadUserInput(f"{field}: {shown(value)} is not a pbxgraph id", field=field)
    if not _BASE64URL.fullmatch(value):
        raise not_an_id
    try:
        padded = value + "=" * (-len(value) % 4)
        text = base64.urlsafe_b64decode(padded.encode("ascii")).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError):
        raise not_an_id from None
    parts = text.split(":", 3)
    if len(parts) != 4 or parts[0] != _PREFIX:
        raise not_an_id
    _, kind_text, backend, native = parts
    try:
        kind = Kind(kind_text)
    except ValueError:
        raise not_an_id from None
    if not BACKEND_NAME.fullmatch(backend):
        raise not_an_id
    return GlobalId(kind, backend, check_native_id(native, field=field))


def decode_expected(value: str, kind: Kind, *, field: str = "id") -> GlobalId:
    """Decode an id that must name a ``kind``: a user id where a group is due is bad input."""
    gid = decode_id(value, field=field)
    if gid.kind is not kind:
        raise BadUserInput(
            f"{field}: expected the id of a {kind.value}, got the id of a {gid.kind.value}",
            field=field,
        )
    return gid

"""Checks and normal forms shared by the GraphQL inputs and the connectors.

Each check raises ``BadUserInput`` naming the field, so a script that sends a
bad MAC learns which argument was wrong before any backend is touched. A
pattern must match the whole value (``fullmatch``: ``$`` would let a trailing
newline through), and a message quotes at most a short prefix of the value.
"""

from __future__ import annotations

import ipaddress
import re

from pbxgraph.errors import BadUserInput, shown

_EXTENSION = re.compile(r"[0-9]{2,15}")
_MAC_HEX = re.compile(r"[0-9a-f]{12}")
_USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}")
_HOST = re.compile(
    r"(?=.{1,253}\Z)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?"
)
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def extension(value: str, field: str = "extension") -> str:
    if not _EXTENSION.fullmatch(value):
        raise BadUserInput(f"{field}: must be 2 to 15 digits, got {shown(value)}", field=field)
    return value


def normalize_mac(value: str) -> str | None:
    """``00:04:F2:aa-bb.cc`` (or space-separated) input to ``00:04:f2:aa:bb:cc``; None if not a MAC."""
    hexdigits = re.sub(r"[:\-. ]", "", value).lower()
    if not _MAC_HEX.fullmatch(hexdigits):
        return None
    return ":".join(hexdigits[i : i + 2] for i in range(0, 12, 2))


def mac(value: str, field: str = "mac") -> str:
    normal = normalize_mac(value)
    if normal is None:
        raise BadUserInput(
            f"{field}: {shown(value)} is not a MAC address (12 hex digits, e.g. 00:04:f2:ab:cd:ef)",
            field=field,
        )
    return normal


def username(value: str, field: str = "username") -> str:
    if not _USERNAME.fullmatch(value):
        raise BadUserInput(
            f"{field}: {shown(value)} must start with a letter or digit and use only letters, digits and . _ @ + -",
            field=field,
        )
    return value


def host(value: str, field: str = "host") -> str:
    try:
        ipaddress.ip_address(value)
        return value
    except ValueError:
        pass
    if not _HOST.fullmatch(value):
        raise BadUserInput(f"{field}: {shown(value)} is not a host name or IP address", field=field)
    return value


def port(value: int, field: str = "port") -> int:
    if not 1 <= value <= 65535:
        raise BadUserInput(f"{field}: must be between 1 and 65535, got {value}", field=field)
    return value


def email(value: str, field: str = "email") -> str:
    if not _EMAIL.fullmatch(value):
        raise BadUserInput(f"{field}: {shown(value)} is not an e-mail address", field=field)
    return value


def non_empty(value: str, field: str) -> str:
    if not value.strip():
        raise BadUserInput(f"{field}: must not be empty", field=field)
    return value.strip()


def priority(value: int, field: str = "priority") -> int:
    """A queue member's priority: 0 to 1000 (which end rings first is the backend's)."""
    if not 0 <= value <= 1000:
        raise BadUserInput(f"{field}: must be between 0 and 1000", field=field)
    return value

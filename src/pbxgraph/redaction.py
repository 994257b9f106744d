"""Secret scrubbing for vendor payloads, shared by every connector and the schema.

Connectors drop secrets from ``raw`` with :func:`redact`; the GraphQL layer
runs every ``raw`` through it once more, so a vendor that starts sending a new
secret field cannot leak it before its connector learns about it.

A key names a secret when one of its words does: keys are split into words at
``_ - . /`` and at camelCase humps (``sipPassword`` is ``sip password``), so
``userPin`` and ``x-auth-token`` are secrets while ``passive`` or ``spinup``
are not.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_SECRET_WORDS = frozenset({
    "pass", "password", "passwd", "passphrase", "pwd", "secret", "secrets", "token", "tokens",
    "credential", "credentials", "pin", "apikey", "authorization", "ha1", "privatekey",
})
_SECRET_PAIRS = frozenset({("api", "key"), ("private", "key"), ("auth", "key"), ("ha", "1")})
_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")


def _words(key: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(key)]


def is_secret_key(key: str) -> bool:
    words = _words(key)
    if any(w in _SECRET_WORDS for w in words):
        return True
    return any(pair in _SECRET_PAIRS for pair in zip(words, words[1:]))


def redact(value: Any) -> Any:
    """A deep copy of ``value`` without any mapping entry whose key names a secret."""
    if isinstance(value, Mapping):
        return {k: redact(v) for k, v in value.items() if not (isinstance(k, str) and is_secret_key(k))}
    if isinstance(value, (list, tuple)):
        return [redact(v) for v in value]
    return value

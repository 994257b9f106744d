"""Secret scrubbing for vendor payloads: the last line of defence.

Connectors already leave secrets out of ``raw``; the GraphQL layer runs every
``raw`` through :func:`redact` as well, so a vendor that starts sending a new
secret field cannot leak it before a connector learns about it.
"""

from __future__ import annotations

import re
from typing import Any

_SECRET_KEY = re.compile(
    r"(pass(word|wd)?|pwd|secret|token|credential|api[_-]?key|private[_-]?key|ha1)",
    re.IGNORECASE,
)


def is_secret_key(key: str) -> bool:
    return bool(_SECRET_KEY.search(key)) or key.lower().endswith("pin")


def redact(value: Any) -> Any:
    """A copy of ``value`` without any mapping entry whose key names a secret."""
    if isinstance(value, dict):
        return {k: redact(v) for k, v in value.items() if not (isinstance(k, str) and is_secret_key(k))}
    if isinstance(value, (list, tuple)):
        return [redact(v) for v in value]
    return value

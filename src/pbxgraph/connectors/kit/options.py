"""The keys every HTTP vendor takes, declared once, and the checks vendors share.

A vendor declares its keys as a frozen dataclass that extends
:class:`HttpOptions` (``url`` and ``verify``), one field per key: its type,
its default (none: required) and a check. :func:`~pbxgraph.config.read_options`
reads a backend table against it, so every vendor's bad key is one
``ConfigError`` naming ``backends.<name>.<key>``, with a "did you mean" for a
misspelt one, before the connector is built.
"""

from __future__ import annotations

import os
import ssl
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from pbxgraph.config import between, setting
from pbxgraph.connectors.http import tls_verify

__all__ = ["HttpOptions", "between", "header_name", "http_url", "listing_snapshot", "page_size", "tls_bundle"]


def http_url(value: Any) -> str | None:
    """An ``http://`` or ``https://`` URL that names a host."""
    if not value.startswith(("http://", "https://")):
        return f"must start with http:// or https://, got {value!r}"
    if not urlsplit(value).netloc:
        return f"must name a host, got {value!r}"
    return None


def tls_bundle(value: Any) -> str | None:
    """``verify``: true, false (also as text, as they come from the environment) or an existing CA bundle."""
    if isinstance(value, bool) or value.strip().lower() in ("true", "false"):
        return None
    if not value or not (os.path.isdir(value) or os.path.isfile(value)):
        return f"CA bundle '{value}' does not exist"
    return None


def header_name(value: Any) -> str | None:
    return None if value.strip() and ":" not in value else f"must be a header name, got {value!r}"


def page_size(default: int = 500) -> Any:
    """A ``page_size`` key: entities per request where a vendor reads a collection in pages."""
    return setting(default, check=between(1, 10_000))


def listing_snapshot(default: float = 30.0) -> Any:
    """A ``listing_snapshot_s`` key: how long the pages after a listing's first may reuse its rows.

    0 turns it off; at most an hour (see :mod:`pbxgraph.connectors.kit.snapshots`).
    """

    def check(value: Any) -> str | None:
        return None if 0 <= value <= 3600 else f"must be 0 (off) to 3600 seconds, got {value!r}"

    return setting(default, check=check)


@dataclass(frozen=True, slots=True, kw_only=True)
class HttpOptions:
    """Where the vendor answers and how far to trust its TLS; a vendor's options extend it."""

    #: The vendor's base URL (scheme, host and any path prefix).
    url: str = setting(check=http_url)
    #: TLS: true (the system's CAs), false (no check), or the path of a CA bundle file or directory.
    verify: bool | str = setting(True, check=tls_bundle)

    @property
    def tls(self) -> bool | ssl.SSLContext:
        """``verify`` as httpx takes it."""
        return tls_verify(self.verify)

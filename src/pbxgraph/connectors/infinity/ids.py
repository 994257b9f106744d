"""Native ids that stay unique across the domains one backend serves.

Infinity numbers each kind with integers, and one backend may serve several
SIP domains, so a native id is ``<domainId>-<id>`` (``"1-42"`` is record 42
of domain 1). The domain travels inside the id, so every later call knows
which ``/sip/domains/{domainId}`` path to use without a look-up.

An id that does not have this shape, or names a domain this backend does not
serve, cannot exist here: look-ups answer None for it and writes NotFound,
without asking the vendor.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

_NATIVE = re.compile(r"([1-9][0-9]{0,17})-([1-9][0-9]{0,17})")


@dataclass(frozen=True, slots=True, order=True)
class NativeId:
    domain: int
    id: int

    def __str__(self) -> str:
        return f"{self.domain}-{self.id}"


def native_id(domain: int, vendor_id: int | str) -> str:
    return f"{domain}-{int(vendor_id)}"


def parse_id(value: str, domains: Collection[int]) -> NativeId | None:
    """The domain and vendor id of a native id, or None if it cannot exist on this backend."""
    match = _NATIVE.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        return None
    parsed = NativeId(int(match.group(1)), int(match.group(2)))
    return parsed if parsed.domain in domains else None

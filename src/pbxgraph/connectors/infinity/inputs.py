"""Checking pbxgraph inputs against what Infinity can hold, before any request.

Each refusal is ``BAD_USER_INPUT`` naming the field and the backend, and says
what Infinity would need instead, so a caller is never left with a silently
dropped value or a half-made object.
"""

from __future__ import annotations

from typing import Any

from pbxgraph.connectors.infinity.collection import DomainCollection
from pbxgraph.connectors.infinity.ids import NativeId
from pbxgraph.errors import BadUserInput


def refuse(backend: str, field: str, message: str) -> BadUserInput:
    return BadUserInput(f"{field}: {message} (backend '{backend}' is Infinity)", field=field, backend=backend)


def in_domain(collection: DomainCollection[Any], native: str, domain: int, field: str) -> NativeId:
    """A related record's id that must live in ``domain``; NotFound if it cannot exist at all."""
    nid = collection.require_id(native)
    if nid.domain != domain:
        raise refuse(
            collection.backend, field,
            f"{collection.spec.noun} '{native}' is in SIP domain {nid.domain}, not {domain}; "
            "Infinity only relates records of the same domain",
        )
    return nid


def unique(values: list[NativeId]) -> list[NativeId]:
    """The ids in first-seen order, each once."""
    return list(dict.fromkeys(values))

"""Checking pbxgraph inputs against what Infinity can hold, before any request.

The fields Infinity cannot store are declared in the connector's
capabilities (``KindRules``), so the service refuses them before the
connector is reached; the connector checks them again for callers that use
it directly. Two codes, each naming the field and the backend and saying
what Infinity would need instead: ``NOT_SUPPORTED`` (:func:`cannot_store`)
for a field Infinity has no place for, ``BAD_USER_INPUT`` (:func:`refuse`)
for a value Infinity refuses. A caller is never left with a silently dropped
value or a half-made object.
"""

from __future__ import annotations

from typing import Any

from pbxgraph.connectors.infinity.collection import DomainCollection
from pbxgraph.connectors.infinity.ids import NativeId
from pbxgraph.errors import BadUserInput, NotSupported


def refuse(backend: str, field: str, message: str) -> BadUserInput:
    """A value Infinity refuses (a missing extension, another domain's record)."""
    return BadUserInput(f"{field}: {message} (backend '{backend}' is Infinity)", field=field, backend=backend)


def cannot_store(backend: str, field: str, message: str) -> NotSupported:
    """A field Infinity has no place for (a device model, a group's description)."""
    return NotSupported(
        f"{field}: backend '{backend}' cannot store this field: {message}", field=field, backend=backend
    )


def in_domain(collection: DomainCollection[Any], native: str, domain: int, field: str) -> NativeId:
    """A related record's id that must live in ``domain``; NotFound if it cannot exist at all."""
    nid = collection.require_id(native)
    if nid.domain != domain:
        raise refuse(
            collection.backend,
            field,
            f"{collection.spec.noun} '{native}' is in SIP domain {nid.domain}, not {domain}; "
            "Infinity only relates records of the same domain",
        )
    return nid


def unique(values: list[NativeId]) -> list[NativeId]:
    """The ids in first-seen order, each once."""
    return list(dict.fromkeys(values))

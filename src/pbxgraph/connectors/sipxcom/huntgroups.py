"""sipXcom hunt groups (``/api/callgroups``) as queues.

A hunt group has a ``name`` (its SIP identity, the short name the queue is
keyed by), an ``extension`` (how the API addresses it), a ``description``
and ``ringBeans``: the users it rings, in ring order. It keeps no display
name apart from its name, and its members carry no priority: they ring in
the order given.

The document shows hunt groups only as create and update bodies (with
``"ringBeans":[]``). Where it is silent, the connector relies on the guesses
the emulator documents: a read answers those fields plus ``id``, a listing
is ``{"callGroups": [...]}``, and a ring bean is ``{"userName", "typeStr",
"enabled", "expiration"}`` whose ``typeStr`` says how the ring follows the
one before it: ``"If no response"`` (after that ring's ``expiration``
seconds) or ``"At the same time"``.

A hunt group has no ring mode of its own, only its rings' types: it rings
SEQUENTIAL when every ring (after the first) waits for the one before, ALL
when every one rings at the same time; with mixed types, or no ring at all,
its strategy is unknown (``None``). Setting a strategy sets every ring's
type; new rings take the group's current type, and last 30 seconds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pbxgraph.connectors.sipxcom.payload import flag, integer, items, text
from pbxgraph.domain import Queue, RingStrategy
from pbxgraph.redaction import redact

RING_DELAYED = "If no response"
RING_IMMEDIATE = "At the same time"
RING_SECONDS = 30

TYPE_OF_STRATEGY: Mapping[RingStrategy, str] = {
    RingStrategy.SEQUENTIAL: RING_DELAYED,
    RingStrategy.ALL: RING_IMMEDIATE,
}
STRATEGY_OF_TYPE: Mapping[str, RingStrategy] = {value: key for key, value in TYPE_OF_STRATEGY.items()}

#: The fields of a hunt group a create or update sends, as the document's bodies list them.
BODY_FIELDS = (
    "name",
    "extension",
    "description",
    "enabled",
    "did",
    "ringBeans",
    "fallbackDestination",
    "voicemailFallback",
    "userForward",
    "useFwdTimers",
)


def rings_of(hunt: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [r for r in items(hunt.get("ringBeans"), "ringBeans", "ringBean") if isinstance(r, dict)]


def strategy_of(rings: Sequence[Mapping[str, Any]]) -> RingStrategy | None:
    """SEQUENTIAL or ALL when the rings agree (the first ring's own type only when alone)."""
    deciding = rings[1:] if len(rings) > 1 else rings
    types = {text(r.get("typeStr")) for r in deciding}
    if len(types) != 1:
        return None
    return STRATEGY_OF_TYPE.get(types.pop() or "")


def queue_record(hunt: Mapping[str, Any]) -> Queue:
    return Queue(
        id=str(hunt["id"]),
        name=text(hunt.get("name")) or "",
        extension=text(hunt.get("extension")),
        strategy=strategy_of(rings_of(hunt)),
        description=text(hunt.get("description")),
        display_name=None,
        raw=redact(dict(hunt)),
    )


def ring_bean(user_name: str, ring_type: str, current: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A ring for ``user_name``, keeping an existing ring's settings; ``enabled`` and ``expiration``
    are always sent (the server's ring bean takes ``false`` and 0 for them when left out)."""
    enabled = flag(current.get("enabled")) if current is not None else None
    expiration = integer(current.get("expiration")) if current is not None else None
    return {
        "userName": user_name,
        "typeStr": ring_type,
        "enabled": enabled is not False,
        "expiration": expiration if expiration is not None else RING_SECONDS,
    }


def ring_type_for(strategy: RingStrategy | None, hunt: Mapping[str, Any] | None) -> str:
    """The type new rings take: the strategy's, else the group's current one, else one after another."""
    if strategy is not None:
        return TYPE_OF_STRATEGY[strategy]
    current = strategy_of(rings_of(hunt)) if hunt is not None else None
    return TYPE_OF_STRATEGY[current] if current is not None else RING_DELAYED


def hunt_body(hunt: Mapping[str, Any]) -> dict[str, Any]:
    """A hunt group read back for a create or update: the document's body fields, as the server wrote them."""
    return {field: hunt.get(field) for field in BODY_FIELDS}

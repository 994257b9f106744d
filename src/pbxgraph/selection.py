"""What the current request reads: the fields it selects, and what its backends already answered.

Two hints a GraphQL query gives every connector call it causes, however deep
in the resolver tree (a listing, a relation look-up, a batch of ids):

* **The selection**: which record fields some part of the answer shows, per
  kind (``registration`` of a user, ``description`` of a group, ``raw``). A
  connector spends a vendor request on a field only when it is selected
  (Era's ``sipuser_states``, sipXcom's ``/api/registrations``, Era's single
  reads for a group's comment). Outside a GraphQL query (a mutation, the
  CLI, a test calling a connector) everything is selected, so records come
  back whole.
* **The reads**: a memo of vendor payloads the request has already been
  given, per backend, so that a relation look-up answers from what a listing
  one level up brought back (Era's group listing holds each group's dial
  plan; its user look-up by number holds each user's phone). It lives for
  one query and is absent outside one: a mutation, or anything after it,
  always reads afresh.

Both live in context variables set around a query's execution (like the
request's deadline, :mod:`pbxgraph.deadline`), so every task the request
spawns sees them; neither knows GraphQL or any vendor. The selection is the
domain's field names (``display_name``), never GraphQL's.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Final

from pbxgraph.domain import Kind


@dataclass(frozen=True, slots=True)
class Selection:
    """The record fields a request shows, per kind; ``None``: every field of every kind."""

    fields: Mapping[Kind, frozenset[str]] | None = None

    def wants(self, kind: Kind, *names: str) -> bool:
        """Whether any of ``names`` of ``kind`` is selected (always, when everything is)."""
        if self.fields is None:
            return True
        chosen = self.fields.get(kind, frozenset())
        return any(name in chosen for name in names)


EVERYTHING: Final = Selection()

_SELECTION: ContextVar[Selection] = ContextVar("pbxgraph_selection", default=EVERYTHING)


def current() -> Selection:
    """The current request's selection (everything outside a GraphQL query)."""
    return _SELECTION.get()


def wants(kind: Kind, *names: str) -> bool:
    """Whether the current request shows any of ``names`` of ``kind``."""
    return _SELECTION.get().wants(kind, *names)


@dataclass(slots=True)
class Reads:
    """Vendor payloads one request has been given, by backend, then by the connector's own key."""

    _found: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)

    def of(self, backend: str, key: str) -> dict[str, Any]:
        """The memo of ``backend`` under ``key`` (a collection, say), made empty on first use."""
        return self._found.setdefault(backend, {}).setdefault(key, {})

    def forget(self, backend: str) -> None:
        """Drop everything ``backend`` answered: it was just written to."""
        self._found.pop(backend, None)


_READS: ContextVar[Reads | None] = ContextVar("pbxgraph_reads", default=None)


def reads() -> Reads | None:
    """The current query's memo of vendor answers; None outside a query (read afresh)."""
    return _READS.get()


@contextlib.contextmanager
def selecting(selection: Selection, *, memo: bool = True) -> Iterator[None]:
    """Run the block with ``selection``, and with a fresh memo of reads if ``memo``."""
    token = _SELECTION.set(selection)
    reads_token = _READS.set(Reads() if memo else None)
    try:
        yield
    finally:
        _READS.reset(reads_token)
        _SELECTION.reset(token)


__all__ = ["EVERYTHING", "Reads", "Selection", "current", "reads", "selecting", "wants"]

"""Side effects: what a write changed besides the object it was asked to change.

Some vendors keep a relation in more than one place. An Era group rings a
user's *number*, so renumbering or deleting the user means rewriting every
group that rings it; the connector does that in the same mutation, and the
caller must learn of it. The connector contract stays as it is (a write
returns its record): a connector *reports* each extra change here, the
service names the backend, and the GraphQL layer returns the list beside the
answer (``extensions.sideEffects``), also when the mutation fails half-way,
so the caller sees what was done either way.

The journal is reached through a context variable: tasks a connector starts
with ``asyncio.gather`` or a task group inherit it, and nothing
leaks from one request to another. Outside a recording, reports are dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace

from pbxgraph.domain import Kind


@dataclass(frozen=True, slots=True)
class SideEffect:
    """One object a write changed on the side.

    ``field`` is the unified field that changed (``members`` for a group whose
    member list was rewritten); ``message`` says what happened in words a
    person reads (``group 'Reception' (500) now rings 305 instead of 205``).
    ``backend`` is filled in by the service for a connector that leaves it out.
    """

    kind: Kind
    id: str
    field: str
    message: str
    backend: str | None = None


Sink = Callable[[SideEffect], None]
_sink: ContextVar[Sink | None] = ContextVar("pbxgraph_side_effects", default=None)


def report(effect: SideEffect) -> None:
    """Note a side effect in the current recording (dropped when nobody records)."""
    sink = _sink.get()
    if sink is not None:
        sink(effect)


@contextmanager
def recording() -> Iterator[list[SideEffect]]:
    """Collect every side effect reported until the block ends (one per request)."""
    journal: list[SideEffect] = []
    token = _sink.set(journal.append)
    try:
        yield journal
    finally:
        _sink.reset(token)


@contextmanager
def on_backend(backend: str) -> Iterator[None]:
    """Side effects reported inside the block happened on ``backend``.

    Each is passed on to the enclosing recording as it is reported, because
    the block may end in an error after some of them were done.
    """
    outer = _sink.get()
    if outer is None:
        yield
        return

    def attributed(effect: SideEffect) -> None:
        outer(effect if effect.backend else replace(effect, backend=backend))

    token = _sink.set(attributed)
    try:
        yield
    finally:
        _sink.reset(token)

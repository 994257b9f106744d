"""Changes of several vendor calls: done whole, undone, or told exactly.

A vendor without transactions can fail half-way through a change that takes
several calls (a queue and then its members, a device and then its owner).
A connector runs such a change inside :class:`Steps` and records each write
as it succeeds, with how to take it back where the vendor allows. When a
later call fails, the recorded writes are taken back, newest first, and the
error says so (``extensions.undone: true``); a write that cannot be taken
back, or whose undoing fails too, is named in ``extensions.remains`` (kind,
native id, and the state it was left in), with ``undone: false``, so the
caller knows exactly what exists now.

Once every write is done, :meth:`Steps.finished` marks the change complete:
a failure after that (reading the result back) undoes nothing, and the error
says the change was made.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from pbxgraph.domain import Kind
from pbxgraph.errors import PbxError

log = logging.getLogger("pbxgraph.connectors")

Undo = Callable[[], Awaitable[Any]]


@dataclass(slots=True)
class Step:
    """One write that succeeded: what it left, and how to take it back (None: it cannot be)."""

    state: str
    undo: Undo | None = None
    kind: Kind | None = None
    native_id: str | None = None

    def remains(self, state: str | None = None) -> dict[str, Any]:
        entry: dict[str, Any] = {"state": state or self.state}
        if self.kind is not None:
            entry["kind"] = self.kind.value
        if self.native_id is not None:
            entry["nativeId"] = self.native_id
        return entry


class Steps:
    """``async with Steps(backend, "create queue 'Sales'") as steps: ...; steps.done(...)``."""

    def __init__(self, backend: str, what: str) -> None:
        self.backend = backend
        self.what = what
        self._steps: list[Step] = []
        self._finished = False

    def done(
        self, state: str, *, undo: Undo | None = None, kind: Kind | None = None, native_id: str | None = None
    ) -> Step:
        """Record a write that succeeded; the returned step may be completed later (an id learnt after)."""
        step = Step(state=state, undo=undo, kind=kind, native_id=native_id)
        self._steps.append(step)
        return step

    def finished(self, state: str | None = None, *, kind: Kind | None = None, native_id: str | None = None) -> None:
        """Every write is done: a failure from here on leaves the change in place and says so.

        ``state`` describes the result when the steps' own states (each one
        the state right after that step) do not.
        """
        self._finished = True
        if state is not None:
            self._steps = [Step(state=state, kind=kind, native_id=native_id)]

    async def __aenter__(self) -> Steps:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Undo or tell; the error always goes on (None: nothing is swallowed, as type checkers then know)."""
        if exc is None or not self._steps or not isinstance(exc, Exception):
            return
        if self._finished:
            remains = [step.remains() for step in self._steps]
            self._tell(
                exc,
                undone=False,
                remains=remains,
                said=f"the change was made ({'; '.join(r['state'] for r in remains)})",
            )
            return
        remains = []
        undone: list[str] = []
        for step in reversed(self._steps):
            if step.undo is None:
                remains.append(step.remains())
                continue
            try:
                await step.undo()
            except Exception as failure:  # noqa: BLE001 - the first failure is the one to report
                log.warning(
                    "backend %s: could not undo '%s' after a failed %s (%s)",
                    self.backend,
                    step.state,
                    self.what,
                    failure.code if isinstance(failure, PbxError) else type(failure).__name__,
                )
                remains.append(step.remains())
            else:
                undone.append(step.state)
        remains.reverse()
        if remains:
            said = f"still on the backend: {'; '.join(r['state'] for r in remains)}"
            if undone:
                said += f" (undone: {'; '.join(reversed(undone))})"
        else:
            said = f"what was done is undone ({'; '.join(reversed(undone))})"
        self._tell(exc, undone=not remains, remains=remains, said=said)

    def _tell(self, exc: BaseException, *, undone: bool, remains: list[dict[str, Any]], said: str) -> None:
        if isinstance(exc, PbxError):
            exc.with_backend(self.backend)
            exc.undone = undone
            exc.remains = remains
            exc.message = f"{exc.message}; {self.what} failed half-way: {said}"
        else:
            log.error("backend %s: %s failed half-way with a bug: %s", self.backend, self.what, said)

"""``extensions.sideEffects``: what a mutation changed besides its own object.

A connector reports the objects a write changed on the side (see
:mod:`pbxgraph.effects`); this extension records them for the whole
operation and returns them beside ``data``, one entry per changed object::

    "extensions": {"sideEffects": [
      {"backend": "hq", "kind": "GROUP", "id": "<global id>", "nativeId": "...",
       "field": "members", "message": "group 'Reception' (500) now rings 305 instead of 205"}]}

They come back with an error too: a mutation that failed after some of them
were done says so in both places. A response with no side effect has no
``sideEffects`` key.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from strawberry.extensions import SchemaExtension

from pbxgraph import effects
from pbxgraph.ids import encode_id


def _entry(effect: effects.SideEffect) -> dict[str, Any]:
    entry: dict[str, Any] = {"backend": effect.backend, "kind": effect.kind.name}
    if effect.backend is not None:
        entry["id"] = encode_id(effect.kind, effect.backend, effect.id)
    entry.update({"nativeId": effect.id, "field": effect.field, "message": effect.message})
    return entry


class SideEffects(SchemaExtension):
    """Records the operation's side effects and adds them to the response's extensions."""

    _journal: list[effects.SideEffect] | None = None  # each operation records into its own list

    def on_operation(self) -> Iterator[None]:
        with effects.recording() as journal:
            self._journal = journal
            yield

    def get_results(self) -> dict[str, Any]:
        if not self._journal:
            return {}
        return {"sideEffects": [_entry(e) for e in self._journal]}

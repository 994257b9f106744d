"""Test-only switches for where a real Infinity may answer otherwise than the emulator's guesses.

The document is silent on filter operators beyond ``eq`` and says nothing
about a listing repeating a row. A test sets these on
``emulator.state.quirks`` (or passes ``quirks=`` to ``create_emulator``) to
meet a server that refuses an operator, or one whose listings repeat rows,
and checks that pbxgraph still answers right. ``reset_emulator`` puts them
back to the defaults, which are the emulator's own guesses.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Quirks:
    #: Filter operators answered with 400 (as a server that knows only ``eq`` would), e.g. ``{"like"}``.
    refused_operators: frozenset[str] = frozenset()
    #: Every listing sends each of its rows twice (the second copy right after the first).
    repeated_rows: bool = False

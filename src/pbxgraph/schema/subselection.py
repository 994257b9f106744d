"""What a request selects below the field being resolved, for work done only when asked."""

from __future__ import annotations

from collections.abc import Iterable

from strawberry.types import Info
from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection


def _has(selections: Iterable[Selection], name: str) -> bool:
    for selection in selections:
        if isinstance(selection, SelectedField):
            if selection.name == name:
                return True
        elif isinstance(selection, FragmentSpread | InlineFragment) and _has(selection.selections, name):
            return True
    return False


def selects(info: Info, name: str) -> bool:
    """Whether the field being resolved selects ``name`` (its GraphQL name), directly or in a fragment.

    ``@skip``/``@include`` are not evaluated: such a field counts as selected, so the
    work is done, never wrongly left out.
    """
    return any(_has(field.selections, name) for field in info.selected_fields)

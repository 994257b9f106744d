"""Every string a caller sends has a maximum length and holds no control characters.

Checked once for every argument of every root field (queries and mutations),
after GraphQL has parsed the arguments and before the resolver runs, so no
backend is ever asked with an oversized or garbled value: a 50,000-character
``search`` would otherwise become an unusable vendor URL or a LIKE pattern
too complex for the database. The error names the argument path
(``input.displayName``, ``ids[3]``) and never echoes the value.

The limits are by GraphQL name, the same for a name wherever it appears, and
each field's description is given its limit when the schema is built
(``bound_arguments``), so the schema documents exactly what is enforced.
"""

from __future__ import annotations

import enum
import unicodedata
from typing import Any

import strawberry
from strawberry.extensions import FieldExtension
from strawberry.types.base import StrawberryList
from strawberry.utils.str_converters import to_camel_case

from pbxgraph.errors import BadUserInput
from pbxgraph.ids import MAX_ID_LENGTH
from pbxgraph.service.listing import MAX_CURSOR_LENGTH

#: The longest value each string argument or input field accepts, by GraphQL name.
MAX_LENGTH: dict[str, int] = {
    # people and objects
    "username": 128,
    "displayName": 200,
    "name": 200,
    "description": 500,
    "email": 254,
    "sipPassword": 200,
    "password": 200,
    "extension": 15,
    "number": 15,
    "host": 253,
    "domain": 253,
    "mac": 32,
    "model": 100,
    # listings
    "search": 200,
    "after": MAX_CURSOR_LENGTH,
    "backend": 63,
    "backends": 63,
    "toBackend": 63,
    # batches of changes
    "ref": 64,
    # safe retries (pbxgraph.state.idempotency.MAX_KEY_LENGTH)
    "idempotencyKey": 255,
    # the audit log's filter
    "objectId": MAX_ID_LENGTH,
    "tokens": 200,
    "operations": 40,
    "outcomes": 40,
    # global ids
    "id": MAX_ID_LENGTH,
    "ids": MAX_ID_LENGTH,
    "memberIds": MAX_ID_LENGTH,
    "userIds": MAX_ID_LENGTH,
    "userId": MAX_ID_LENGTH,
    "groupId": MAX_ID_LENGTH,
    "queueId": MAX_ID_LENGTH,
    "deviceId": MAX_ID_LENGTH,
}
#: For a string field this table does not name yet (a test keeps the table complete).
DEFAULT_MAX_LENGTH = 1000
#: Control characters (tab and newline included), lone surrogates, line and paragraph separators.
_FORBIDDEN = frozenset({"Cc", "Cs", "Zl", "Zp"})


def max_length(name: str) -> int:
    return MAX_LENGTH.get(name, DEFAULT_MAX_LENGTH)


_MARKER = "At most "


def limited(text: str, name: str, *, each: bool = False) -> str:
    """A field's description with the limit this module enforces on it (``each`` for a list)."""
    lead = f"{text.rstrip()} " if text else ""
    return f"{lead}{_MARKER}{max_length(name)} characters{' each' if each else ''}."


def check_text(value: str, path: str, name: str) -> None:
    limit = max_length(name)
    if len(value) > limit:
        raise BadUserInput(f"{path}: longer than {limit} characters ({len(value)} given)", field=path)
    for position, char in enumerate(value):
        if unicodedata.category(char) in _FORBIDDEN:
            raise BadUserInput(
                f"{path}: holds a control character (U+{ord(char):04X} at position {position})", field=path
            )


def check_value(value: Any, path: str, name: str) -> None:
    """Walk one argument: strings, lists of them, and input objects field by field."""
    if value is None or value is strawberry.UNSET or isinstance(value, (enum.Enum, bool, int, float)):
        return
    if isinstance(value, str):
        check_text(value, path, name)
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            check_value(item, f"{path}[{index}]", name)
    elif hasattr(type(value), "__strawberry_definition__"):
        for field in type(value).__strawberry_definition__.fields:
            field_name = field.graphql_name or to_camel_case(field.python_name)
            check_value(getattr(value, field.python_name, None), f"{path}.{field_name}", field_name)


class BoundedArguments(FieldExtension):
    """Checks a root field's arguments (see the module docstring) before its resolver runs."""

    def map_arguments(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        for python_name, value in kwargs.items():
            name = to_camel_case(python_name)
            check_value(value, name, name)
        return kwargs


def bound_arguments(*root_types: type) -> None:
    """Give every field of ``root_types`` the check, and every string it takes its documented limit.

    Done once, before the schema is built: each String or ID argument, and
    each such field of the input types the arguments use, gets "At most N
    characters." in its description, so the schema states what is enforced.
    """
    for root in root_types:
        for field in root.__strawberry_definition__.fields:  # type: ignore[attr-defined]
            if not any(isinstance(e, BoundedArguments) for e in field.extensions):
                field.extensions.append(BoundedArguments())
            for argument in field.arguments:
                name = argument.graphql_name or to_camel_case(argument.python_name)
                argument.description = _described(argument.description, argument.type, name)


def _described(description: str | None, type_: Any, name: str) -> str | None:
    inner = _unwrapped(type_)
    if inner is str or inner is strawberry.ID:
        if description and _MARKER in description:
            return description
        return limited(description or "", name, each=_is_list(type_))
    if hasattr(inner, "__strawberry_definition__") and inner.__strawberry_definition__.is_input:
        for field in inner.__strawberry_definition__.fields:
            field_name = field.graphql_name or to_camel_case(field.python_name)
            field.description = _described(field.description, field.type, field_name)
    return description


def _is_list(type_: Any) -> bool:
    while hasattr(type_, "of_type"):
        if isinstance(type_, StrawberryList):
            return True
        type_ = type_.of_type
    return False


def _unwrapped(type_: Any) -> Any:
    while hasattr(type_, "of_type"):
        type_ = type_.of_type
    return type_


__all__ = ["MAX_LENGTH", "BoundedArguments", "bound_arguments", "check_value", "limited", "max_length"]

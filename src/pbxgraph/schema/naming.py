"""Domain field names as a GraphQL caller writes them, in one place.

Connectors and the service speak the domain's names (``sip_password``,
``member_user_ids``); errors and capabilities are read by someone who wrote
the GraphQL input (``input.sipPassword``, ``members``), so every name that
leaves the schema goes through here.
"""

from __future__ import annotations

import re
from collections.abc import Collection

#: Domain fields whose input field is not simply their camelCase form.
_RENAMED = {"member_user_ids": "members"}


def _camel(text: str) -> str:
    """Only an underscore inside a word joins it: GraphQL's own ``__typename`` stays as it is."""
    return re.sub(r"(?<=[A-Za-z0-9])_([a-z0-9])", lambda m: m.group(1).upper(), text)


def input_name(field: str) -> str:
    """``sip_password`` -> ``sipPassword``; ``members[0].priority`` keeps its path."""
    head, rest = re.fullmatch(r"([^.\[]*)(.*)", field, re.DOTALL).groups()  # type: ignore[union-attr]
    return _RENAMED.get(head, _camel(head)) + _camel(rest)


def argument_path(field: str, arguments: Collection[str]) -> str:
    """A domain field as the path of the argument the caller sent (``input.sipPassword``)."""
    name = input_name(field)
    head = re.split(r"[.\[]", name, maxsplit=1)[0]
    return name if head in arguments or "input" not in arguments else f"input.{name}"

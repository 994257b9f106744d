"""Which user a phone line belongs to.

The document's table calls a line's ``userId`` the user's identification
number, but the vendor's own fixtures answer a line as
``{"id":1,"uri":"\\"Test User\\"<sip:testuser@example.org>","user":"testuser",
"userId":"testuser",...}`` (and create one sending ``"user":"testuser",
"userId":"1000"``): ``userId`` carries the user *name*. sipXcom users are
often named by their extension, so a line of user ``200`` may well say
``"userId":"200"`` while another user has the id 200.

A line therefore names its user by name: ``user``, or a ``userId`` that is
not all digits. Only a line that gives no name at all is read by the
document's table, its all-digit ``userId`` as the user's id. A name is never
looked up as an id, nor an id as a name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pbxgraph.connectors.sipxcom.payload import items, text


@dataclass(frozen=True, slots=True)
class LineOwner:
    """How one line names its user: by name, or (lacking one) by numeric id."""

    name: str | None = None
    id: int | None = None

    @property
    def names_anyone(self) -> bool:
        return self.name is not None or self.id is not None


def _numeric(value: str) -> bool:
    """ASCII digits only: ``str.isdigit`` takes any Unicode digit, and ``int("١٢")`` is 12."""
    return value.isascii() and value.isdigit()


def owner_of(line: Mapping[str, Any]) -> LineOwner:
    name = text(line.get("user"))
    user_id = text(line.get("userId"))
    if name is None and user_id is not None and not _numeric(user_id):
        name = user_id
    if name is not None:
        return LineOwner(name=name.strip())
    if user_id is not None and _numeric(user_id) and len(user_id) < 19:
        return LineOwner(id=int(user_id))
    return LineOwner()


def lines_of(phone: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A phone's lines; ``null`` (no lines, as the server writes it) is none."""
    return [line for line in items(phone.get("lines"), "line", "Line") if isinstance(line, dict)]


def owners_of(phone: Mapping[str, Any]) -> list[LineOwner]:
    """Who the phone's lines name, in line order, each once."""
    found: list[LineOwner] = []
    for line in lines_of(phone):
        owner = owner_of(line)
        if owner.names_anyone and owner not in found:
            found.append(owner)
    return found


class UserIndex:
    """Normalised ``/rest`` users, found by user name or alias (case-insensitive) or by id."""

    def __init__(self, users: Iterable[dict[str, Any]]) -> None:
        self.by_name: dict[str, dict[str, Any]] = {}
        self.by_id: dict[int, dict[str, Any]] = {}
        listed = list(users)
        for user in listed:
            self.by_id[user["id"]] = user
            if user["userName"]:
                self.by_name.setdefault(user["userName"].casefold(), user)
        for user in listed:  # aliases share the user names' namespace on the server
            for alias in user["aliases"]:
                self.by_name.setdefault(alias.casefold(), user)

    def find(self, owner: LineOwner) -> dict[str, Any] | None:
        if owner.name is not None:
            return self.by_name.get(owner.name.casefold())
        if owner.id is not None:
            return self.by_id.get(owner.id)
        return None

"""sipXconfig payloads <-> pbxgraph records, and the secrets kept out of them.

* User: ``userName`` is the username; the display name is ``firstName``
  ``lastName``; the extension is the first all-digit alias, else the user
  name when it is all digits (sipXcom users are often named by their
  extension); ``emailAddress`` is the e-mail; ``enabled`` the user's flag
  (see :mod:`.users` for where the document is silent about it).
* Group: a ``/rest`` user group (name, description); no extension, no ring
  strategy (user groups do not ring), no display name apart from its name.
* Device: a phone (``serialNo`` is the MAC, the model's label, the
  ``description`` as its name), registered when its MAC has an active
  registration.

Trunks are in :mod:`.gateways`, queues in :mod:`.huntgroups`, the users a
phone's lines name in :mod:`.lines`. Every record's ``raw`` is the vendor
payload with its secrets removed: PINs, SIP passwords of users and phone
lines, gateway setting values whose path names a password or secret.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from pbxgraph.connectors.sipxcom import registrations
from pbxgraph.connectors.sipxcom.payload import flag, integer, items, text
from pbxgraph.domain import Device, Group, Registration, User
from pbxgraph.redaction import redact
from pbxgraph.validation import normalize_mac

_DIGITS = re.compile(r"[0-9]{2,15}")

USER_ITEM_TAGS = {"groups": "group", "aliases": "alias"}
GROUP_TAGS = ("group", "userGroup")


# --- users -----------------------------------------------------------------------


def normal_user(payload: Mapping[str, Any]) -> dict[str, Any]:
    """A ``/rest`` user, XML or JSON, in one shape (secrets dropped)."""
    groups = [normal_group(g) for g in items(payload.get("groups"), *GROUP_TAGS) if isinstance(g, Mapping)]
    branch = payload.get("branch")
    aliases: list[str] = []
    for entry in items(payload.get("aliases"), "alias"):
        alias = text(entry.get("alias")) if isinstance(entry, Mapping) else text(entry)
        if alias:
            aliases.append(alias)
    return {
        "id": integer(payload.get("id")),
        "userName": text(payload.get("userName")),
        "firstName": text(payload.get("firstName")),
        "lastName": text(payload.get("lastName")),
        "emailAddress": text(payload.get("emailAddress")),
        "groups": groups,
        "branch": {
            "id": integer(branch.get("id")),
            "name": text(branch.get("name")),
            "description": text(branch.get("description")),
        }
        if isinstance(branch, Mapping)
        else None,
        "aliases": aliases,
        # None: the server said nothing about it (and is sent nothing about it).
        "enabled": flag(payload.get("enabled")),
    }


def unique_by_id(found: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """A listing with each id once, the first time it came (ids as integers).

    Entries without a usable id are dropped here; the reads that build
    listings refuse them first (see ``Lookups._identified``).

    A vendor listing can repeat an object (a page boundary moving under a
    paged read, or a server answering one twice): two records with one id
    would be two nodes with one global id.
    """
    seen: set[int] = set()
    unique: list[dict[str, Any]] = []
    for entry in found:
        key = integer(entry.get("id"))
        if key is None or key in seen:
            continue
        seen.add(key)
        unique.append({**entry, "id": key})
    return unique


def extension_of(user: Mapping[str, Any]) -> str | None:
    for alias in user["aliases"]:
        if _DIGITS.fullmatch(alias):
            return str(alias)
    name = user["userName"] or ""
    return name if _DIGITS.fullmatch(name) else None


def display_name_of(user: Mapping[str, Any]) -> str | None:
    name = " ".join(part for part in (user["firstName"], user["lastName"]) if part)
    return name or None


def split_display_name(display_name: str | None) -> tuple[str | None, str | None]:
    """ "Ada King Lovelace" -> ("Ada", "King Lovelace"): first word, then the rest."""
    if not display_name or not display_name.strip():
        return None, None
    first, _, last = display_name.strip().partition(" ")
    return first, (last.strip() or None)


def user_record(user: Mapping[str, Any], found: list[dict[str, Any]] | None = None) -> User:
    """A user; ``found`` its registrations (None: unknown)."""
    raw = dict(user)
    status: Registration | None = None
    if found is not None:
        raw["registrations"] = redact(found)
        status = registrations.state_of(found).status
    return User(
        id=str(user["id"]),
        username=user["userName"] or "",
        display_name=display_name_of(user),
        extension=extension_of(user),
        email=user["emailAddress"],
        enabled=user.get("enabled") is not False,
        registration=status,
        raw=raw,
    )


def user_body(user: Mapping[str, Any]) -> dict[str, Any]:
    """A whole ``/rest`` user for a PUT; blank PIN and SIP password keep the current ones.

    ``enabled`` goes only where the server spoke of it or the caller set it,
    so that a server whose users carry no such flag is sent none.
    """
    body = {
        "userName": user["userName"],
        "firstName": user["firstName"],
        "lastName": user["lastName"],
        "pin": "",
        "sipPassword": user.get("sipPassword") or "",
        "emailAddress": user["emailAddress"],
        "groups": [{"id": g["id"]} for g in user["groups"]],
        "branch": {"id": user["branch"]["id"]} if user.get("branch") else None,
        "aliases": list(user["aliases"]),
    }
    if user.get("enabled") is not None:
        body["enabled"] = user["enabled"]
    return body


def with_extension(aliases: list[str], user_name: str, extension: str | None) -> list[str]:
    """The aliases with the extension alias replaced (or dropped, or added)."""
    rest = list(aliases)
    current = next((a for a in rest if _DIGITS.fullmatch(a)), None)
    if current is not None:
        rest.remove(current)
    if extension is None or extension == user_name:
        return rest
    return [extension, *rest]


# --- groups ------------------------------------------------------------------------------


def normal_group(payload: Mapping[str, Any]) -> dict[str, Any]:
    branch = payload.get("branch")
    return {
        "id": integer(payload.get("id")),
        "name": text(payload.get("name")),
        "description": text(payload.get("description")),
        "branch": {"id": integer(branch.get("id")), "name": text(branch.get("name"))}
        if isinstance(branch, Mapping)
        else None,
    }


def group_record(group: Mapping[str, Any]) -> Group:
    return Group(id=str(group["id"]), name=group["name"] or "", description=group["description"], raw=dict(group))


def group_body(group: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "name": group["name"],
        "description": group["description"],
        "branch": {"id": group["branch"]["id"]} if group.get("branch") else None,
    }


# --- devices --------------------------------------------------------------------------------


def device_record(phone: Mapping[str, Any], found: list[dict[str, Any]] | None = None) -> Device:
    """A phone; ``found`` its registrations (None: unknown)."""
    model = given if isinstance(given := phone.get("model"), Mapping) else {}
    serial = text(phone.get("serialNo"))
    raw = redact(dict(phone))
    if found is not None:
        raw["registrations"] = redact(found)
    return Device(
        id=str(integer(phone.get("id"))),
        mac=normalize_mac(serial) if serial else None,
        model=text(model.get("label")) or text(model.get("modelId")),
        name=text(phone.get("description")),
        registration=registrations.state_of(found) if found is not None else None,
        raw=raw,
    )


def phone_body(phone: Mapping[str, Any]) -> dict[str, Any]:
    """The writable fields of a phone for a PUT (its lines are managed apart)."""
    model = given if isinstance(given := phone.get("model"), Mapping) else {}
    return {
        "serialNo": phone.get("serialNo"),
        "deviceVersion": phone.get("deviceVersion"),
        "description": phone.get("description"),
        "model": {"modelId": model.get("modelId")},
    }

"""sipXconfig payloads <-> pbxgraph records, and the secrets kept out of them.

* User: ``userName`` is the username; the display name is ``firstName``
  ``lastName``; the extension is the first all-digit alias, else the user
  name when it is all digits (sipXcom users are often named by their
  extension); ``emailAddress`` is the e-mail. sipXcom users have no
  enabled flag: they are always enabled.
* Group: a ``/rest`` user group (name, description); no extension, no ring
  strategy (user groups do not ring).
* Trunk: a SIP trunk gateway (``address``, ``addressPort`` with 0 meaning
  unset, ``addressTransport``, ``enabled``) plus, from its settings, the
  account name (``itsp-account/user-name``) and whether it registers
  (``itsp-account/register-on-initialization``).
* Device: a phone (``serialNo`` is the MAC, the model's label, the
  ``description`` as its name).

Every record's ``raw`` is the vendor payload with its secrets removed:
PINs, SIP passwords of users and phone lines, gateway setting values whose
path names a password or secret.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pbxgraph.connectors.sipxcom.payload import entries, flag, integer, items, text
from pbxgraph.domain import Device, Group, Registration, Transport, Trunk, User
from pbxgraph.redaction import redact
from pbxgraph.validation import normalize_mac

SIP_TRUNK_MODEL = "sipTrunkStandard"
SETTING_USERNAME = "itsp-account/user-name"
SETTING_PASSWORD = "itsp-account/password"
SETTING_REGISTER = "itsp-account/register-on-initialization"

_SECRET_PATH = re.compile(r"pass(word|wd)|secret|token|credential|(^|[/-])pin($|[/-])", re.IGNORECASE)
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
        "branch": {"id": integer(branch.get("id")), "name": text(branch.get("name")),
                   "description": text(branch.get("description"))} if isinstance(branch, Mapping) else None,
        "aliases": aliases,
    }


def user_entries(tree: Any) -> list[dict[str, Any]]:
    """The users of a ``/rest/user`` listing (wrapped in ``<users>`` or not), normalised."""
    return [normal_user(e) for e in entries(tree, "users", "user")]


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
    """"Ada King Lovelace" -> ("Ada", "King Lovelace"): first word, then the rest."""
    if not display_name or not display_name.strip():
        return None, None
    first, _, last = display_name.strip().partition(" ")
    return first, (last.strip() or None)


def user_record(user: Mapping[str, Any], registrations: list[dict[str, Any]] | None = None) -> User:
    raw = dict(user)
    status: Registration | None = None
    if registrations is not None:
        raw["registrations"] = redact(registrations)
        status = Registration.ONLINE if any(is_active(r) for r in registrations) else Registration.OFFLINE
    return User(
        id=str(user["id"]),
        username=user["userName"] or "",
        display_name=display_name_of(user),
        extension=extension_of(user),
        email=user["emailAddress"],
        enabled=True,
        registration=status,
        raw=raw,
    )


def user_body(user: Mapping[str, Any]) -> dict[str, Any]:
    """A whole ``/rest`` user for a PUT; blank PIN and SIP password keep the current ones."""
    return {
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


def with_extension(aliases: list[str], user_name: str, extension: str | None) -> list[str]:
    """The aliases with the extension alias replaced (or dropped, or added)."""
    rest = list(aliases)
    current = next((a for a in rest if _DIGITS.fullmatch(a)), None)
    if current is not None:
        rest.remove(current)
    if extension is None or extension == user_name:
        return rest
    return [extension, *rest]


# --- registrations -------------------------------------------------------------------


def is_active(registration: Mapping[str, Any]) -> bool:
    status = text(registration.get("status"))
    if status is not None:
        return status.lower() == "active"
    remaining = integer(registration.get("secondsToExpire"))
    return remaining is not None and remaining > 0


def registered_name(registration: Mapping[str, Any]) -> str | None:
    """The user part of a registration's AOR (``sip:200@example.org`` -> ``200``)."""
    uri = text(registration.get("uri")) or text(registration.get("identity"))
    if uri is None:
        return None
    if uri.lower().startswith("sip:") or uri.lower().startswith("sips:"):
        uri = uri.split(":", 1)[1]
    return uri.split("@", 1)[0].casefold() or None


# --- groups ------------------------------------------------------------------------------


def normal_group(payload: Mapping[str, Any]) -> dict[str, Any]:
    branch = payload.get("branch")
    return {
        "id": integer(payload.get("id")),
        "name": text(payload.get("name")),
        "description": text(payload.get("description")),
        "branch": {"id": integer(branch.get("id")), "name": text(branch.get("name"))}
        if isinstance(branch, Mapping) else None,
    }


def group_record(group: Mapping[str, Any]) -> Group:
    return Group(id=str(group["id"]), name=group["name"] or "", description=group["description"],
                 raw=dict(group))


def group_body(group: Mapping[str, Any]) -> dict[str, Any]:
    return {"name": group["name"], "description": group["description"],
            "branch": {"id": group["branch"]["id"]} if group.get("branch") else None}


# --- devices --------------------------------------------------------------------------------


def device_record(phone: Mapping[str, Any]) -> Device:
    model = phone.get("model") if isinstance(phone.get("model"), Mapping) else {}
    serial = text(phone.get("serialNo"))
    return Device(
        id=str(integer(phone.get("id"))),
        mac=normalize_mac(serial) if serial else None,
        model=text(model.get("label")) or text(model.get("modelId")),
        name=text(phone.get("description")),
        raw=redact(dict(phone)),
    )


def line_user_ids(phone: Mapping[str, Any]) -> list[int]:
    """The users a phone's lines belong to, in line order."""
    found: list[int] = []
    for line in items(phone.get("lines"), "line"):
        if isinstance(line, Mapping):
            user_id = integer(line.get("userId"))
            if user_id is not None and user_id not in found:
                found.append(user_id)
    return found


def phone_body(phone: Mapping[str, Any]) -> dict[str, Any]:
    """The writable fields of a phone for a PUT (its lines are managed apart)."""
    model = phone.get("model") if isinstance(phone.get("model"), Mapping) else {}
    return {
        "serialNo": phone.get("serialNo"),
        "deviceVersion": phone.get("deviceVersion"),
        "description": phone.get("description"),
        "model": {"modelId": model.get("modelId")},
    }


# --- trunks ------------------------------------------------------------------------------------


def is_sip_trunk(gateway: Mapping[str, Any]) -> bool:
    model = gateway.get("model")
    model_id = text(model.get("modelId")) if isinstance(model, Mapping) else text(model)
    return model_id == SIP_TRUNK_MODEL


def settings_map(settings: Any) -> dict[str, str | None]:
    """A gateway's settings list as ``{path: value}`` (secrets included: handle with care)."""
    found: dict[str, str | None] = {}
    container = settings.get("settings") if isinstance(settings, Mapping) else settings
    for entry in items(container, "setting"):
        if isinstance(entry, Mapping) and text(entry.get("path")):
            found[str(text(entry.get("path")))] = text(entry.get("value"))
    return found


def is_secret_setting(path: str) -> bool:
    return bool(_SECRET_PATH.search(path))


def _transport(value: str | None) -> Transport | None:
    try:
        return Transport(value.lower()) if value else None
    except ValueError:
        return None


def trunk_record(gateway: Mapping[str, Any], settings: Mapping[str, str | None] | None) -> Trunk:
    raw = redact(dict(gateway))
    username = register = None
    if settings is not None:
        raw["settings"] = {path: value for path, value in settings.items() if not is_secret_setting(path)}
        username = settings.get(SETTING_USERNAME)
        register = flag(settings.get(SETTING_REGISTER))
    port = integer(gateway.get("addressPort"))
    return Trunk(
        id=str(integer(gateway.get("id"))),
        name=text(gateway.get("name")) or "",
        host=text(gateway.get("address")),
        port=port or None,
        transport=_transport(text(gateway.get("addressTransport"))),
        username=username,
        enabled=bool(flag(gateway.get("enabled"))),
        register=register,
        raw=raw,
    )


def gateway_body(gateway: Mapping[str, Any]) -> dict[str, Any]:
    """A gateway read back for a PUT: every field as the server wrote it, minus the id."""
    return {k: v for k, v in gateway.items() if k != "id"}

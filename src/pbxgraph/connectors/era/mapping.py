"""Era payloads to domain records and back.

=========  =============================================================  ==============================
unified    Era                                                            notes
=========  =============================================================  ==============================
User       ``sipusers``: ``login`` username, ``name`` display name,        no e-mail and no disabled
           ``phonenumber`` extension; ``sipuser_states`` registration      state in Era
Group      ``sipgroups``: ``opts.title`` name (else the number),          members: see ``dial_numbers``
           ``phonenumber``, ``type``, ``opts.comment`` description
Queue      ``hunts``: ``code`` name, ``phonenumber``, ``resmode``,        members: ``resources``
           ``opts.comment`` description
Trunk      ``providers``: ``code`` name, ``domain`` (else ``proxyaddr``)  ``pwd`` write-only
           host, ``proxyport`` port (0 = default), ``transport``,
           ``login`` username, ``enabled``, ``reg``
Device     a SIP user's ``opts.ap_mac_address``/``ap_device_model``       id = the MAC, 12 hex digits
=========  =============================================================  ==============================

List views leave out ``opts.comment`` (and hunts their ``resources``), so a
group or queue read from a list has ``description=None`` unless the record
came from a single read, a create or an update: Era does not say it in lists.

Secrets (``pwd`` and anything named like a password, credential or token)
are scrubbed from every payload before it becomes ``raw``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pbxgraph.domain import (
    Device,
    Group,
    Queue,
    Registration,
    RingStrategy,
    Transport,
    Trunk,
    User,
)
from pbxgraph.errors import BackendError
from pbxgraph.redaction import redact
from pbxgraph.validation import normalize_mac

#: sipgroups.type <-> ring strategy. Era rings a group number in one of three ways.
GROUP_TYPES: Mapping[str, RingStrategy] = {
    "cascade": RingStrategy.SEQUENTIAL,
    "parallel": RingStrategy.ALL,
    "random": RingStrategy.RANDOM,
}
GROUP_TYPE_OF: Mapping[RingStrategy, str] = {v: k for k, v in GROUP_TYPES.items()}

#: hunts.resmode <-> ring strategy. The documents show only ``priorityrandom``:
#: resources by priority, at random among equals. Other modes stay in ``raw``.
HUNT_MODES: Mapping[str, RingStrategy] = {"priorityrandom": RingStrategy.PRIORITY}
HUNT_MODE_OF: Mapping[RingStrategy, str] = {v: k for k, v in HUNT_MODES.items()}

_TRANSPORTS = {t.value: t for t in Transport}


def entity_id(payload: Any, kind: str) -> str:
    if not isinstance(payload, Mapping) or not isinstance(payload.get("id"), str) or not payload["id"]:
        raise BackendError(f"Era answered a {kind} without an id")
    return payload["id"]


def text(payload: Mapping[str, Any], key: str) -> str | None:
    """A string field, with Era's empty string read as absent."""
    value = payload.get(key)
    if value is None or value == "":
        return None
    return str(value)


def opts(payload: Mapping[str, Any]) -> dict[str, Any]:
    value = payload.get("opts")
    return dict(value) if isinstance(value, Mapping) else {}


def flag(payload: Mapping[str, Any], key: str) -> bool | None:
    value = payload.get(key)
    if value is None:
        return None
    return bool(value)


# --- users ----------------------------------------------------------------------


def user_from(payload: Any, registration: Registration | None = None) -> User:
    user_id = entity_id(payload, "sipuser")
    login = text(payload, "login")
    if login is None:
        raise BackendError(f"Era answered sipuser '{user_id}' without a login")
    return User(
        id=user_id,
        username=login,
        display_name=text(payload, "name"),
        extension=text(payload, "phonenumber"),
        email=None,
        enabled=True,
        registration=registration,
        raw=redact(payload),
    )


def registration_from(status: Any) -> Registration | None:
    try:
        return Registration(status)
    except ValueError:
        return None


# --- devices ----------------------------------------------------------------------


def device_id(mac: str) -> str:
    """The native id of the phone with this (normalised) MAC: its 12 hex digits."""
    return mac.replace(":", "")


def mac_of_id(native_id: str) -> str | None:
    """The normalised MAC a device id stands for, or None if it is not one of ours."""
    mac = normalize_mac(native_id) if len(native_id) == 12 else None
    return mac if mac is not None and device_id(mac) == native_id else None


def era_mac(mac: str) -> str:
    """How Era writes a MAC address in ``opts.ap_mac_address``: ``805EC0D525CA``."""
    return mac.replace(":", "").upper()


def device_from(user_payload: Mapping[str, Any]) -> Device | None:
    """The phone auto-provisioned for this SIP user, if it has a usable MAC address."""
    options = opts(user_payload)
    mac = normalize_mac(str(options.get("ap_mac_address") or ""))
    if mac is None:
        return None
    raw = {
        "sipuser": {k: user_payload.get(k) for k in ("id", "login", "phonenumber") if k in user_payload},
        "opts": {k: options.get(k) for k in ("ap_mac_address", "ap_device_model") if k in options},
    }
    model = options.get("ap_device_model")
    return Device(id=device_id(mac), mac=mac, model=str(model) if model else None, name=None, raw=raw)


# --- groups ---------------------------------------------------------------------------


def group_from(payload: Any) -> Group:
    group_id = entity_id(payload, "sipgroup")
    options = opts(payload)
    number = text(payload, "phonenumber")
    title = str(options.get("title") or "")
    comment = options.get("comment")
    return Group(
        id=group_id,
        name=title or number or group_id,
        extension=number,
        strategy=GROUP_TYPES.get(str(payload.get("type"))),
        description=str(comment) if comment else None,
        raw=redact(payload),
    )


def dialplan(payload: Mapping[str, Any]) -> list[dict[str, Any]]:
    steps = payload.get("dialplan")
    if not isinstance(steps, list):
        return []
    return [dict(step) for step in steps if isinstance(step, Mapping)]


def dial_numbers(payload: Mapping[str, Any]) -> list[str]:
    """The numbers a group rings, in dial-plan order, each once (at its first step)."""
    seen: dict[str, None] = {}
    for step in dialplan(payload):
        dial = step.get("dial")
        if isinstance(dial, list):
            for number in dial:
                if isinstance(number, str) and number:
                    seen.setdefault(number, None)
    return list(seen)


# --- queues ---------------------------------------------------------------------------


def queue_from(payload: Any) -> Queue:
    queue_id = entity_id(payload, "hunt")
    options = opts(payload)
    comment = options.get("comment")
    return Queue(
        id=queue_id,
        name=text(payload, "code") or queue_id,
        extension=text(payload, "phonenumber"),
        strategy=HUNT_MODES.get(str(payload.get("resmode"))),
        description=str(comment) if comment else None,
        raw=redact(payload),
    )


def resources(payload: Mapping[str, Any]) -> list[dict[str, Any]]:
    value = payload.get("resources")
    if not isinstance(value, list):
        return []
    return [dict(r) for r in value if isinstance(r, Mapping) and isinstance(r.get("id"), str)]


# --- trunks ---------------------------------------------------------------------------


def trunk_from(payload: Any) -> Trunk:
    trunk_id = entity_id(payload, "provider")
    port = payload.get("proxyport")
    return Trunk(
        id=trunk_id,
        name=text(payload, "code") or trunk_id,
        host=text(payload, "domain") or text(payload, "proxyaddr"),
        port=port if isinstance(port, int) and not isinstance(port, bool) and port > 0 else None,
        transport=_TRANSPORTS.get(str(payload.get("transport", "")).lower()),
        username=text(payload, "login"),
        enabled=bool(payload.get("enabled", 1)),
        register=flag(payload, "reg"),
        raw=redact(payload),
    )

"""Era payloads to domain records and back.

=========  =============================================================  ==============================
unified    Era                                                            notes
=========  =============================================================  ==============================
User       ``sipusers``: ``login`` username, ``name`` display name,        no e-mail and no disabled
           ``phonenumber`` extension; ``sipuser_states`` registration      state in Era
Group      ``sipgroups``: ``opts.title`` display name and name (else      members: see ``dial_numbers``
           the number), ``phonenumber``, ``type``, ``opts.comment``
           description
Queue      ``hunts``: ``code`` name, ``opts.title`` display name,         members: ``resources``
           ``phonenumber``, ``resmode``, ``opts.comment`` description
Trunk      ``providers``: ``code`` name, ``domain`` domain, ``proxyaddr``  ``pwd`` write-only; always a
           host and ``proxyport`` port (both null without a proxy;        SIP trunk, no model
           port 0 = Era's default), ``transport``, ``login``
           username, ``enabled``, ``reg`` register
Device     a SIP user's ``opts.ap_mac_address``/``ap_device_model``;       id = the MAC, 12 hex digits
           registration: its account's ``sipuser_states``
=========  =============================================================  ==============================

Names. A hunt is keyed by its ``code`` (a LOOKUP key): that is its name, and
its ``opts.title`` (the label Era's own PATCH example sets to "Marketing
Department" on a group) is its display name. A hunt's top-level
``displayname`` is not that label: it sits among the hunt's call settings
(next to its IVR scripts and transfer numbers) and is kept in ``raw``. A group
number is keyed by its number alone and has one label, ``opts.title``: it is
the group's display name, and its name too (the number where it has none).

List views leave out ``opts.comment`` (and hunts their ``resources``); the
resources read the whole entity where they need them (see
:func:`pbxgraph.connectors.era.common.whole`).

Registration. Era's documents show no state for a provider (``reg`` says
whether it *should* register: ``Trunk.register``), so ``Trunk.registration``
is null. A phone exists only as its SIP account's provisioning and registers
as that account, so ``Device.registration`` is the account's state from
``sipuser_states``; Era says neither when it changed nor from where (null).

Secrets (``pwd`` and anything named like a password, credential or token)
are scrubbed from every payload before it becomes ``raw``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pbxgraph import selection
from pbxgraph.domain import (
    UNSET,
    Device,
    Group,
    Kind,
    Queue,
    Registration,
    RegistrationState,
    RingStrategy,
    Transport,
    Trunk,
    TrunkKind,
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
    found = payload.get("id") if isinstance(payload, Mapping) else None
    if not isinstance(found, str) or not found:
        raise BackendError(f"Era answered a {kind} without an id")
    return found


def text(payload: Mapping[str, Any], key: str) -> str | None:
    """A string field, with Era's empty string read as absent."""
    value = payload.get(key)
    if value is None or value == "":
        return None
    return str(value)


def label(value: Any) -> str | None:
    """An ``opts`` text (title, comment), with Era's empty string read as absent."""
    return str(value) if value not in (None, "") else None


def opts(payload: Mapping[str, Any]) -> dict[str, Any]:
    value = payload.get("opts")
    return dict(value) if isinstance(value, Mapping) else {}


def flag(payload: Mapping[str, Any], key: str) -> bool | None:
    value = payload.get(key)
    if value is None:
        return None
    return bool(value)


# --- users ----------------------------------------------------------------------


def _raw(kind: Kind, payload: Any) -> dict[str, Any]:
    """The vendor's payload, scrubbed, when the query shows ``raw`` of ``kind``; else nothing to copy."""
    return redact(payload) if selection.wants(kind, "raw") else {}


def user_from(payload: Any, registration: Registration | None = None, *, raw: bool = True) -> User:
    """The user of a ``sipusers`` payload; ``raw=False`` leaves the scrubbed payload out (to sort a listing)."""
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
        raw=_raw(Kind.USER, payload) if raw else {},
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


def device_from(user_payload: Mapping[str, Any], registration: Registration | None = None) -> Device | None:
    """The phone auto-provisioned for this SIP user, if it has a usable MAC address.

    ``registration`` is the account's (see the module notes); ``None`` where unknown.
    The phone's user is this account: the one it was read through.
    """
    options = opts(user_payload)
    mac = normalize_mac(str(options.get("ap_mac_address") or ""))
    if mac is None:
        return None
    raw = {
        "sipuser": {k: user_payload.get(k) for k in ("id", "login", "phonenumber") if k in user_payload},
        "opts": {k: options.get(k) for k in ("ap_mac_address", "ap_device_model") if k in options},
    }
    model = options.get("ap_device_model")
    state = RegistrationState(status=registration) if registration is not None else None
    owner = user_payload.get("id")
    return Device(
        id=device_id(mac),
        mac=mac,
        model=str(model) if model else None,
        name=None,
        registration=state,
        raw=raw,
        user_id=owner if isinstance(owner, str) and owner else UNSET,
    )


# --- groups ---------------------------------------------------------------------------


def group_from(payload: Any) -> Group:
    group_id = entity_id(payload, "sipgroup")
    options = opts(payload)
    number = text(payload, "phonenumber")
    title = label(options.get("title"))
    return Group(
        id=group_id,
        name=title or number or group_id,
        display_name=title,
        extension=number,
        strategy=GROUP_TYPES.get(str(payload.get("type"))),
        description=label(options.get("comment")),
        raw=_raw(Kind.GROUP, payload),
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
    return Queue(
        id=queue_id,
        name=text(payload, "code") or queue_id,
        display_name=label(options.get("title")),
        extension=text(payload, "phonenumber"),
        strategy=HUNT_MODES.get(str(payload.get("resmode"))),
        description=label(options.get("comment")),
        raw=_raw(Kind.QUEUE, payload),
    )


def resources(payload: Mapping[str, Any]) -> list[dict[str, Any]]:
    value = payload.get("resources")
    if not isinstance(value, list):
        return []
    return [dict(r) for r in value if isinstance(r, Mapping) and isinstance(r.get("id"), str)]


# --- trunks ---------------------------------------------------------------------------


def trunk_from(payload: Any) -> Trunk:
    """A provider account: its SIP domain, and its outbound proxy as host and port.

    Without a proxy (``proxyaddr`` empty) Era resolves the domain itself:
    host and port are null, whatever ``proxyport`` holds (Era's own example
    keeps 5060 there). A ``proxyport`` of 0 is Era's default port: null.
    """
    trunk_id = entity_id(payload, "provider")
    proxy = text(payload, "proxyaddr")
    port = payload.get("proxyport")
    return Trunk(
        id=trunk_id,
        name=text(payload, "code") or trunk_id,
        domain=text(payload, "domain"),
        host=proxy,
        port=port if proxy and isinstance(port, int) and not isinstance(port, bool) and port > 0 else None,
        transport=_TRANSPORTS.get(str(payload.get("transport", "")).lower()),
        username=text(payload, "login"),
        enabled=bool(payload.get("enabled", 1)),
        register=flag(payload, "reg"),
        kind=TrunkKind.SIP,
        model=None,
        registration=None,
        raw=_raw(Kind.TRUNK, payload),
    )

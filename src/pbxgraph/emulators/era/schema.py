"""The Era collections: entity shapes, list views, look-up keys and checks.

``sipgroups``, ``hunts`` and ``providers`` follow the vendor documents field
for field. ``sipusers`` is not among the documents; it follows the same
conventions (string ids, ``opts`` and ``ext`` sub-objects, ``pwd`` never in a
list) with the fields the SIP account is known to have: ``name``, ``login``,
``pwd``, ``phonenumber``, ``reg``, ``iduser``, ``devices``, ``lic``,
``timezone`` and the auto-provisioning options ``opts.ap_device_model`` and
``opts.ap_mac_address``.

Where the documents are silent the emulator chooses, and says so here:

* Unknown fields are refused (1413, ``error_details.field`` naming the field,
  ``opts.colour`` for a sub-field) rather than ignored, so a client that
  misspells a field learns it at once; that holds inside ``opts``, the other
  sub-objects (``strategy``, ``huntblock``, ``lic``), dial-plan steps and
  resources too, whose known keys are those of the documents' examples.
  ``ext`` is server-managed and is ignored in request bodies.
* ``PATCH`` replaces each top-level field it names, except ``opts``, which is
  a bag of options merged key by key (``null`` removes a key).
* Phone numbers form one numbering plan: a number taken by a SIP user, a group
  number or a hunt cannot be given to another (1409).
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any

from pbxgraph.emulators.era.errors import invalid_params

ZERO_ID = "00000000-0000-0000-0000-000000000000"
_NUMBER = re.compile(r"[0-9*#+]{1,32}")

#: Fields holding secrets: left out of every list, and out of reads by non-administrators.
SECRET_FIELDS = frozenset({"pwd"})


@dataclass(frozen=True, slots=True)
class Collection:
    name: str
    #: A full entity with every field at its default (no ``id``, no ``ext``).
    template: dict[str, Any]
    required: frozenset[str]
    #: Top-level fields a list item leaves out (besides the secrets).
    list_hidden: frozenset[str]
    #: ``opts`` keys a list item shows.
    list_opts: frozenset[str]
    #: What ``mask`` may name on a list request, as documented.
    list_mask: tuple[str, ...]
    #: Keys LOOKUP searches.
    lookup_keys: tuple[str, ...]
    #: Fields unique within the collection when not empty.
    unique: tuple[str, ...] = ()
    enums: dict[str, frozenset[str]] = field(default_factory=dict)
    #: Keys a sub-object may hold beyond its template's (documented, but absent from the defaults).
    more_keys: dict[str, frozenset[str]] = field(default_factory=dict)

    def known_keys(self, name: str) -> frozenset[str]:
        """The keys the sub-object field ``name`` may hold."""
        return frozenset(self.template[name]) | self.more_keys.get(name, frozenset())


SIPUSERS = Collection(
    name="sipusers",
    template={
        "name": "",
        "login": "",
        "pwd": "",
        "phonenumber": "",
        "reg": 1,
        "devices": [],
        "iduser": ZERO_ID,
        "lic": {"devices": 2},
        "timezone": "default",
        "opts": {
            "title": "",
            "comment": "",
            "ap_device_model": "",
            "ap_mac_address": "",
            "calltimesec": 30,
            "dlgtimesec": 0,
            "trunks": -1,
            "maxexpires": 3600,
            "minexpires": 30,
            "modextin": "",
            "modextout": "",
            "parallel": [],
        },
    },
    required=frozenset({"login"}),
    list_hidden=frozenset({"lic", "timezone"}),
    list_opts=frozenset({"title", "ap_device_model", "ap_mac_address", "modextin", "modextout", "trunks"}),
    list_mask=(
        "id",
        "name",
        "login",
        "phonenumber",
        "reg",
        "iduser",
        "devices",
        "opts.title",
        "opts.ap_device_model",
        "opts.ap_mac_address",
        "opts.modextin",
        "opts.modextout",
        "opts.trunks",
        "ext.lwt",
        "ext.ct",
    ),
    lookup_keys=("id", "login", "phonenumber"),
    unique=("login",),
)

SIPGROUPS = Collection(
    name="sipgroups",
    template={"phonenumber": "", "type": "cascade", "dialplan": [], "pickup": 0, "opts": {"title": "", "comment": ""}},
    required=frozenset({"phonenumber"}),
    list_hidden=frozenset(),
    list_opts=frozenset({"title"}),
    list_mask=("id", "phonenumber", "type", "dialplan", "pickup", "opts.title", "ext.lwt", "ext.ct"),
    lookup_keys=("id", "phonenumber"),
    enums={"type": frozenset({"cascade", "parallel", "random"})},
)

HUNTS = Collection(
    name="hunts",
    template={
        "code": "",
        "phonenumber": "",
        "priority": 5,
        "type": "sipuser",
        "resources": [],
        "strategy": {"mode": "simple"},
        "resmode": "priorityrandom",
        "objmode": "spq",
        "weight": 10,
        "wivrscript": "",
        "qivrscript": "",
        "preivrscript": "",
        "reslimit": 0,
        "maxattempts": 10,
        "maxattemptstrannumber": "",
        "timeout": 0,
        "timeouttrannumber": "",
        "resdialtimeout": 0,
        "displayname": "",
        "huntblock": {"enabled": False, "expires": 30, "reason": ""},
        "resbansec": 20,
        "opts": {"title": "", "comment": "", "exit_no_resource": False},
    },
    required=frozenset({"code"}),
    list_hidden=frozenset({"resources"}),
    list_opts=frozenset({"title", "exit_no_resource"}),
    list_mask=(
        "id",
        "code",
        "phonenumber",
        "priority",
        "type",
        "strategy",
        "resmode",
        "objmode",
        "weight",
        "reslimit",
        "maxattempts",
        "maxattemptstrannumber",
        "resdialtimeout",
        "timeout",
        "timeouttrannumber",
        "displayname",
        "huntblock",
        "resbansec",
        "opts.title",
        "opts.exit_no_resource",
        "ext.lwt",
        "ext.ct",
    ),
    lookup_keys=("id", "code", "phonenumber"),
    unique=("code",),
    more_keys={"strategy": frozenset({"seconds"})},
)

PROVIDERS = Collection(
    name="providers",
    template={
        "code": "",
        "enabled": 1,
        "username": "",
        "login": "",
        "pwd": "",
        "domain": "",
        "proxyaddr": "",
        "proxyport": 0,
        "transport": "udp",
        "alternative_proxies": "",
        "extaddrs": "",
        "serveridx": 11,
        "reg": 1,
        "expires": 600,
        "pingmode": "none",
        "pingsrv": "",
        "pingtimeout": 10,
        "localdomain": "",
        "media": 0,
        "reinvite": 1,
        "translit": 0,
        "lic": {"siptrunks": 5},
        "trunksout": 3,
        "opts": {"title": "", "comment": ""},
    },
    required=frozenset({"code"}),
    list_hidden=frozenset(),
    list_opts=frozenset({"title"}),
    list_mask=(
        "id",
        "code",
        "enabled",
        "username",
        "login",
        "domain",
        "proxyaddr",
        "proxyport",
        "transport",
        "alternative_proxies",
        "extaddrs",
        "serveridx",
        "reg",
        "expires",
        "pingmode",
        "pingsrv",
        "pingtimeout",
        "localdomain",
        "media",
        "reinvite",
        "translit",
        "lic",
        "trunksout",
        "opts.title",
        "ext.ct",
        "ext.lwt",
    ),
    lookup_keys=("id", "code"),
    unique=("code",),
    enums={"transport": frozenset({"udp", "tcp", "tls"})},
)

COLLECTIONS: dict[str, Collection] = {c.name: c for c in (SIPUSERS, SIPGROUPS, HUNTS, PROVIDERS)}
#: Collections whose ``phonenumber`` shares one numbering plan.
NUMBERED = ("sipusers", "sipgroups", "hunts")


def _type_name(value: Any) -> str:
    return {str: "string", int: "integer", bool: "boolean", list: "array", dict: "object"}.get(
        type(value), type(value).__name__
    )


def _check_type(name: str, value: Any, default: Any) -> Any:
    if isinstance(default, bool):
        if isinstance(value, bool):
            return value
    elif isinstance(default, int):
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, int):
            return value
    elif isinstance(value, type(default)):
        return value
    raise invalid_params(f"Field '{name}' must be {_type_name(default)}.", field=name)


_STEP_KEYS = frozenset({"dial", "timeout"})
_RESOURCE_KEYS = frozenset({"id", "priority"})


def _check_keys(where: str, value: dict[str, Any], known: frozenset[str]) -> None:
    for key in value:
        if key not in known:
            raise invalid_params(f"Unknown field '{where}.{key}'.", field=f"{where}.{key}")


def _check_dialplan(steps: list[Any]) -> list[dict[str, Any]]:
    checked = []
    for i, step in enumerate(steps):
        where = f"dialplan[{i}]"
        if not isinstance(step, dict) or not isinstance(step.get("dial"), list):
            raise invalid_params(f"Field '{where}' must be an object with a 'dial' array.", field=where)
        _check_keys(where, step, _STEP_KEYS)
        for number in step["dial"]:
            if not isinstance(number, str) or not _NUMBER.fullmatch(number):
                raise invalid_params(
                    f"Field '{where}.dial' holds an invalid number: {number!r}.", field=f"{where}.dial"
                )
        timeout = step.get("timeout")
        if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, int) or timeout < 0):
            raise invalid_params(f"Field '{where}.timeout' must be a non-negative integer.", field=f"{where}.timeout")
        checked.append(copy.deepcopy(step))
    return checked


def _check_resources(resources: list[Any]) -> list[dict[str, Any]]:
    checked: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, resource in enumerate(resources):
        where = f"resources[{i}]"
        if not isinstance(resource, dict) or not isinstance(resource.get("id"), str) or not resource["id"]:
            raise invalid_params(f"Field '{where}' must be an object with a string 'id'.", field=where)
        _check_keys(where, resource, _RESOURCE_KEYS)
        priority = resource.get("priority", 1)
        if isinstance(priority, bool) or not isinstance(priority, int):
            raise invalid_params(f"Field '{where}.priority' must be an integer.", field=f"{where}.priority")
        if resource["id"] in seen:
            raise invalid_params(f"Resource '{resource['id']}' is given twice.", field=where)
        seen.add(resource["id"])
        checked.append({"id": resource["id"], "priority": priority})
    return checked


def check_fields(collection: Collection, body: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
    """Merge ``body`` onto ``current`` (a template copy for a create), checking every field."""
    result = copy.deepcopy(current)
    for name, value in body.items():
        if name in ("id", "ext"):
            continue
        if name not in collection.template:
            raise invalid_params(f"Unknown field '{name}'.", field=name)
        default = collection.template[name]
        if name == "opts":
            if not isinstance(value, dict):
                raise invalid_params("Field 'opts' must be object.", field="opts")
            _check_keys("opts", value, collection.known_keys("opts"))
            opts = dict(result.get("opts", {}))
            for key, option in value.items():
                if option is None:
                    opts.pop(key, None)
                else:
                    opts[key] = copy.deepcopy(option)
            result["opts"] = opts
            continue
        if value is None:
            raise invalid_params(f"Field '{name}' must not be null.", field=name)
        value = _check_type(name, value, default)
        if isinstance(value, dict):
            _check_keys(name, value, collection.known_keys(name))
        if name in collection.enums and value not in collection.enums[name]:
            allowed = ", ".join(sorted(collection.enums[name]))
            raise invalid_params(f"Field '{name}' must be one of: {allowed}.", field=name)
        if name == "phonenumber" and value and not _NUMBER.fullmatch(value):
            raise invalid_params(f"Field 'phonenumber' is not a phone number: {value!r}.", field=name)
        if name == "dialplan":
            value = _check_dialplan(value)
        elif name == "resources":
            value = _check_resources(value)
        elif name in ("enabled", "reg") and value not in (0, 1):
            raise invalid_params(f"Field '{name}' must be 0 or 1.", field=name)
        elif name == "proxyport" and not 0 <= value <= 65535:
            raise invalid_params("Field 'proxyport' must be between 0 and 65535.", field=name)
        result[name] = copy.deepcopy(value)
    for name in collection.required:
        if not result.get(name):
            raise invalid_params(f"Field '{name}' is required.", field=name)
    return result


def list_view(collection: Collection, entity: dict[str, Any]) -> dict[str, Any]:
    """The partial view a list item shows: no secrets, no hidden fields, the list's opts only."""
    view = {
        k: copy.deepcopy(v) for k, v in entity.items() if k not in SECRET_FIELDS and k not in collection.list_hidden
    }
    if isinstance(entity.get("opts"), dict):
        view["opts"] = {k: copy.deepcopy(v) for k, v in entity["opts"].items() if k in collection.list_opts}
    return view


def full_view(entity: dict[str, Any], *, admin: bool) -> dict[str, Any]:
    """A single entity; its password only for an administrator, as the providers document says."""
    return {k: copy.deepcopy(v) for k, v in entity.items() if admin or k not in SECRET_FIELDS}

"""The emulated sipXconfig's data: users, user groups, branches, phones and
their lines, phone groups, gateways and their settings, hunt groups,
registrations.

The state knows sipXconfig's rules (unique user names and aliases, unique
serial numbers, known models, ...) and raises neutral exceptions; each API
turns them into its own error shape, because the two APIs of one server
answer the same failure differently.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any


class StateError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Missing(StateError):
    """The object (or one it refers to) does not exist."""


class Invalid(StateError):
    """A field failed validation; ``field`` is the vendor's name for it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


class Duplicate(StateError):
    """A unique value (user name, alias, serial number, name) is taken."""


@dataclass
class Branch:
    id: int
    name: str
    description: str | None = None
    address: dict[str, Any] | None = None
    phone_number: str | None = None
    fax_number: str | None = None


@dataclass
class UserGroup:
    id: int
    name: str
    description: str | None = None
    branch_id: int | None = None


@dataclass
class SipUser:
    id: int
    user_name: str
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    #: Voicemail PIN and SIP password: stored, never shown by /rest.
    pin: str = ""
    sip_password: str = ""
    group_ids: list[int] = field(default_factory=list)
    branch_id: int | None = None
    aliases: list[str] = field(default_factory=list)
    #: Whether the account may register and call (the profile's ``enabled``).
    enabled: bool = True

    @property
    def display_name(self) -> str | None:
        name = " ".join(part for part in (self.first_name, self.last_name) if part)
        return name or None

    @property
    def extension(self) -> str | None:
        """What sipXcom calls the user's extension: the first all-digit alias, else a numeric user name."""
        for alias in self.aliases:
            if alias.isascii() and alias.isdigit():
                return alias
        return self.user_name if self.user_name.isascii() and self.user_name.isdigit() else None


@dataclass
class Setting:
    path: str
    type: str
    value: str | None
    default: str | None = None
    options: dict[str, Any] | None = None
    label: str | None = None
    description: str | None = None


@dataclass
class Line:
    id: int
    user_id: int


@dataclass
class Phone:
    id: int
    serial_no: str
    model_id: str
    description: str | None = None
    device_version: str | None = None
    lines: list[Line] = field(default_factory=list)
    group_ids: list[int] = field(default_factory=list)
    settings: dict[str, Setting] = field(default_factory=dict)
    #: How often a profile was sent, and how often with a restart.
    profiles_sent: int = 0
    restarts: int = 0


@dataclass
class PhoneGroup:
    id: int
    name: str
    description: str | None = None
    weight: int = 0


@dataclass
class Gateway:
    id: int
    name: str
    model_id: str
    description: str | None = None
    device_version: str | None = None
    enabled: bool = True
    address: str | None = None
    address_port: int = 0
    outbound_address: str | None = None
    outbound_port: int = 5060
    address_transport: str = "none"
    prefix: str | None = None
    shared: bool = False
    use_internal_bridge: bool = True
    branch_id: int | None = None
    caller_alias: dict[str, Any] = field(
        default_factory=lambda: {
            "defaultCallerAlias": None,
            "anonymous": False,
            "ignoreUserInfo": False,
            "transformUserExtension": False,
            "addPrefix": None,
            "keepDigits": 0,
            "displayName": None,
            "urlParameters": None,
        }
    )
    settings: dict[str, Setting] = field(default_factory=dict)


#: How a hunt group ring follows the one before it (sipXconfig's ring types).
RING_DELAYED = "If no response"
RING_IMMEDIATE = "At the same time"
RING_TYPES = (RING_DELAYED, RING_IMMEDIATE)


@dataclass
class Ring:
    """One user a hunt group rings, in its place in the ring order."""

    user_id: int
    type: str = RING_DELAYED
    enabled: bool = True
    #: Seconds this ring lasts before the next one starts (for "If no response").
    expiration: int = 30


@dataclass
class HuntGroup:
    """A hunt group (``/api/callgroups``): an extension ringing users in order."""

    id: int
    name: str
    extension: str
    description: str | None = None
    enabled: bool = False
    did: str | None = None
    rings: list[Ring] = field(default_factory=list)
    fallback_destination: str | None = None
    voicemail_fallback: bool = True
    user_forward: bool = True
    use_fwd_timers: bool = False
    #: The group's own SIP credential, generated by the server.
    sip_password: str = field(default_factory=lambda: secrets.token_urlsafe(8))


@dataclass
class Registration:
    """A registrar contact. ``call_id`` and ``user_agent`` are kept to filter by, never shown."""

    user_part: str
    contact: str
    expires: int
    call_id: str
    instrument: str | None = None
    user_agent: str | None = None
    server_id: int = 1


PHONE_MODELS: dict[str, tuple[str, str]] = {
    "polycomVVX450": ("Polycom VVX 450", "Polycom"),
    "polycomVVX411": ("Polycom VVX 411", "Polycom"),
    "yealinkSIPT46S": ("Yealink SIP-T46S", "Yealink"),
    "ciscoSPA504G": ("Cisco SPA504G", "Cisco"),
    "grandstreamGXP2170": ("Grandstream GXP2170", "Grandstream"),
}

_AUDIOCODES_VERSIONS = [
    "audiocodes6.0",
    "audiocodes5.8",
    "audiocodes5.6",
    "audiocodes5.4",
    "audiocodes5.2",
    "audiocodes5.0",
]


def _audiocodes(model_id: str, label: str) -> dict[str, Any]:
    return {"modelId": model_id, "label": label, "vendor": "AudioCodes", "versions": list(_AUDIOCODES_VERSIONS)}


#: The gateway models, as the document's ``/api/gateways/models`` example lists them.
GATEWAY_MODELS: list[dict[str, Any]] = [
    {"modelId": "acmeGatewayStandard", "label": "Acme 1000", "vendor": "acme", "versions": None},
    _audiocodes("audiocodesMP1X4_4_FXO", "AudioCodes MP114 FXO"),
    _audiocodes("audiocodesMP1X8_8_FXO", "AudioCodes MP118 FXO"),
    _audiocodes("audiocodesMediant1000", "AudioCodes Mediant 1000 PRI"),
    _audiocodes("audiocodesMediant2000", "AudioCodes Mediant 2000 PRI"),
    _audiocodes("audiocodesMediant3000", "AudioCodes Mediant 3000 PRI"),
    _audiocodes("audiocodesMediantBRI", "AudioCodes Mediant 1000 BRI"),
    _audiocodes("audiocodesTP260", "AudioCodes TP260"),
    {"modelId": "genericGatewayStandard", "label": "Unmanaged gateway", "vendor": None, "versions": None},
    {"modelId": "sipTrunkStandard", "label": "SIP trunk", "vendor": None, "versions": None},
]

SIP_TRUNK_MODEL = "sipTrunkStandard"
#: The voicemail extension phone lines show (sipXcom's default).
VOICEMAIL_EXTENSION = "101"
TRANSPORTS = ("none", "udp", "tcp", "tls")

#: The settings of a SIP trunk gateway, as the document's example lists them:
#: (path, type, default value). The proxy address defaults to the gateway's
#: address (the example shows both as ``192.168.1.14``): see ``PROXY_ADDRESS``.
SIP_TRUNK_SETTINGS: list[tuple[str, str, str | None]] = [
    ("itsp-account/user-name", "string", None),
    ("itsp-account/authentication-user-name", "string", None),
    ("itsp-account/password", "string", None),
    ("itsp-account/register-on-initialization", "boolean", "false"),
    ("itsp-account/itsp-proxy-address", "string", None),
    ("itsp-account/use-global-addressing", "boolean", "true"),
    ("itsp-account/strip-private-headers", "boolean", "false"),
    ("itsp-account/default-asserted-identity", "boolean", "true"),
    ("itsp-account/asserted-identity", "string", None),
    ("itsp-account/is-from-itsp", "boolean", None),
    ("itsp-account/default-preferred-identity", "boolean", "false"),
    ("itsp-account/preferred-identity", "string", None),
    ("itsp-account/is-user-phone", "boolean", "true"),
    ("itsp-account/itsp-registrar-address", "string", None),
    ("itsp-account/itsp-registrar-listening-port", "integer", None),
    ("itsp-account/registration-interval", "integer", "600"),
    ("itsp-account/sip-session-timer-interval-seconds", "integer", "1800"),
    ("itsp-account/sip-keepalive-method", "enum", "CR-LF"),
    ("itsp-account/rtp-keepalive-method", "enum", "NONE"),
    ("itsp-account/route-by-to-header", "boolean", "false"),
    ("itsp-account/always-relay-media", "boolean", "true"),
]

#: The SIP trunk setting whose default is the gateway's own address.
PROXY_ADDRESS = "itsp-account/itsp-proxy-address"

_ENUM_OPTIONS = {
    "itsp-account/sip-keepalive-method": {"CR-LF": None, "NONE": None},
    "itsp-account/rtp-keepalive-method": {
        "REPLAY-LAST-SENT-PACKET": None,
        "USE-DUMMY-RTP-PAYLOAD": None,
        "USE-EMPTY-PACKET": None,
        "NONE": None,
    },
}

PHONE_SETTINGS: list[tuple[str, str, str | None]] = [
    ("basic/time-zone", "string", "UTC"),
    ("basic/ntp-server", "string", None),
    ("provisioning/reboot-on-update", "boolean", "true"),
]

_SERIAL = re.compile(r"[0-9a-f]{12}")
#: A SIP user part: no whitespace, no "@" (the user name is the part before it).
_USER_NAME = re.compile(r"[^\s@:<>\"]+")


def sip_trunk_settings() -> dict[str, Setting]:
    return {
        path: Setting(path=path, type=kind, value=default, default=default, options=_ENUM_OPTIONS.get(path))
        for path, kind, default in SIP_TRUNK_SETTINGS
    }


def phone_settings() -> dict[str, Setting]:
    return {
        path: Setting(path=path, type=kind, value=default, default=default) for path, kind, default in PHONE_SETTINGS
    }


@dataclass
class Quirks:
    """Shapes the real server is known to vary between versions.

    ``user_list_wrapped``: list items inside ``<users>`` (True) or directly
    under the root ``<user>`` element (False). ``group_element``: ``group``
    or ``userGroup`` for user group elements.
    """

    user_list_wrapped: bool = True
    group_element: str = "group"


class SipxState:
    """All the objects of one emulated sipXconfig, with its rules."""

    def __init__(
        self, *, seed: bool = True, domain: str = "pbx.example.com", clock: Callable[[], float] = time.time
    ) -> None:
        self.domain = domain
        self.server_fqdn = f"sipx.{domain}"
        self.clock = clock
        self.quirks = Quirks()
        self.reset(seed=seed)

    # --- lifecycle --------------------------------------------------------------

    def reset(self, *, seed: bool = True) -> None:
        """Forget everything (and load the seed again); the app keeps this object."""
        self.quirks = Quirks()
        self.branches: dict[int, Branch] = {}
        self.groups: dict[int, UserGroup] = {}
        self.users: dict[int, SipUser] = {}
        self.phones: dict[int, Phone] = {}
        self.phone_groups: dict[int, PhoneGroup] = {}
        self.gateways: dict[int, Gateway] = {}
        self.hunt_groups: dict[int, HuntGroup] = {}
        self.registrations: list[Registration] = []
        self._next: dict[str, int] = {}
        if seed:
            # Imported here: the seed builds this module's objects.
            from pbxgraph.emulators.sipxcom.seed import load_seed

            load_seed(self)

    def next_id(self, kind: str) -> int:
        value = self._next.get(kind, 1)
        self._next[kind] = value + 1
        return value

    def claim_id(self, kind: str, used: int) -> None:
        """Make sure ``next_id`` never hands out an id the seed gave by hand."""
        self._next[kind] = max(self._next.get(kind, 1), used + 1)

    # --- branches ---------------------------------------------------------------

    def save_branch(self, branch: Branch) -> Branch:
        if not branch.name:
            raise Invalid("Name", "Cannot be empty")
        for other in self.branches.values():
            if other.id != branch.id and other.name.casefold() == branch.name.casefold():
                raise Duplicate(f'A branch named "{branch.name}" already exists')
        self.branches[branch.id] = branch
        self.claim_id("branch", branch.id)
        return branch

    def delete_branch(self, branch_id: int) -> None:
        if self.branches.pop(branch_id, None) is None:
            raise Missing(f"branch {branch_id}")
        for user in self.users.values():
            if user.branch_id == branch_id:
                user.branch_id = None
        for group in self.groups.values():
            if group.branch_id == branch_id:
                group.branch_id = None

    # --- user groups --------------------------------------------------------------

    def save_group(self, group: UserGroup) -> UserGroup:
        if not group.name:
            raise Invalid("Name", "Cannot be empty")
        if group.branch_id is not None and group.branch_id not in self.branches:
            raise Invalid("Branch", f"no branch with id {group.branch_id}")
        for other in self.groups.values():
            if other.id != group.id and other.name.casefold() == group.name.casefold():
                raise Duplicate(f'A group named "{group.name}" already exists')
        self.groups[group.id] = group
        self.claim_id("group", group.id)
        return group

    def delete_group(self, group_id: int) -> None:
        if self.groups.pop(group_id, None) is None:
            raise Missing(f"group {group_id}")
        for user in self.users.values():
            if group_id in user.group_ids:
                user.group_ids.remove(group_id)

    # --- users ------------------------------------------------------------------

    def user_by_name_or_alias(self, name: str) -> SipUser | None:
        wanted = name.casefold()
        for user in self.users.values():
            if user.user_name.casefold() == wanted or wanted in (a.casefold() for a in user.aliases):
                return user
        return None

    def user_by_id_or_name(self, key: str) -> SipUser | None:
        if key.isascii() and key.isdigit() and int(key) in self.users:
            return self.users[int(key)]
        return self.user_by_name_or_alias(key)

    def save_user(self, user: SipUser) -> SipUser:
        if not user.user_name:
            raise Invalid("UserName", "Cannot be empty")
        if not _USER_NAME.fullmatch(user.user_name):
            raise Invalid(
                "UserName",
                "Must only contain letters, numbers, dashes, underscores, and symbols allowed in a SIP user part",
            )
        names = [user.user_name, *user.aliases]
        folded = [n.casefold() for n in names]
        if len(set(folded)) != len(folded):
            raise Duplicate(f'User name or alias "{user.user_name}" is used twice by the same user')
        for other in self.users.values():
            if other.id == user.id:
                continue
            taken = {other.user_name.casefold(), *(a.casefold() for a in other.aliases)}
            for name in names:
                if name.casefold() in taken:
                    raise Duplicate(f'User name or alias "{name}" is already in use')
        for name in names:
            if self._hunt_group_alias(name) is not None:
                raise Duplicate(f'User name or alias "{name}" is already in use')
        for group_id in user.group_ids:
            if group_id not in self.groups:
                raise Invalid("Groups", f"no group with id {group_id}")
        if user.branch_id is not None and user.branch_id not in self.branches:
            raise Invalid("Branch", f"no branch with id {user.branch_id}")
        if not user.sip_password:
            user.sip_password = secrets.token_urlsafe(9)
        self.users[user.id] = user
        self.claim_id("user", user.id)
        return user

    def delete_user(self, user_id: int) -> None:
        user = self.users.pop(user_id, None)
        if user is None:
            raise Missing(f"user {user_id}")
        for phone in self.phones.values():
            phone.lines = [line for line in phone.lines if line.user_id != user_id]
        for hunt in self.hunt_groups.values():
            hunt.rings = [ring for ring in hunt.rings if ring.user_id != user_id]
        names = {user.user_name.casefold(), *(a.casefold() for a in user.aliases)}
        self.registrations = [r for r in self.registrations if r.user_part.casefold() not in names]

    # --- phones -------------------------------------------------------------------

    def phone(self, key: str) -> Phone | None:
        """A phone by internal id or by MAC address (serial number)."""
        if key.isascii() and key.isdigit() and int(key) in self.phones and not _SERIAL.fullmatch(key):
            return self.phones[int(key)]
        serial = key.replace(":", "").replace("-", "").lower()
        for phone in self.phones.values():
            if phone.serial_no == serial:
                return phone
        if key.isascii() and key.isdigit() and int(key) in self.phones:
            return self.phones[int(key)]
        return None

    def save_phone(self, phone: Phone) -> Phone:
        serial = (phone.serial_no or "").replace(":", "").replace("-", "").lower()
        if not _SERIAL.fullmatch(serial):
            raise Invalid("serialNo", f"'{phone.serial_no}' is not a valid serial number (12 hex digits)")
        phone.serial_no = serial
        if phone.model_id not in PHONE_MODELS:
            raise Invalid("model", f"unknown phone model '{phone.model_id}'")
        for other in self.phones.values():
            if other.id != phone.id and other.serial_no == serial:
                raise Duplicate(f"Serial number {serial} is already in use by phone {other.id}")
        if not phone.settings:
            phone.settings = phone_settings()
        self.phones[phone.id] = phone
        self.claim_id("phone", phone.id)
        return phone

    def delete_phone(self, phone: Phone) -> None:
        del self.phones[phone.id]

    def add_line(self, phone: Phone, user: SipUser) -> Line:
        line = Line(id=self.next_id("line"), user_id=user.id)
        phone.lines.append(line)
        return line

    # --- phone groups ---------------------------------------------------------------

    def phone_group_by_name(self, name: str) -> PhoneGroup | None:
        return next((g for g in self.phone_groups.values() if g.name == name), None)

    def ordered_phone_groups(self) -> list[PhoneGroup]:
        return sorted(self.phone_groups.values(), key=lambda g: (g.weight, g.id))

    def move_phone_group(self, group: PhoneGroup, step: int) -> None:
        ordered = self.ordered_phone_groups()
        index = ordered.index(group)
        target = index + step
        if 0 <= target < len(ordered):
            ordered[index], ordered[target] = ordered[target], ordered[index]
            for weight, item in enumerate(ordered, start=1):
                item.weight = weight

    # --- gateways ---------------------------------------------------------------------

    def save_gateway(self, gateway: Gateway) -> Gateway:
        if not gateway.name:
            raise Invalid("name", "Cannot be empty")
        if gateway.model_id not in {m["modelId"] for m in GATEWAY_MODELS}:
            raise Invalid("model", f"unknown gateway model '{gateway.model_id}'")
        if gateway.address_transport not in TRANSPORTS:
            raise Invalid("addressTransport", f"must be one of {', '.join(TRANSPORTS)}")
        if not 0 <= gateway.address_port <= 65535:
            raise Invalid("addressPort", "must be between 0 and 65535")
        if gateway.branch_id is not None and gateway.branch_id not in self.branches:
            raise Invalid("branch", f"no branch with id {gateway.branch_id}")
        for other in self.gateways.values():
            if other.id != gateway.id and other.name.casefold() == gateway.name.casefold():
                raise Duplicate(f"Gateway name {gateway.name} is already in use")
        if not gateway.settings and gateway.model_id == SIP_TRUNK_MODEL:
            gateway.settings = sip_trunk_settings()
        self.gateways[gateway.id] = gateway
        self.claim_id("gateway", gateway.id)
        return gateway

    def setting_default(self, gateway: Gateway, setting: Setting) -> str | None:
        """A setting's default; the SIP trunk's proxy address defaults to the gateway's address."""
        if setting.path == PROXY_ADDRESS:
            return gateway.address
        return setting.default

    # --- hunt groups ----------------------------------------------------------------------

    def _hunt_group_alias(self, name: str, *, besides: int | None = None) -> HuntGroup | None:
        wanted = name.casefold()
        for hunt in self.hunt_groups.values():
            if hunt.id != besides and wanted in (hunt.name.casefold(), hunt.extension.casefold()):
                return hunt
        return None

    def hunt_group_by_extension(self, extension: str) -> HuntGroup | None:
        return next((h for h in self.hunt_groups.values() if h.extension == extension), None)

    def save_hunt_group(self, hunt: HuntGroup) -> HuntGroup:
        """Name and extension are SIP aliases: unique among hunt groups and users alike."""
        if not hunt.name:
            raise Invalid("name", "Cannot be empty")
        if not _USER_NAME.fullmatch(hunt.name):
            raise Invalid("name", "Must be usable as a SIP user part")
        if not hunt.extension:
            raise Invalid("extension", "Cannot be empty")
        if not (hunt.extension.isascii() and hunt.extension.isdigit()):
            raise Invalid("extension", f"'{hunt.extension}' is not an extension")
        if hunt.name.casefold() == hunt.extension.casefold():
            raise Duplicate(f"Extension {hunt.extension} is used twice by the same hunt group")
        for alias in (hunt.name, hunt.extension):
            if (
                self._hunt_group_alias(alias, besides=hunt.id) is not None
                or self.user_by_name_or_alias(alias) is not None
            ):
                raise Duplicate(f"Alias {alias} is already in use")
        for ring in hunt.rings:
            if ring.type not in RING_TYPES:
                raise Invalid("ringBeans", f"'{ring.type}' is not a ring type ({', '.join(RING_TYPES)})")
        self.hunt_groups[hunt.id] = hunt
        self.claim_id("hunt_group", hunt.id)
        return hunt

    # --- registrations ------------------------------------------------------------------

    def registrations_of(self, users: Iterable[SipUser]) -> list[Registration]:
        names: set[str] = set()
        for user in users:
            names.add(user.user_name.casefold())
            names.update(a.casefold() for a in user.aliases)
        return [r for r in self.registrations if r.user_part.casefold() in names]

"""The sipXcom connector: users, user groups, hunt groups, gateways and phones of one sipXconfig.

Its capabilities declare, per kind, what sipXcom can store (``KindRules``),
so that the service refuses the rest before any call: user groups have no
extension, strategy or display name; hunt groups (queues) need an
extension, ring SEQUENTIAL or ALL, and take users in order without a
priority; trunks are any gateway model the document lists; phones take the
models the server lists, known once the connector has read them (at open,
or on first need).
"""

from __future__ import annotations

import logging
import time
from typing import Any
from urllib.parse import urlsplit

import httpx

from pbxgraph.config import BackendConfig
from pbxgraph.connectors.http import VendorHttp, tls_verify
from pbxgraph.connectors.sipxcom import gateways, huntgroups
from pbxgraph.connectors.sipxcom.client import Format, SipxcomClient
from pbxgraph.connectors.sipxcom.devices import PhoneModels, SipxcomDevices
from pbxgraph.connectors.sipxcom.groups import SipxcomGroups
from pbxgraph.connectors.sipxcom.lookups import GROUP_ROOTS, Lookups
from pbxgraph.connectors.sipxcom.queues import SipxcomQueues
from pbxgraph.connectors.sipxcom.trunks import SipxcomTrunks
from pbxgraph.connectors.sipxcom.users import SipxcomUsers
from pbxgraph.domain import (
    CRUD,
    Capabilities,
    Health,
    HealthStatus,
    Kind,
    KindRules,
    MemberKind,
    Operation,
    TrunkKind,
)
from pbxgraph.errors import PbxError

KEYS = {"url", "username", "password", "verify", "format", "page_size", "registrations"}

log = logging.getLogger("pbxgraph.connectors.sipxcom")


def rules(phone_models: tuple[str, ...] | None = None) -> dict[Kind, KindRules]:
    """What sipXcom stores of each kind; ``phone_models`` as the server lists them (None: not read yet)."""
    return {
        Kind.GROUP: KindRules(
            create_fields=frozenset({"name", "description", "member_user_ids"}),
            update_fields=frozenset({"name", "description"}),
        ),
        Kind.QUEUE: KindRules(
            create_fields=frozenset({"name", "extension", "strategy", "description", "members"}),
            update_fields=frozenset({"name", "extension", "strategy", "description"}),
            required=frozenset({"extension"}),
            strategies=frozenset(huntgroups.TYPE_OF_STRATEGY),
            member_kinds=frozenset({MemberKind.USER}),
            member_priority=None,
        ),
        Kind.TRUNK: KindRules(
            models=tuple(gateways.MODEL_KINDS),
            trunk_kinds=frozenset(TrunkKind),
        ),
        Kind.DEVICE: KindRules(
            required=frozenset({"model"}),
            models=phone_models,
        ),
    }


def capabilities(*, registrations: bool, phone_models: tuple[str, ...] | None = None) -> Capabilities:
    user_ops = CRUD | {Operation.REGISTRATION} if registrations else CRUD
    return Capabilities(kinds={
        Kind.USER: frozenset(user_ops),
        Kind.GROUP: CRUD | {Operation.MEMBERS},
        Kind.QUEUE: CRUD | {Operation.MEMBERS},
        Kind.TRUNK: CRUD,
        Kind.DEVICE: CRUD | {Operation.ASSIGN, Operation.RESYNC, Operation.RESTART},
    }, rules=rules(phone_models))


class SipxcomConnector:
    vendor = "sipxcom"

    def __init__(self, name: str, client: SipxcomClient, *, registrations: bool = True) -> None:
        self.name = name
        self.client = client
        self._registrations = registrations
        self.capabilities = capabilities(registrations=registrations)
        lookups = Lookups(client, registrations=registrations)
        self.users = SipxcomUsers(lookups)
        self.groups = SipxcomGroups(lookups, self.users)
        self.queues = SipxcomQueues(lookups)
        self.trunks = SipxcomTrunks(lookups)
        self.devices = SipxcomDevices(lookups, PhoneModels(lookups, self._declare_phone_models))

    def _declare_phone_models(self, models: tuple[str, ...]) -> None:
        self.capabilities = capabilities(registrations=self._registrations, phone_models=models)

    async def open(self) -> None:
        """Read the phone models the server knows, for the capabilities; a server down now is no failure."""
        try:
            await self.devices.models.load()
        except PbxError as exc:
            log.warning("backend %s: phone models unavailable (%s); read again on first need",
                        self.name, exc.code)

    async def aclose(self) -> None:
        await self.client.aclose()

    async def health(self) -> Health:
        started = time.perf_counter()
        try:
            await self.client.rest_get("/user-group", "the user group list", {"page": "1", "pagesize": "1"},
                                       roots=GROUP_ROOTS)
        except PbxError as exc:
            return Health(HealthStatus.DOWN, detail=exc.describe(), code=exc.code)
        return Health(HealthStatus.UP, latency_ms=(time.perf_counter() - started) * 1000)


def _base_url(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"url: must be a string, got {value!r}")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"url: '{value}' is not an http(s) URL of the sipXcom server")
    path = parts.path.rstrip("/")
    if path.endswith("/sipxconfig"):
        path = path[: -len("/sipxconfig")]
    return f"{parts.scheme}://{parts.netloc}{path}/sipxconfig"


def create_connector(config: BackendConfig, *, transport: httpx.AsyncBaseTransport | None = None
                     ) -> SipxcomConnector:
    """The ``sipxcom`` entry point; the keys are listed in the package docstring."""
    unknown = set(config.options) - KEYS
    if unknown:
        raise ValueError(f"unknown key '{sorted(unknown)[0]}' for vendor 'sipxcom' ({', '.join(sorted(KEYS))})")
    base_url = _base_url(config.require("url"))
    username = config.require("username")
    password = config.require("password")
    if not isinstance(username, str):
        raise ValueError(f"username: must be a string, got {username!r}")
    if not isinstance(password, str):
        raise ValueError("password: must be a string")
    fmt = config.option("format", "xml")
    if fmt not in ("xml", "json"):
        raise ValueError(f"format: must be 'xml' or 'json', got {fmt!r}")
    page_size = config.option("page_size", 500)
    if isinstance(page_size, bool) or not isinstance(page_size, int) or not 1 <= page_size <= 10000:
        raise ValueError(f"page_size: must be a whole number from 1 to 10000, got {page_size!r}")
    registrations = config.option("registrations", True)
    if not isinstance(registrations, bool):
        raise ValueError(f"registrations: must be true or false, got {registrations!r}")
    http = VendorHttp(
        config.name,
        base_url,
        timeout_s=config.timeout_s,
        max_concurrency=config.max_concurrency,
        # Preemptive Basic: httpx sends it with the first request, no challenge round trip.
        auth=httpx.BasicAuth(username, password),
        headers={"User-Agent": "pbxgraph"},
        verify=tls_verify(config.option("verify", True)),
        transport=transport,
    )
    fmt_checked: Format = "json" if fmt == "json" else "xml"
    client = SipxcomClient(http, backend=config.name, fmt=fmt_checked, page_size=page_size)
    return SipxcomConnector(config.name, client, registrations=registrations)

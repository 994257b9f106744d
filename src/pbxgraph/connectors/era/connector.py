"""The Era connector: users, group numbers, hunts, providers and provisioned phones."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import httpx

from pbxgraph.config import BackendConfig
from pbxgraph.connectors.era.client import EraClient
from pbxgraph.connectors.era.devices import EraDevices
from pbxgraph.connectors.era.groups import EraGroups
from pbxgraph.connectors.era.queues import EraQueues
from pbxgraph.connectors.era.trunks import EraTrunks
from pbxgraph.connectors.era.users import EraUsers
from pbxgraph.connectors.http import tls_verify
from pbxgraph.domain import (
    CRUD,
    Capabilities,
    Health,
    HealthStatus,
    Kind,
    KindRules,
    MemberKind,
    Operation,
    PriorityOrder,
    RingStrategy,
    TrunkKind,
)
from pbxgraph.errors import PbxError

_USER_FIELDS = frozenset({"username", "display_name", "extension", "sip_password"})

#: What Era can store, declared so that the service refuses the rest before any call:
#: a SIP user has no e-mail and no disabled state; a group number needs its number and
#: rings in one of three ways; a hunt is served by SIP users and rings them by priority
#: (the documents list resources highest priority first: 100, 99, 95); a provider is a
#: SIP account without a model; a phone exists only as a SIP user's provisioning and
#: has no name.
CAPABILITIES = Capabilities(
    kinds={
        Kind.USER: CRUD | {Operation.REGISTRATION},
        Kind.GROUP: CRUD | {Operation.MEMBERS},
        Kind.QUEUE: CRUD | {Operation.MEMBERS},
        Kind.TRUNK: CRUD,
        Kind.DEVICE: CRUD | {Operation.ASSIGN, Operation.RESYNC, Operation.RESTART},
    },
    rules={
        Kind.USER: KindRules(create_fields=_USER_FIELDS, update_fields=_USER_FIELDS),
        Kind.GROUP: KindRules(required=frozenset({"extension"}),
                              strategies=frozenset({RingStrategy.SEQUENTIAL, RingStrategy.ALL, RingStrategy.RANDOM})),
        Kind.QUEUE: KindRules(strategies=frozenset({RingStrategy.PRIORITY}),
                              member_kinds=frozenset({MemberKind.USER}), member_priority=PriorityOrder.HIGHER_FIRST),
        Kind.TRUNK: KindRules(
            create_fields=frozenset({"name", "domain", "host", "port", "transport", "username", "password",
                                     "enabled", "register", "kind"}),
            trunk_kinds=frozenset({TrunkKind.SIP})),
        Kind.DEVICE: KindRules(create_fields=frozenset({"mac", "model", "user_id"}),
                               update_fields=frozenset({"mac", "model"}), required=frozenset({"user_id"})),
    },
)

KEYS = ("url", "token", "token_header", "token_scheme", "verify", "page_size")


class EraConnector:
    vendor = "era"
    capabilities = CAPABILITIES

    def __init__(self, name: str, client: EraClient) -> None:
        self.name = name
        self.client = client
        self.users = EraUsers(client)
        self.groups = EraGroups(client)
        self.queues = EraQueues(client)
        self.trunks = EraTrunks(client)
        self.devices = EraDevices(client)

    async def open(self) -> None:
        await self.client.open()

    async def aclose(self) -> None:
        await self.client.aclose()

    async def health(self) -> Health:
        """One cheap list request (one id of one SIP user); never raises."""
        started = time.perf_counter()
        try:
            await self.client.select("sipusers", mask=["id"], limit=1)
        except PbxError as error:
            return Health(HealthStatus.DOWN, detail=error.describe(), code=error.code)
        except Exception as error:  # noqa: BLE001 - a probe reports, it does not raise
            return Health(HealthStatus.DOWN, detail=type(error).__name__, code="INTERNAL_SERVER_ERROR")
        return Health(HealthStatus.UP, latency_ms=(time.perf_counter() - started) * 1000)


def _options(config: BackendConfig) -> Mapping[str, Any]:
    unknown = sorted(set(config.options) - set(KEYS))
    if unknown:
        raise ValueError(f"unknown key '{unknown[0]}' for vendor 'era' (known: {', '.join(KEYS)})")
    return config.options


def create_connector(config: BackendConfig, *, transport: httpx.AsyncBaseTransport | None = None) -> EraConnector:
    """The ``era`` entry point; the keys are described in :mod:`pbxgraph.connectors.era`."""
    options = _options(config)
    url = str(config.require("url"))
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"url: must start with http:// or https://, got {url!r}")
    token = str(config.require("token"))
    header = options.get("token_header", "Authorization")
    if not isinstance(header, str) or not header.strip():
        raise ValueError("token_header: must be a header name")
    scheme = options.get("token_scheme")
    if scheme is not None and not isinstance(scheme, str):
        raise ValueError("token_scheme: must be a string (\"\" for none)")
    verify = tls_verify(options.get("verify", True))
    page_size = options.get("page_size", 500)
    if isinstance(page_size, bool) or not isinstance(page_size, int) or not 1 <= page_size <= 10000:
        raise ValueError(f"page_size: must be a whole number from 1 to 10000, got {page_size!r}")
    client = EraClient(
        config.name, url=url, token=token, token_header=header.strip(), token_scheme=scheme, verify=verify,
        timeout_s=config.timeout_s, max_concurrency=config.max_concurrency, page_size=page_size,
        transport=transport,
    )
    return EraConnector(config.name, client)

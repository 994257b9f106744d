"""The Infinity connector: one configured Infinity account and the SIP domains it serves."""

from __future__ import annotations

import logging
import time

import httpx

from pbxgraph.config import BackendConfig
from pbxgraph.connectors.infinity.client import InfinityClient
from pbxgraph.connectors.infinity.devices import InfinityDevices
from pbxgraph.connectors.infinity.groups import InfinityGroups
from pbxgraph.connectors.infinity.kinds import Kinds
from pbxgraph.connectors.infinity.mapping import text
from pbxgraph.connectors.infinity.queues import InfinityQueues
from pbxgraph.connectors.infinity.settings import load_settings
from pbxgraph.connectors.infinity.users import InfinityUsers
from pbxgraph.domain import (
    CRUD,
    Capabilities,
    Health,
    HealthStatus,
    Kind,
    KindRules,
    MemberKind,
    Operation,
    RingStrategy,
)
from pbxgraph.errors import PbxError

log = logging.getLogger(__name__)

#: What the document's create and update calls can carry, per kind, in the
#: domain inputs' field names. Fields left out are ones Infinity has no place
#: for (``NOT_SUPPORTED`` before any call): a user's enabled flag (create: only
#: the neutral ``true`` passes) and a rename (``user`` is not an update
#: parameter); a group's or queue's description (Infinity keeps a short name
#: and a display name); a group's strategy (the queue's member carries one); a
#: device's model and, once created, its MAC address. Required: what the
#: document marks not OPTIONAL and pbxgraph cannot fill in (``password``,
#: ``extensionNumber``).
RULES = {
    Kind.USER: KindRules(
        create_fields=frozenset({"username", "display_name", "extension", "email", "sip_password"}),
        update_fields=frozenset({"display_name", "extension", "email", "sip_password"}),
        required=frozenset({"extension", "sip_password"}),
    ),
    Kind.GROUP: KindRules(
        create_fields=frozenset({"name", "display_name", "extension", "member_user_ids"}),
        update_fields=frozenset({"name", "display_name", "extension"}),
        required=frozenset({"extension"}),
        strategies=frozenset(),
    ),
    Kind.QUEUE: KindRules(
        create_fields=frozenset({"name", "display_name", "extension", "strategy", "members"}),
        update_fields=frozenset({"name", "display_name", "extension", "strategy"}),
        required=frozenset({"extension"}),
        # A member's ringStrategy: "all" and "huntLongestIdle".
        strategies=frozenset({RingStrategy.ALL, RingStrategy.LONGEST_IDLE}),
        member_kinds=frozenset({MemberKind.GROUP}),
        member_priority=None,
    ),
    Kind.DEVICE: KindRules(
        create_fields=frozenset({"mac", "name", "user_id"}),
        update_fields=frozenset({"name"}),
    ),
}

#: No trunks in the Config API; no device actions; no registration status.
CAPABILITIES = Capabilities(kinds={
    Kind.USER: CRUD,
    Kind.GROUP: CRUD | {Operation.MEMBERS},
    Kind.QUEUE: CRUD | {Operation.MEMBERS},
    Kind.DEVICE: CRUD | {Operation.ASSIGN},
}, rules=RULES)


class InfinityConnector:
    vendor = "infinity"
    capabilities = CAPABILITIES

    def __init__(self, config: BackendConfig, *, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.name = config.name
        self.settings = load_settings(config)
        self._config = config
        self._transport = transport
        self._client: InfinityClient | None = None
        self.users: InfinityUsers | None = None
        self.groups: InfinityGroups | None = None
        self.queues: InfinityQueues | None = None
        self.trunks = None
        self.devices: InfinityDevices | None = None
        self._build()

    def _build(self) -> None:
        """The HTTP client and the resources; no request is made here."""
        self._client = InfinityClient(
            self.name,
            self.settings,
            timeout_s=self._config.timeout_s,
            max_concurrency=self._config.max_concurrency,
            transport=self._transport,
        )
        kinds = Kinds.build(self._client, self.settings)
        self.users = InfinityUsers(kinds)
        self.groups = InfinityGroups(kinds)
        self.queues = InfinityQueues(kinds)
        self.devices = InfinityDevices(kinds)

    async def open(self) -> None:
        if self._client is None:
            self._build()

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def health(self) -> Health:
        """List the domains the credentials reach; every served one must be there."""
        if self._client is None:
            return Health(HealthStatus.DOWN, detail="connector is closed", code="BACKEND_UNAVAILABLE")
        started = time.perf_counter()
        try:
            rows = await self._client.rows(self._client.domains_path(), id_field="domainId")
        except PbxError as exc:
            return Health(HealthStatus.DOWN, detail=exc.describe(), latency_ms=_since(started), code=exc.code)
        except Exception as exc:  # health must never raise; the failure is logged with its trace
            log.exception("health probe of backend '%s' failed", self.name)
            return Health(HealthStatus.DOWN, detail=f"probe failed: {type(exc).__name__}",
                          latency_ms=_since(started), code="INTERNAL_SERVER_ERROR")
        visible = {text(r.get("domainId")) for r in rows}
        missing = [d for d in self.settings.domains if str(d) not in visible]
        if missing:
            return Health(HealthStatus.DEGRADED,
                          detail=f"SIP domain(s) {', '.join(map(str, missing))} not visible to these credentials",
                          latency_ms=_since(started), code="BACKEND_ERROR")
        return Health(HealthStatus.UP, latency_ms=_since(started))


def _since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


def create_connector(config: BackendConfig, *, transport: httpx.AsyncBaseTransport | None = None) -> InfinityConnector:
    return InfinityConnector(config, transport=transport)

"""The Infinity connector: one configured Infinity account and the SIP domains it serves."""

from __future__ import annotations

import httpx

from pbxgraph.config import BackendConfig, read_options
from pbxgraph.connectors.infinity.client import InfinityClient
from pbxgraph.connectors.infinity.devices import InfinityDevices
from pbxgraph.connectors.infinity.groups import InfinityGroups
from pbxgraph.connectors.infinity.kinds import Kinds
from pbxgraph.connectors.infinity.mapping import text
from pbxgraph.connectors.infinity.queues import InfinityQueues
from pbxgraph.connectors.infinity.settings import InfinityOptions, InfinitySettings
from pbxgraph.connectors.infinity.users import InfinityUsers
from pbxgraph.connectors.kit import HttpConnector
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
CAPABILITIES = Capabilities(
    kinds={
        Kind.USER: CRUD,
        Kind.GROUP: CRUD | {Operation.MEMBERS},
        Kind.QUEUE: CRUD | {Operation.MEMBERS},
        Kind.DEVICE: CRUD | {Operation.ASSIGN},
    },
    rules=RULES,
)


class InfinityConnector(HttpConnector):
    vendor = "infinity"
    capabilities = CAPABILITIES

    def __init__(
        self, config: BackendConfig, options: InfinityOptions, *, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self.settings = InfinitySettings.of(options)
        super().__init__(config, options, transport=transport, base_url=self.settings.base_url, auth=options.auth)
        self.client = InfinityClient(self.http, self.settings)
        kinds = Kinds.build(self.client, self.settings)
        self.users = InfinityUsers(kinds)
        self.groups = InfinityGroups(kinds)
        self.queues = InfinityQueues(kinds)
        self.devices = InfinityDevices(kinds)

    async def probe(self) -> Health | None:
        """List the domains the credentials reach; every served one must be there."""
        rows = await self.client.rows(self.client.domains_path(), id_field="domainId")
        visible = {text(r.get("domainId")) for r in rows}
        missing = [d for d in self.settings.domains if str(d) not in visible]
        if missing:
            return Health(
                HealthStatus.DEGRADED,
                detail=f"SIP domain(s) {', '.join(map(str, missing))} not visible to these credentials",
                code="BACKEND_ERROR",
            )
        return None


def create_connector(config: BackendConfig, *, transport: httpx.AsyncBaseTransport | None = None) -> InfinityConnector:
    """The ``infinity`` entry point; the keys are described in :mod:`pbxgraph.connectors.infinity`."""
    return InfinityConnector(config, read_options(config, InfinityOptions), transport=transport)

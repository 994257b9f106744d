"""The Era connector: users, group numbers, hunts, providers and provisioned phones."""

from __future__ import annotations

import httpx

from pbxgraph.config import BackendConfig, read_options
from pbxgraph.connectors.era.client import EraClient
from pbxgraph.connectors.era.devices import EraDevices
from pbxgraph.connectors.era.groups import EraGroups
from pbxgraph.connectors.era.options import EraOptions
from pbxgraph.connectors.era.queues import EraQueues
from pbxgraph.connectors.era.trunks import EraTrunks
from pbxgraph.connectors.era.users import EraUsers
from pbxgraph.connectors.kit import HttpConnector
from pbxgraph.domain import (
    CRUD,
    Capabilities,
    Kind,
    KindRules,
    MemberKind,
    Operation,
    PriorityOrder,
    RingStrategy,
    TrunkKind,
)

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
        Kind.GROUP: KindRules(
            required=frozenset({"extension"}),
            strategies=frozenset({RingStrategy.SEQUENTIAL, RingStrategy.ALL, RingStrategy.RANDOM}),
        ),
        Kind.QUEUE: KindRules(
            strategies=frozenset({RingStrategy.PRIORITY}),
            member_kinds=frozenset({MemberKind.USER}),
            member_priority=PriorityOrder.HIGHER_FIRST,
        ),
        Kind.TRUNK: KindRules(
            create_fields=frozenset(
                {"name", "domain", "host", "port", "transport", "username", "password", "enabled", "register", "kind"}
            ),
            trunk_kinds=frozenset({TrunkKind.SIP}),
        ),
        Kind.DEVICE: KindRules(
            create_fields=frozenset({"mac", "model", "user_id"}),
            update_fields=frozenset({"mac", "model"}),
            required=frozenset({"user_id"}),
        ),
    },
)


class EraConnector(HttpConnector):
    vendor = "era"
    capabilities = CAPABILITIES

    def __init__(
        self, config: BackendConfig, options: EraOptions, *, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        super().__init__(config, options, transport=transport, headers=options.headers)
        self.client = EraClient(self.http, page_size=options.page_size, snapshot_s=options.listing_snapshot_s)
        self.users = EraUsers(self.client)
        self.groups = EraGroups(self.client)
        self.queues = EraQueues(self.client)
        self.trunks = EraTrunks(self.client)
        self.devices = EraDevices(self.client)

    async def probe(self) -> None:
        """One cheap list request: one id of one SIP user."""
        await self.client.select("sipusers", mask=["id"], limit=1)


def create_connector(config: BackendConfig, *, transport: httpx.AsyncBaseTransport | None = None) -> EraConnector:
    """The ``era`` entry point; the keys are described in :mod:`pbxgraph.connectors.era` and :class:`EraOptions`."""
    return EraConnector(config, read_options(config, EraOptions), transport=transport)

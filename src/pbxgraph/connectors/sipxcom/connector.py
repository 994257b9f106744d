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

import httpx

from pbxgraph.config import BackendConfig, read_options
from pbxgraph.connectors.kit import HttpConnector
from pbxgraph.connectors.sipxcom import gateways, huntgroups
from pbxgraph.connectors.sipxcom.client import SipxcomClient
from pbxgraph.connectors.sipxcom.devices import PhoneModels, SipxcomDevices
from pbxgraph.connectors.sipxcom.groups import SipxcomGroups
from pbxgraph.connectors.sipxcom.lookups import GROUP_ROOTS, Lookups
from pbxgraph.connectors.sipxcom.options import SipxcomOptions
from pbxgraph.connectors.sipxcom.queues import SipxcomQueues
from pbxgraph.connectors.sipxcom.trunks import SipxcomTrunks
from pbxgraph.connectors.sipxcom.users import SipxcomUsers
from pbxgraph.domain import (
    CRUD,
    Capabilities,
    Kind,
    KindRules,
    MemberKind,
    Operation,
    TrunkKind,
)


def rules(phone_models: tuple[str, ...] | None = None) -> dict[Kind, KindRules]:
    """What sipXcom stores of each kind; ``phone_models`` as the server lists them (None: not read yet)."""
    return {
        Kind.GROUP: KindRules(
            create_fields=frozenset({"name", "description", "member_user_ids"}),
            update_fields=frozenset({"name", "description"}),
            strategies=frozenset(),  # a user group only gathers users: it rings no one
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
    return Capabilities(
        kinds={
            Kind.USER: frozenset(user_ops),
            Kind.GROUP: CRUD | {Operation.MEMBERS},
            Kind.QUEUE: CRUD | {Operation.MEMBERS},
            Kind.TRUNK: CRUD,
            Kind.DEVICE: CRUD | {Operation.ASSIGN, Operation.RESYNC, Operation.RESTART},
        },
        rules=rules(phone_models),
    )


class SipxcomConnector(HttpConnector):
    vendor = "sipxcom"

    def __init__(
        self, config: BackendConfig, options: SipxcomOptions, *, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        # Preemptive Basic: httpx sends it with the first request, no challenge round trip.
        super().__init__(
            config,
            options,
            transport=transport,
            base_url=options.base_url,
            auth=httpx.BasicAuth(options.username, options.password),
            headers={"User-Agent": "pbxgraph"},
        )
        self.client = SipxcomClient(self.http, fmt=options.wire_format, page_size=options.page_size)
        self._registrations = options.registrations
        self.capabilities = capabilities(registrations=options.registrations)
        lookups = Lookups(self.client, registrations=options.registrations)
        self.users = SipxcomUsers(lookups)
        self.groups = SipxcomGroups(lookups, self.users)
        self.queues = SipxcomQueues(lookups)
        self.trunks = SipxcomTrunks(lookups)
        self.devices = self._devices = SipxcomDevices(lookups, PhoneModels(lookups, self._declare_phone_models))

    def _declare_phone_models(self, models: tuple[str, ...]) -> None:
        self.capabilities = capabilities(registrations=self._registrations, phone_models=models)

    async def prepare(self) -> None:
        """Read the phone models the server knows, for the capabilities (read again on first need)."""
        await self._devices.models.load()

    async def probe(self) -> None:
        """One user group of the first page."""
        await self.client.rest_get(
            "/user-group", "the user group list", {"page": "1", "pagesize": "1"}, roots=GROUP_ROOTS
        )


def create_connector(config: BackendConfig, *, transport: httpx.AsyncBaseTransport | None = None) -> SipxcomConnector:
    """The ``sipxcom`` entry point; the keys are listed in the package docstring and :class:`SipxcomOptions`."""
    return SipxcomConnector(config, read_options(config, SipxcomOptions), transport=transport)

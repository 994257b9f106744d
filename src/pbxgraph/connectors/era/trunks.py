"""SIP provider accounts (``providers``) as pbxgraph trunks.

``code`` is the trunk's name (Era's look-up key for providers), ``domain``
its SIP domain, ``proxyaddr`` and ``proxyport`` its outbound proxy: the
trunk's host and port, null when there is no proxy (Era then resolves the
domain itself) and a port of 0 meaning Era's default. ``login`` is the
account name. ``pwd`` is write-only: sent when given, scrubbed from every
answer.

A port belongs to the proxy: setting one on a provider without a proxy
address (given in the same write or already stored) is BAD_USER_INPUT rather
than a value Era would keep but pbxgraph could never show. Era providers are
SIP accounts with no model: another trunk kind or a model is NOT_SUPPORTED.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pbxgraph import validation
from pbxgraph.connectors.era import mapping
from pbxgraph.connectors.era.client import EraClient, contains_text
from pbxgraph.connectors.querying import apply_query
from pbxgraph.domain import ListQuery, Page, Trunk, TrunkCreate, TrunkKind, TrunkUpdate
from pbxgraph.errors import BadUserInput, NotSupported

COLLECTION = "providers"
FIELDS = {
    "code": "name",
    "domain": "domain",
    "proxyaddr": "host",
    "proxyport": "port",
    "transport": "transport",
    "login": "username",
    "pwd": "password",
    "enabled": "enabled",
    "reg": "register",
}


class EraTrunks:
    def __init__(self, client: EraClient) -> None:
        self.client = client

    async def page(self, query: ListQuery) -> Page[Trunk]:
        flt = query.filter
        if flt.mac is not None or flt.extension is not None:
            return Page(items=[], has_more=False, total=0)
        pushed = contains_text(["code"], flt.search) if flt.search else None
        payloads = await self.client.listing(COLLECTION, filter=pushed, fresh=query.offset == 0)
        return apply_query([mapping.trunk_from(p) for p in payloads], query)

    async def get_many(self, ids: Sequence[str]) -> list[Trunk | None]:
        if not ids:
            return []
        found = {t.id: t for t in map(mapping.trunk_from, await self.client.list_in(COLLECTION, "id", ids))}
        return [found.get(i) for i in ids]

    async def create(self, data: TrunkCreate) -> Trunk:
        backend = self.client.backend
        if data.kind is not TrunkKind.SIP:
            raise NotSupported(
                f"kind: backend '{backend}' (Era) keeps SIP provider accounts only", backend=backend, field="kind"
            )
        if data.model is not None:
            raise NotSupported(
                f"model: backend '{backend}' (Era) keeps no model for a provider account",
                backend=backend,
                field="model",
            )
        body: dict[str, Any] = {"code": validation.non_empty(data.name, "name"), "enabled": int(data.enabled)}
        if data.domain is not None:
            body["domain"] = validation.host(data.domain, "domain")
        if data.host is not None:
            body["proxyaddr"] = validation.host(data.host)
        if data.port is not None:
            if data.host is None:
                raise self._port_without_proxy()
            body["proxyport"] = validation.port(data.port)
        if data.transport is not None:
            body["transport"] = data.transport.value
        if data.username is not None:
            body["login"] = data.username
        if data.password is not None:
            body["pwd"] = data.password
        if data.register is not None:
            body["reg"] = int(data.register)
        return mapping.trunk_from(await self.client.create(COLLECTION, body, fields=FIELDS))

    async def update(self, id: str, patch: TrunkUpdate) -> Trunk:
        changes = patch.changes()
        body: dict[str, Any] = {}
        if "name" in changes:
            body["code"] = validation.non_empty(changes["name"], "name")
        if "domain" in changes:
            body["domain"] = validation.host(changes["domain"], "domain") if changes["domain"] is not None else ""
        if "host" in changes:
            body["proxyaddr"] = validation.host(changes["host"]) if changes["host"] is not None else ""
        if "port" in changes:
            if changes["port"] is None:
                body["proxyport"] = 0
            else:
                body["proxyport"] = validation.port(changes["port"])
                proxy = (
                    body["proxyaddr"]
                    if "proxyaddr" in body
                    else mapping.text(await self.client.get(COLLECTION, id), "proxyaddr")
                )
                if not proxy:
                    raise self._port_without_proxy()
        if "transport" in changes:
            if changes["transport"] is None:
                raise BadUserInput("transport: an Era provider always has a transport", field="transport")
            body["transport"] = changes["transport"].value
        if "username" in changes:
            body["login"] = changes["username"] or ""
        if "password" in changes:
            body["pwd"] = changes["password"] or ""
        if "enabled" in changes:
            body["enabled"] = int(changes["enabled"])
        if "register" in changes:
            if changes["register"] is None:
                raise BadUserInput("register: an Era provider either registers or not", field="register")
            body["reg"] = int(changes["register"])
        if not body:
            return mapping.trunk_from(await self.client.get(COLLECTION, id))
        return mapping.trunk_from(await self.client.patch(COLLECTION, id, body, fields=FIELDS))

    async def delete(self, id: str) -> None:
        await self.client.delete(COLLECTION, id)

    @staticmethod
    def _port_without_proxy() -> BadUserInput:
        return BadUserInput(
            "port: an Era provider's port is its outbound proxy's; give host (the proxy) too", field="port"
        )

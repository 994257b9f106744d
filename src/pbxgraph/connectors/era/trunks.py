"""SIP provider accounts (``providers``) as pbxgraph trunks.

``code`` is the trunk's name (Era's look-up key for providers), ``domain``
its host (``proxyaddr``, an optional outbound proxy, stands in only when the
domain is empty and stays in ``raw``), ``proxyport`` its port where 0 means
Era's default, ``login`` the account name. ``pwd`` is write-only: sent when
given, scrubbed from every answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pbxgraph import validation
from pbxgraph.connectors.era import mapping
from pbxgraph.connectors.era.client import EraClient, contains_text
from pbxgraph.connectors.era.common import names_backend
from pbxgraph.connectors.querying import apply_query
from pbxgraph.domain import ListQuery, Page, Trunk, TrunkCreate, TrunkUpdate
from pbxgraph.errors import BadUserInput

COLLECTION = "providers"
FIELDS = {"code": "name", "domain": "host", "proxyport": "port", "transport": "transport", "login": "username",
          "pwd": "password", "enabled": "enabled", "reg": "register"}


@names_backend
class EraTrunks:
    def __init__(self, client: EraClient) -> None:
        self.client = client

    async def list(self, query: ListQuery) -> Page[Trunk]:
        flt = query.filter
        if flt.mac is not None or flt.extension is not None:
            return Page(items=[], has_more=False, total=0)
        pushed = contains_text(["code"], flt.search) if flt.search else None
        payloads = await self.client.list_all(COLLECTION, filter=pushed)
        return apply_query([mapping.trunk_from(p) for p in payloads], query)

    async def get_many(self, ids: Sequence[str]) -> list[Trunk | None]:
        if not ids:
            return []
        found = {t.id: t for t in map(mapping.trunk_from, await self.client.list_in(COLLECTION, "id", ids))}
        return [found.get(i) for i in ids]

    async def create(self, data: TrunkCreate) -> Trunk:
        body: dict[str, Any] = {
            "code": validation.non_empty(data.name, "name"),
            "domain": validation.host(data.host),
            "enabled": int(data.enabled),
        }
        if data.port is not None:
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
        if "host" in changes:
            body["domain"] = validation.host(changes["host"])
        if "port" in changes:
            body["proxyport"] = validation.port(changes["port"]) if changes["port"] is not None else 0
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

"""Trunks: SIP trunk gateways under ``/api/gateways``.

Only gateways of the SIP trunk model are trunks (an FXO box or a PRI gateway
is not); the others are invisible here. The address, port, transport and
enabled flag live on the gateway; the account name, its password and
whether the trunk registers live in the gateway's settings, written one at a
time as plain text. The server shows the password setting in clear: it is
read only to be dropped, never kept in a record.

A gateway ``PUT`` replaces the gateway, so an update reads it first and
sends it back whole with the asked-for fields changed; settings not asked
about are not touched. A create or update takes several calls (the gateway,
then one per setting): when one fails, what was done is undone (a new
gateway deleted; an updated one sent back as it was, its settings set back
to the values read before), and the error says so, or what is left.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pbxgraph.connectors.querying import apply_query
from pbxgraph.connectors.sipxcom import mapping
from pbxgraph.connectors.sipxcom.lookups import Lookups, native_int
from pbxgraph.connectors.undo import Steps, Undo
from pbxgraph.domain import Kind, ListQuery, Page, Trunk, TrunkCreate, TrunkUpdate

_SETTING_OF = {
    "username": mapping.SETTING_USERNAME,
    "password": mapping.SETTING_PASSWORD,
    "register": mapping.SETTING_REGISTER,
}


class SipxcomTrunks:
    def __init__(self, lookups: Lookups) -> None:
        self._lookups = lookups
        self._client = lookups.client
        self._backend = lookups.backend

    async def _records(self, gateways: Sequence[dict[str, Any]]) -> list[Trunk]:
        settings = await self._client.http.gather(self._lookups.trunk_settings(g["id"]) for g in gateways)
        return [mapping.trunk_record(g, s) for g, s in zip(gateways, settings, strict=True)]

    async def list(self, query: ListQuery) -> Page[Trunk]:
        gateways = await self._lookups.all_trunks()
        by_id = {str(g["id"]): g for g in gateways}
        page = apply_query((mapping.trunk_record(g, None) for g in gateways), query)
        page.items = await self._records([by_id[t.id] for t in page.items])
        return page

    async def get_many(self, ids: Sequence[str]) -> list[Trunk | None]:
        keys = [native_int(i) for i in ids]
        found = await self._lookups.trunks_by_id([k for k in keys if k is not None])
        records = {int(r.id): r for r in await self._records(list(found.values()))}
        return [records.get(k) if k is not None else None for k in keys]

    async def _reread(self, native_id: str) -> Trunk:
        (record,) = await self._records([await self._lookups.trunk(native_id)])
        return record

    async def _write_settings(self, gateway_id: str, values: dict[str, Any], steps: Steps,
                              before: dict[str, str | None] | None = None) -> None:
        """Write settings one at a time; with ``before`` (the values read first), each is a step undone."""
        for field, value in values.items():
            await self._write_setting(gateway_id, field, value)
            if before is not None:
                old = before.get(_SETTING_OF[field])
                steps.done(f"trunk {gateway_id} with its {field} changed", kind=Kind.TRUNK, native_id=gateway_id,
                           undo=self._setting_back(gateway_id, field, old))

    async def _write_setting(self, gateway_id: str, field: str, value: Any) -> None:
        path = f"/gateways/{gateway_id}/settings/{_SETTING_OF[field]}"
        what = f"the {field} of trunk '{gateway_id}'"
        if value is None:
            await self._client.api_send("DELETE", path, what)
        else:
            text = ("true" if value else "false") if isinstance(value, bool) else str(value)
            await self._client.api_send("PUT", path, what, text_body=text,
                                        secrets=(value if field == "password" else None,))

    def _setting_back(self, gateway_id: str, field: str, old: str | None) -> Undo:
        """Writing a setting's earlier value back (deleting it where it had none)."""
        async def undo() -> None:
            await self._write_setting(gateway_id, field, old)
        return undo

    async def create(self, data: TrunkCreate) -> Trunk:
        bean = {
            "name": data.name,
            "description": None,
            "model": {"modelId": mapping.SIP_TRUNK_MODEL},
            "enabled": data.enabled,
            "address": data.host,
            "addressPort": data.port or 0,
            "outboundPort": 5060,
            "addressTransport": data.transport.value if data.transport else "none",
            "shared": False,
            "useInternalBridge": True,
        }
        settings = {k: v for k, v in (("username", data.username), ("password", data.password),
                                      ("register", data.register)) if v is not None}
        async with Steps(self._backend, f"create trunk '{data.name}'") as steps:
            response = await self._client.api_send("POST", "/gateways", f"trunk '{data.name}'", json_body=bean)
            created = steps.done(f"trunk '{data.name}' created (its id not answered)", kind=Kind.TRUNK)
            new_id = self._client.created_id(response)
            created.native_id, created.state = new_id, f"trunk {new_id} created without all its settings"
            created.undo = lambda: self._client.api_send("DELETE", f"/gateways/{new_id}", f"trunk '{new_id}'")
            await self._write_settings(new_id, settings, steps)
            steps.finished(f"trunk {new_id} created", kind=Kind.TRUNK, native_id=new_id)
            return await self._reread(new_id)

    async def update(self, id: str, patch: TrunkUpdate) -> Trunk:
        changes = patch.changes()
        gateway = await self._lookups.trunk(id)
        bean = mapping.gateway_body(gateway)
        for field, key in (("name", "name"), ("host", "address"), ("enabled", "enabled")):
            if field in changes:
                bean[key] = changes[field]
        if "port" in changes:
            bean["addressPort"] = changes["port"] or 0
        if "transport" in changes:
            bean["addressTransport"] = changes["transport"].value if changes["transport"] else "none"
        settings = {k: v for k, v in changes.items() if k in _SETTING_OF}
        gateway_id = str(gateway["id"])
        # The settings as they were, to write back should a later one fail (read only when some change).
        before = await self._lookups.trunk_settings(gateway["id"]) if settings else {}
        async with Steps(self._backend, f"update trunk '{id}'") as steps:
            if bean != mapping.gateway_body(gateway):
                await self._client.api_send("PUT", f"/gateways/{gateway_id}", f"trunk '{id}'", json_body=bean)
                original = mapping.gateway_body(gateway)
                steps.done(f"trunk {gateway_id} with its gateway fields changed", kind=Kind.TRUNK,
                           native_id=gateway_id,
                           undo=lambda: self._client.api_send("PUT", f"/gateways/{gateway_id}", f"trunk '{id}'",
                                                              json_body=original))
            await self._write_settings(gateway_id, settings, steps, before)
            steps.finished(f"trunk {gateway_id} changed", kind=Kind.TRUNK, native_id=gateway_id)
            return await self._reread(id)

    async def delete(self, id: str) -> None:
        # Read first: a gateway that is not a SIP trunk is no trunk to delete.
        gateway = await self._lookups.trunk(id)
        await self._client.api_send("DELETE", f"/gateways/{gateway['id']}", f"trunk '{id}'")

"""The reads every resource shares, each as few requests as sipXconfig allows.

* Users by id: ``GET /rest/user?ids=1,2,3``, one request per hundred ids.
  The server fails the whole request when one id does not exist (answering
  ERROR_OBJECT_NOT_FOUND with that id), so a missing id is dropped and the
  request repeated for the others.
* All users / all user groups: the ``/rest`` listing page by page.
* Phones and gateways: the API has no many-at-once read, so one id is one
  ``GET /api/phones/{id}`` and more ids are one ``GET /api/phones`` (the
  whole list), which is never more requests than one per id.
* Registrations: for one user ``/api/registrations/user/{id}``, for more
  the full ``/api/registrations``, page by page (``start``/``limit``), matched
  to users by user name and alias. When registrations cannot be read the
  users are still answered, with their registration unknown.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Any

from pbxgraph.connectors.sipxcom import mapping
from pbxgraph.connectors.sipxcom.client import SipxcomClient
from pbxgraph.domain import User
from pbxgraph.errors import BackendError, NotFound, PbxError

log = logging.getLogger("pbxgraph.connectors.sipxcom")

IDS_PER_REQUEST = 100
#: Root elements (XML) or wrapper keys (JSON) of ``/rest`` documents: ``<user>`` holds a user or a
#: listing, ``<user-group>`` a listing of groups, and one group comes as ``<group>`` or ``<userGroup>``
#: (servers differ by version). Any other root is not the document asked for.
USER_ROOTS = ("user", "users")
GROUP_ROOTS = ("user-group", "groups", *mapping.GROUP_TAGS)


def native_int(native_id: str) -> int | None:
    """sipXconfig ids are integers; anything else names nothing there."""
    return int(native_id) if native_id.isdigit() and len(native_id) < 19 else None


class Lookups:
    def __init__(self, client: SipxcomClient, *, registrations: bool) -> None:
        self.client = client
        self.backend = client.backend
        self.registrations_enabled = registrations

    # --- users ----------------------------------------------------------------------

    async def all_users(self) -> list[dict[str, Any]]:
        found = await self.client.rest_list("/user", "the user list", "users", "user", roots=USER_ROOTS)
        return self._identified([mapping.normal_user(e) for e in found], "the user list")

    def _identified(self, found: list[dict[str, Any]], what: str) -> list[dict[str, Any]]:
        """Entries that all carry an id; one without is a document we cannot use, not a shorter list."""
        if any(entry["id"] is None for entry in found):
            raise BackendError(f"backend '{self.backend}' answered {what} with an entry that has no id",
                               backend=self.backend)
        return found

    async def _user_chunk(self, ids: list[int]) -> dict[int, dict[str, Any]]:
        pending = list(ids)
        while pending:
            try:
                tree = await self.client.rest_get("/user", f"users {','.join(map(str, pending))}",
                                                  {"ids": ",".join(map(str, pending))}, roots=USER_ROOTS)
            except NotFound as exc:
                missing = native_int(str(exc.details.get("id", "")))
                if missing is None or missing not in pending:
                    raise BackendError(f"backend '{self.backend}' said a user does not exist without "
                                       "naming one of those asked for", backend=self.backend,
                                       details=exc.details) from None
                pending.remove(missing)
                continue
            return {u["id"]: u for u in self._identified(mapping.user_entries(tree), "users by id")}
        return {}

    async def users_by_id(self, ids: Iterable[int]) -> dict[int, dict[str, Any]]:
        wanted = list(dict.fromkeys(ids))
        chunks = [wanted[i:i + IDS_PER_REQUEST] for i in range(0, len(wanted), IDS_PER_REQUEST)]
        found: dict[int, dict[str, Any]] = {}
        for part in await self.client.http.gather(self._user_chunk(chunk) for chunk in chunks):
            found.update(part)
        return found

    async def user(self, native_id: str) -> dict[str, Any]:
        key = native_int(native_id)
        found = (await self.users_by_id([key])).get(key) if key is not None else None
        if found is None:
            raise NotFound(f"user '{native_id}' does not exist on backend '{self.backend}'",
                           backend=self.backend)
        return found

    async def user_records(self, users: Sequence[dict[str, Any]]) -> list[User]:
        """Records for users, their registration filled in with one more request."""
        registered = await self.registrations_for(users)
        return [mapping.user_record(u, registered.get(u["id"], []) if registered is not None else None)
                for u in users]

    # --- registrations -------------------------------------------------------------------

    async def _registration_pages(self, path: str, what: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        start = 0
        limit = self.client.page_size
        previous: list[dict[str, Any]] | None = None
        while True:
            page = await self.client.api_list(path, what, "registrations", "registration",
                                              {"start": str(start), "limit": str(limit)})
            if page == previous:  # the server ignored ``start``: this page was read already
                return found
            found += page
            if len(page) < limit:
                return found
            previous = page
            start += limit

    async def registrations_for(self, users: Sequence[dict[str, Any]]) -> dict[int, list[dict[str, Any]]] | None:
        """Each user's registrations (by user id), or None when unknown."""
        if not self.registrations_enabled:
            return None
        if not users:
            return {}
        try:
            if len(users) == 1:
                try:
                    entries = await self._registration_pages(f"/registrations/user/{users[0]['id']}",
                                                             "the user's registrations")
                except NotFound:
                    entries = []
            else:
                entries = await self._registration_pages("/registrations", "the registrations")
        except PbxError as exc:
            log.warning("backend %s: registrations unavailable (%s); registration left unknown",
                        self.backend, exc.code)
            return None
        owners: dict[str, int] = {}
        for user in users:
            for name in (user["userName"], *user["aliases"]):
                if name:
                    owners.setdefault(name.casefold(), user["id"])
        found: dict[int, list[dict[str, Any]]] = {u["id"]: [] for u in users}
        for entry in entries:
            owner = owners.get(mapping.registered_name(entry) or "")
            if owner is not None:
                found[owner].append(entry)
        return found

    # --- groups -----------------------------------------------------------------------------

    async def all_groups(self) -> list[dict[str, Any]]:
        found = await self.client.rest_list("/user-group", "the user group list", "groups",
                                            *mapping.GROUP_TAGS, roots=GROUP_ROOTS)
        return self._identified([mapping.normal_group(g) for g in found], "the user group list")

    async def group(self, native_id: str) -> dict[str, Any]:
        key = native_int(native_id)
        if key is None:
            raise NotFound(f"group '{native_id}' does not exist on backend '{self.backend}'",
                           backend=self.backend)
        tree = await self.client.rest_get(f"/user-group/{key}", f"group '{native_id}'", roots=GROUP_ROOTS)
        if not isinstance(tree, dict):
            raise BackendError(f"backend '{self.backend}' answered group '{native_id}' with no fields",
                               backend=self.backend)
        return self._identified([mapping.normal_group(tree)], f"group '{native_id}'")[0]

    async def groups_by_id(self, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        wanted = list(dict.fromkeys(ids))
        if not wanted:
            return {}
        if len(wanted) == 1:
            try:
                return {wanted[0]: await self.group(str(wanted[0]))}
            except NotFound:
                return {}
        return {g["id"]: g for g in await self.all_groups() if g["id"] in wanted}

    # --- phones ----------------------------------------------------------------------------------

    async def all_phones(self) -> list[dict[str, Any]]:
        return await self.client.api_list("/phones", "the phone list", "phones", "phone")

    async def phone(self, native_id: str) -> dict[str, Any]:
        key = native_int(native_id)
        if key is None:
            raise NotFound(f"device '{native_id}' does not exist on backend '{self.backend}'",
                           backend=self.backend)
        return await self.client.api_object(f"/phones/{key}", f"device '{native_id}'")

    async def phones_by_id(self, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        wanted = list(dict.fromkeys(ids))
        if not wanted:
            return {}
        if len(wanted) == 1:
            try:
                return {wanted[0]: await self.phone(str(wanted[0]))}
            except NotFound:
                return {}
        return {p["id"]: p for p in await self.all_phones() if p.get("id") in wanted}

    # --- gateways ----------------------------------------------------------------------------------

    async def all_trunks(self) -> list[dict[str, Any]]:
        gateways = await self.client.api_list("/gateways", "the gateway list", "gateways", "gateway")
        return [g for g in gateways if mapping.is_sip_trunk(g)]

    async def trunk(self, native_id: str) -> dict[str, Any]:
        key = native_int(native_id)
        found: Any = None
        if key is not None:
            found = await self.client.api_object(f"/gateways/{key}", f"trunk '{native_id}'")
        if found is None or not mapping.is_sip_trunk(found):
            raise NotFound(f"trunk '{native_id}' does not exist on backend '{self.backend}'",
                           backend=self.backend)
        return found

    async def trunks_by_id(self, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        wanted = list(dict.fromkeys(ids))
        if not wanted:
            return {}
        if len(wanted) == 1:
            try:
                return {wanted[0]: await self.trunk(str(wanted[0]))}
            except NotFound:
                return {}
        return {g["id"]: g for g in await self.all_trunks() if g.get("id") in wanted}

    async def trunk_settings(self, gateway_id: int) -> dict[str, str | None]:
        """A gateway's settings (secrets included: never put them in a record as they are)."""
        settings = await self.client.api_list(f"/gateways/{gateway_id}/settings",
                                              f"the settings of trunk '{gateway_id}'", "settings", "setting")
        return mapping.settings_map(settings)

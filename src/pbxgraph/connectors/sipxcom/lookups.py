"""The reads every resource shares, each as few requests as sipXconfig allows.

* Users by id: ``GET /rest/user?ids=1,2,3``, one request per hundred ids.
  The server fails the whole request when one id does not exist (answering
  ERROR_OBJECT_NOT_FOUND with that id), so a missing id is dropped and the
  request repeated for the others.
* All users / all user groups: the ``/rest`` listing page by page.
* Phones and gateways: the API has no many-at-once read, so one id is one
  ``GET /api/phones/{id}`` and more ids are one ``GET /api/phones`` (the
  whole list), which is never more requests than one per id.
* Hunt groups: the API reads one by extension only, so any number of them
  by id is one ``GET /api/callgroups``.
* Registrations: through :class:`~.registrations.Registrations`, one read
  for every record built here at once (:meth:`Lookups.user_records`,
  :meth:`Lookups.device_records`), when the request shows them.

Within one query, the users a listing brought back are remembered
(:func:`pbxgraph.selection.reads`): users by id asks the server only for
those it has not answered yet (a group's members are read as the whole
user list; their phones' look-up then needs no user read of its own), and
the phones of a phone listing serve phones by id.

Every listing yields each id once: a listing that repeats an id (a vendor
answering one object twice) gives one record, the first. An entry without
an id, a document of another format or root than the one asked for, or an
``/api`` answer of the wrong shape is BACKEND_ERROR, never a shorter list.
"""

from __future__ import annotations

from collections.abc import Awaitable, Iterable, Sequence
from typing import Any, TypeVar, cast

from pbxgraph import selection
from pbxgraph.connectors.http import gather
from pbxgraph.connectors.sipxcom import gateways, mapping
from pbxgraph.connectors.sipxcom.client import SipxcomClient
from pbxgraph.connectors.sipxcom.lines import UserIndex
from pbxgraph.connectors.sipxcom.payload import entries, integer, text
from pbxgraph.connectors.sipxcom.registrations import Registrations
from pbxgraph.domain import Device, User
from pbxgraph.errors import BackendError, NotFound
from pbxgraph.ids import numeric_id

IDS_PER_REQUEST = 100
#: Root elements (XML) or wrapper keys (JSON) of ``/rest`` documents: ``<user>`` holds a user or a
#: listing, ``<user-group>`` a listing of groups, and one group comes as ``<group>`` or ``<userGroup>``
#: (servers differ by version). Any other root is not the document asked for.
USER_ROOTS = ("user", "users")
GROUP_ROOTS = ("user-group", "groups", *mapping.GROUP_TAGS)

A = TypeVar("A")
B = TypeVar("B")


async def together(first: Awaitable[A], second: Awaitable[B]) -> tuple[A, B]:
    """Two reads at once (the first failure cancels the other)."""
    a, b = await gather([first, second])
    return cast(A, a), cast(B, b)


def native_int(native_id: str) -> int | None:
    """sipXconfig ids are integers (ASCII digits); anything else names nothing there."""
    return numeric_id(native_id)


class Lookups:
    def __init__(self, client: SipxcomClient, *, registrations: bool) -> None:
        self.client = client
        self.backend = client.backend
        self.registrations = Registrations(client, enabled=registrations)

    async def _api_list(self, path: str, what: str, key: str, *tags: str) -> list[dict[str, Any]]:
        """An ``/api`` listing (``{key: [...]}``, or the bare list) of entities, each id once."""
        return self._identified(await self.client.api_list(path, what, key, *tags), what)

    def _identified(self, found: list[dict[str, Any]], what: str) -> list[dict[str, Any]]:
        """Entries that all carry an integer id, each id once (the first time it came).

        One without an id is a document we cannot use, not a shorter list:
        BACKEND_ERROR. A repeated id is one object answered twice.
        """
        if any(integer(entry.get("id")) is None for entry in found):
            raise BackendError(
                f"backend '{self.backend}' answered {what} with an entry that has no id", backend=self.backend
            )
        return mapping.unique_by_id(found)

    # --- users ----------------------------------------------------------------------

    def _seen_users(self) -> dict[str, Any] | None:
        """The users the current query was given, by id as text (None outside a query)."""
        reads = selection.reads()
        return None if reads is None else reads.of(self.backend, "users")

    async def all_users(self) -> list[dict[str, Any]]:
        found = await self.client.rest_list("/user", "the user list", "users", "user", roots=USER_ROOTS)
        users = self._identified([mapping.normal_user(e) for e in found], "the user list")
        seen = self._seen_users()
        if seen is not None:
            seen.update((str(u["id"]), u) for u in users)
        return users

    async def user_index(self) -> UserIndex:
        """Every user, to find the ones phone lines and hunt group rings name."""
        return UserIndex(await self.all_users())

    async def _user_chunk(self, ids: list[int]) -> dict[int, dict[str, Any]]:
        pending = list(ids)
        while pending:
            try:
                tree = await self.client.rest_get(
                    "/user",
                    f"users {','.join(map(str, pending))}",
                    {"ids": ",".join(map(str, pending))},
                    roots=USER_ROOTS,
                )
            except NotFound as exc:
                missing = native_int(str(exc.details.get("id", "")))
                if missing is None or missing not in pending:
                    raise BackendError(
                        f"backend '{self.backend}' said a user does not exist without naming one of those asked for",
                        backend=self.backend,
                        details=exc.details,
                    ) from None
                pending.remove(missing)
                continue
            users = [mapping.normal_user(e) for e in entries(tree, "users", "user")]
            return {u["id"]: u for u in self._identified(users, "users by id")}
        return {}

    async def users_by_id(self, ids: Iterable[int]) -> dict[int, dict[str, Any]]:
        wanted = list(dict.fromkeys(ids))
        found: dict[int, dict[str, Any]] = {}
        seen = self._seen_users()
        if seen:
            found = {k: seen[str(k)] for k in wanted if str(k) in seen}
            wanted = [k for k in wanted if k not in found]
        chunks = [wanted[i : i + IDS_PER_REQUEST] for i in range(0, len(wanted), IDS_PER_REQUEST)]
        for part in await self.client.http.gather(self._user_chunk(chunk) for chunk in chunks):
            found.update(part)
        return found

    async def user(self, native_id: str) -> dict[str, Any]:
        key = native_int(native_id)
        found = (await self.users_by_id([key])).get(key) if key is not None else None
        if found is None:
            raise NotFound(f"user '{native_id}' does not exist on backend '{self.backend}'", backend=self.backend)
        return found

    async def user_records(self, users: Sequence[dict[str, Any]]) -> list[User]:
        """Records for users, their registration filled in with one more request."""
        registered = await self.registrations.of_users(users)
        return [mapping.user_record(u, registered.get(u["id"], []) if registered is not None else None) for u in users]

    # --- groups -----------------------------------------------------------------------------

    async def all_groups(self) -> list[dict[str, Any]]:
        found = await self.client.rest_list(
            "/user-group", "the user group list", "groups", *mapping.GROUP_TAGS, roots=GROUP_ROOTS
        )
        return self._identified([mapping.normal_group(g) for g in found], "the user group list")

    async def group(self, native_id: str) -> dict[str, Any]:
        key = native_int(native_id)
        if key is None:
            raise NotFound(f"group '{native_id}' does not exist on backend '{self.backend}'", backend=self.backend)
        tree = await self.client.rest_get(f"/user-group/{key}", f"group '{native_id}'", roots=GROUP_ROOTS)
        if not isinstance(tree, dict):
            raise BackendError(
                f"backend '{self.backend}' answered group '{native_id}' with no fields", backend=self.backend
            )
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
        phones = await self._api_list("/phones", "the phone list", "phones", "phone", "Phone")
        reads = selection.reads()
        if reads is not None:
            reads.of(self.backend, "phones").update((str(p["id"]), p) for p in phones)
        return phones

    async def phone(self, native_id: str) -> dict[str, Any]:
        key = native_int(native_id)
        if key is None:
            raise NotFound(f"device '{native_id}' does not exist on backend '{self.backend}'", backend=self.backend)
        return await self.client.api_object(f"/phones/{key}", f"device '{native_id}'")

    async def phones_by_id(self, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        wanted = list(dict.fromkeys(ids))
        if not wanted:
            return {}
        reads = selection.reads()
        seen = reads.of(self.backend, "phones") if reads is not None else {}
        if all(str(k) in seen for k in wanted):  # the phone list this query read has them all
            return {k: seen[str(k)] for k in wanted}
        if len(wanted) == 1:
            try:
                return {wanted[0]: await self.phone(str(wanted[0]))}
            except NotFound:
                return {}
        return {p["id"]: p for p in await self.all_phones() if p.get("id") in wanted}

    async def device_records(self, phones: Sequence[dict[str, Any]]) -> list[Device]:
        """Records for phones, their registration filled in with one more request."""
        registered = await self.registrations.of_phones(phones)
        return [
            mapping.device_record(p, registered.get(p["id"], []) if registered is not None else None) for p in phones
        ]

    async def device_record(self, phone: dict[str, Any]) -> Device:
        (record,) = await self.device_records([phone])
        return record

    # --- gateways ----------------------------------------------------------------------------------

    async def all_gateways(self) -> list[dict[str, Any]]:
        return await self._api_list("/gateways", "the gateway list", "gateways", "gateway", "Gateway")

    async def gateway(self, native_id: str) -> dict[str, Any]:
        key = native_int(native_id)
        found: dict[str, Any] | None = None
        if key is not None:
            found = await self.client.api_object(f"/gateways/{key}", f"trunk '{native_id}'")
        if found is None:
            raise NotFound(f"trunk '{native_id}' does not exist on backend '{self.backend}'", backend=self.backend)
        return found

    async def gateways_by_id(self, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        wanted = list(dict.fromkeys(ids))
        if not wanted:
            return {}
        if len(wanted) == 1:
            try:
                return {wanted[0]: await self.gateway(str(wanted[0]))}
            except NotFound:
                return {}
        return {g["id"]: g for g in await self.all_gateways() if g.get("id") in wanted}

    async def gateway_settings(self, gateway_id: int) -> dict[str, str | None]:
        """A gateway's settings (secrets included: never put them in a record as they are)."""
        settings = await self.client.api_list(
            f"/gateways/{gateway_id}/settings",
            f"the settings of trunk '{gateway_id}'",
            "settings",
            "setting",
            "Setting",
        )
        return gateways.settings_map(settings)

    # --- hunt groups ---------------------------------------------------------------------------------

    async def all_hunt_groups(self) -> list[dict[str, Any]]:
        return await self._api_list("/callgroups", "the hunt group list", "callGroups", "callGroup", "CallGroup")

    async def hunt_group(self, native_id: str) -> dict[str, Any]:
        key = native_int(native_id)
        found = next((h for h in await self.all_hunt_groups() if h["id"] == key), None) if key is not None else None
        if found is None:
            raise NotFound(f"queue '{native_id}' does not exist on backend '{self.backend}'", backend=self.backend)
        return found

    async def hunt_group_by_extension(self, extension: str) -> dict[str, Any] | None:
        """One read by extension (the way the API addresses hunt groups); None when there is none."""
        if numeric_id(extension) is None:
            return None
        found = await self.client.api_object_optional(f"/callgroups/{extension}", f"hunt group {extension}")
        if found is None or text(found.get("extension")) != extension:
            return None
        return self._identified([found], f"hunt group {extension}")[0]

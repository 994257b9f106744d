"""The Config API v2 SIP routes, as the vendor document describes them.

Everything lives under ``/config/v2/sip/domains`` (HTTP Basic) and the same
paths under ``/config/v2.1`` (API key). Conventions the routes keep:

- lists answer rows (see :mod:`.listing`); reads answer one row;
- creates take form parameters and answer **201**, with a body only where
  the document shows one (devices, user devices);
- updates are a **POST to the item** answering **204**; deletes answer 204;
  the queue member order is a **PUT** answering 204;
- unknown domains, users, groups, queues, members, devices and networks
  answer 404; a duplicate user name, extension, MAC or queue member 409;
- where the document marks no parameter OPTIONAL (group create *and* update,
  queue member create, device update, domain update) every one is required.

Trusted networks are spelt three ways in the document (``trustednetworks``,
``trustedNetworks``, ``trustedNetwork``); all three reach the same routes.

Where the document is silent the emulator guesses, and the connector relies
on the same guesses (each is said again where it lives):

- row fields: documented (with example bodies, which
  ``tests/infinity/test_infinity_documented_shapes.py`` holds the emulator
  to) for PBX devices and PBX user devices only. User, group, queue, queue
  member, domain and trusted-network rows are guessed to be the create
  parameters under the same names (secrets left out), the id named as in the
  paths (``userId``, ``groupId``, ``queueId``, ``queueMemberId``, ...),
  ``domainId`` and the two datetimes of device rows; a group's users and a
  user's groups are those rows with the link's other id added (see
  :mod:`.state`);
- the ``filter[]`` and ``sort[]`` syntax and the operators beyond ``eq``, and
  the ``display[]`` / ``format`` parameters (see :mod:`.listing`);
- error bodies (see :mod:`.errors`);
- the ``user`` of a device row: the document types it "(integer)" but its
  examples show the SIP user name, which the emulator follows.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Awaitable, Callable

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from pbxgraph.emulators.infinity.errors import VendorError, bad_request, conflict, error_response, not_found
from pbxgraph.emulators.infinity.forms import Form
from pbxgraph.emulators.infinity.listing import parse_params, row_response, rows_response, select
from pbxgraph.emulators.infinity.state import (
    DEVICE_FIELDS,
    DOMAIN_FIELDS,
    GROUP_FIELDS,
    QUEUE_FIELDS,
    QUEUE_MEMBER_FIELDS,
    TRUSTED_NETWORK_FIELDS,
    USER_DEVICE_FIELDS,
    USER_FIELDS,
    Account,
    InfinityState,
    Row,
    now_text,
    row_of,
)

Handler = Callable[[Request], Awaitable[Response]]

_USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}")
_EXTENSION = re.compile(r"[0-9]{1,20}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_MAC = re.compile(r"[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}")
_RING_STRATEGIES = ("all", "huntLongestIdle")

_USER_TEXT = (
    "displayName",
    "email",
    "firstName",
    "lastName",
    "jobName",
    "departmentName",
    "companyName",
    "officeName",
    "ukCallerId",
    "usCallerId",
    "mobileNumber",
)
_USER_INTS = ("mobileFollow", "ukPhoneId", "usPhoneId", "dashboard")
_USER_SECRETS = ("password", "pin")
#: The update takes every create parameter but the user name and the phone ids.
_USER_UPDATE = (*_USER_TEXT, *_USER_SECRETS, "mobileFollow", "dashboard", "extensionNumber", "hotdeskAllowed")
_USER_CREATE = (*_USER_UPDATE, "user", "ukPhoneId", "usPhoneId")
_GROUP_PARAMS = ("groupName", "displayName", "extensionNumber", "ringRetry", "ringExclusive", "callerNameFormat")
_QUEUE_PARAMS = ("queueName", "displayName", "extensionNumber", "callerNameFormat")
_MEMBER_PARAMS = ("groupId", "ringStrategy", "ringAttempts", "ringSecs", "ringOrder")
_NETWORK_SPELLINGS = ("trustednetworks", "trustedNetworks", "trustedNetwork")


def _list_items(request: Request) -> list[tuple[str, str]]:
    return list(request.query_params.multi_items())


def _no_content() -> Response:
    return Response(status_code=204)


def _created(body: dict[str, str] | None = None) -> Response:
    if body is None:
        return Response(status_code=201)
    return JSONResponse(body, status_code=201)


class InfinityApi:
    """The route handlers over one :class:`InfinityState`."""

    def __init__(self, state: InfinityState) -> None:
        self.state = state

    # --- shared checks ----------------------------------------------------------------

    @staticmethod
    def _account(request: Request) -> Account:
        account: Account = request.scope["state"]["account"]
        return account

    def _domain(self, request: Request) -> int:
        domain_id: int = request.path_params["domain"]
        if not self._account(request).may_use(domain_id):
            raise VendorError(403, "access denied")
        if self.state.domains.get(domain_id) is None:
            raise not_found(f"SIP domain {domain_id} not found")
        return domain_id

    def _user(self, domain_id: int, user_id: int) -> Row:
        row = self.state.users.get(user_id, domain_id)
        if row is None:
            raise not_found(f"SIP user {user_id} not found in domain {domain_id}")
        return row

    def _group(self, domain_id: int, group_id: int) -> Row:
        row = self.state.groups.get(group_id, domain_id)
        if row is None:
            raise not_found(f"SIP group {group_id} not found in domain {domain_id}")
        return row

    def _queue(self, domain_id: int, queue_id: int) -> Row:
        row = self.state.queues.get(queue_id, domain_id)
        if row is None:
            raise not_found(f"SIP queue {queue_id} not found in domain {domain_id}")
        return row

    def _device(self, domain_id: int, device_id: int) -> Row:
        row = self.state.devices.get(device_id, domain_id)
        if row is None:
            raise not_found(f"PBX device {device_id} not found in domain {domain_id}")
        return row

    def _member(self, queue_id: int, member_id: int) -> Row:
        row = self.state.queue_members.get(member_id)
        if row is None or row["queueId"] != str(queue_id):
            raise not_found(f"SIP queue member {member_id} not found in queue {queue_id}")
        return row

    def _network(self, domain_id: int, network_id: int) -> Row:
        row = self.state.trusted_networks.get(network_id, domain_id)
        if row is None:
            raise not_found(f"SIP trusted network {network_id} not found in domain {domain_id}")
        return row

    def _extension_free(self, domain_id: int, extension: str, current: Row | None = None) -> None:
        owner = self.state.extension_owner(domain_id, extension)
        if owner is None:
            return
        if current is not None and current.get("extensionNumber") == extension:
            return
        raise conflict(f"extension {extension} is already used by {owner}")

    @staticmethod
    def _check_extension(value: str) -> str:
        if not _EXTENSION.fullmatch(value):
            raise bad_request(f"parameter 'extensionNumber' must be digits, got '{value}'")
        return value

    def _list(self, request: Request, rows: list[Row], fields: tuple[str, ...]) -> Response:
        quirks = self.state.quirks
        params = parse_params(_list_items(request), fields, refused_operators=quirks.refused_operators)
        chosen = select(rows, params)
        if quirks.repeated_rows:
            chosen = [row for row in chosen for _ in range(2)]
        return rows_response(chosen, params)

    @staticmethod
    def _read(request: Request, row: Row, fields: tuple[str, ...]) -> Response:
        params = parse_params(_list_items(request), fields, single=True)
        return row_response(row, params)

    # --- domains ---------------------------------------------------------------------

    async def list_domains(self, request: Request) -> Response:
        account = self._account(request)
        rows = [r for r in self.state.domains if account.may_use(int(r["domainId"] or 0))]
        return self._list(request, rows, DOMAIN_FIELDS)

    async def domain(self, request: Request) -> Response:
        domain_id = self._domain(request)
        row = self.state.domains.get(domain_id)
        assert row is not None
        if request.method == "GET":
            return self._read(request, row, DOMAIN_FIELDS)
        form = (await Form.read(request)).only(("displayName", "rec"))
        display = form.text("displayName", required=True)
        rec = form.flag("rec", required=True)
        row.update(displayName=display, rec=rec, updateDatetime=now_text())
        return _no_content()

    # --- users -----------------------------------------------------------------------

    def _user_values(self, form: Form) -> dict[str, str | None]:
        values: dict[str, str | None] = {}
        for name in _USER_TEXT:
            if form.has(name):
                values[name] = form.text(name, allow_empty=name != "displayName") or None
        for name in _USER_INTS:
            if form.has(name):
                values[name] = form.integer(name)
        if form.has("hotdeskAllowed"):
            values["hotdeskAllowed"] = form.flag("hotdeskAllowed")
        email = values.get("email")
        if email and not _EMAIL.fullmatch(email):
            raise bad_request(f"parameter 'email' is not an e-mail address: '{email}'")
        return values

    async def users(self, request: Request) -> Response:
        domain_id = self._domain(request)
        if request.method == "GET":
            return self._list(request, self.state.users.in_domain(domain_id), USER_FIELDS)
        form = (await Form.read(request)).only(_USER_CREATE)
        username = form.text("user", required=True) or ""
        if not _USERNAME.fullmatch(username):
            raise bad_request(f"parameter 'user' is not a valid user name: '{username}'")
        password = form.text("password", required=True) or ""
        form.text("displayName", required=True)
        extension = self._check_extension(form.text("extensionNumber", required=True) or "")
        values = self._user_values(form)
        if any(r["user"] == username for r in self.state.users.in_domain(domain_id)):
            raise conflict(f"user '{username}' already exists in domain {domain_id}")
        self._extension_free(domain_id, extension)
        stamp = now_text()
        row = self.state.users.insert(
            row_of(
                USER_FIELDS,
                {
                    "domainId": domain_id,
                    "user": username,
                    "extensionNumber": extension,
                    "mobileFollow": 0,
                    "hotdeskAllowed": 0,
                    "dashboard": 0,
                    **values,
                    "createDatetime": stamp,
                    "updateDatetime": stamp,
                },
            )
        )
        secrets = {"password": password}
        pin = form.text("pin")
        if pin:
            secrets["pin"] = pin
        self.state.user_secrets[int(row["userId"] or 0)] = secrets
        return _created()

    async def user(self, request: Request) -> Response:
        domain_id = self._domain(request)
        user_id: int = request.path_params["user"]
        row = self._user(domain_id, user_id)
        if request.method == "GET":
            return self._read(request, row, USER_FIELDS)
        if request.method == "DELETE":
            self.state.delete_user(user_id)
            return _no_content()
        form = (await Form.read(request)).only(_USER_UPDATE)
        values = self._user_values(form)
        if form.has("extensionNumber"):
            extension = self._check_extension(form.text("extensionNumber", required=True) or "")
            self._extension_free(domain_id, extension, row)
            values["extensionNumber"] = extension
        secrets = self.state.user_secrets.setdefault(user_id, {})
        if form.has("password"):
            secrets["password"] = form.text("password", required=True) or ""
        if form.has("pin"):
            pin = form.text("pin")
            if pin:
                secrets["pin"] = pin
            else:
                secrets.pop("pin", None)
        row.update(values, updateDatetime=now_text())
        return _no_content()

    # --- a user's devices and groups -------------------------------------------------------

    def _user_device_row(self, user: Row, device: Row) -> Row:
        return {
            "userId": user["userId"],
            "pbxDeviceId": device["pbxDeviceId"],
            "user": user["user"],
            "updateDatetime": device["updateDatetime"],
            "pbxDeviceName": device["pbxDeviceName"],
        }

    async def user_devices(self, request: Request) -> Response:
        domain_id = self._domain(request)
        user = self._user(domain_id, request.path_params["user"])
        if request.method == "GET":
            rows = [
                self._user_device_row(user, d)
                for d in self.state.devices.in_domain(domain_id)
                if d.get("userId") == user["userId"]
            ]
            return self._list(request, rows, USER_DEVICE_FIELDS)
        form = (await Form.read(request)).only(("pbxDeviceId",))
        device_id = int(form.integer("pbxDeviceId", required=True, minimum=1) or 0)
        device = self._device(domain_id, device_id)
        if device.get("userId"):
            raise conflict(f"PBX device {device_id} is already associated with user {device['userId']}")
        device.update(userId=user["userId"], updateDatetime=now_text())
        token = self.state.issue_device_token(device_id)
        return _created({"pbxDeviceId": str(device_id), "userId": user["userId"] or "", "pbxDeviceToken": token})

    async def user_device(self, request: Request) -> Response:
        domain_id = self._domain(request)
        user = self._user(domain_id, request.path_params["user"])
        device_id: int = request.path_params["device"]
        device = self.state.devices.get(device_id, domain_id)
        if device is None or device.get("userId") != user["userId"]:
            raise not_found(f"PBX device {device_id} is not associated with user {user['userId']}")
        if request.method == "GET":
            return self._read(request, self._user_device_row(user, device), USER_DEVICE_FIELDS)
        device.update(userId=None, updateDatetime=now_text())
        self.state.device_tokens.pop(device_id, None)
        return _no_content()

    async def user_groups(self, request: Request) -> Response:
        domain_id = self._domain(request)
        user = self._user(domain_id, request.path_params["user"])
        user_id = int(user["userId"] or 0)
        if request.method == "GET":
            rows: list[Row] = []
            for link in self.state.groups_of_user(user_id):
                group = self.state.groups.get(link.group_id)
                if group is not None:
                    rows.append({"userId": user["userId"], **group})
            return self._list(request, rows, ("userId", *GROUP_FIELDS))
        form = (await Form.read(request)).only(("groupSpec",))
        group_ids = form.ids("groupSpec")
        for group_id in group_ids:
            self._group(domain_id, group_id)
        for group_id in group_ids:
            self.state.add_membership(group_id, user_id)
        return _no_content()

    # --- groups ------------------------------------------------------------------------

    def _group_values(self, form: Form) -> dict[str, str | None]:
        return {
            "groupName": form.text("groupName", required=True),
            "displayName": form.text("displayName", required=True),
            "extensionNumber": self._check_extension(form.text("extensionNumber", required=True) or ""),
            "ringRetry": form.flag("ringRetry", required=True),
            "ringExclusive": form.flag("ringExclusive", required=True),
            "callerNameFormat": form.text("callerNameFormat", required=False) or None,
        }

    async def groups(self, request: Request) -> Response:
        domain_id = self._domain(request)
        if request.method == "GET":
            return self._list(request, self.state.groups.in_domain(domain_id), GROUP_FIELDS)
        form = (await Form.read(request)).only(_GROUP_PARAMS)
        if not form.has("callerNameFormat"):
            raise bad_request("missing parameter 'callerNameFormat'")
        values = self._group_values(form)
        self._extension_free(domain_id, values["extensionNumber"] or "")
        stamp = now_text()
        self.state.groups.insert(
            row_of(
                GROUP_FIELDS,
                {
                    "domainId": domain_id,
                    **values,
                    "createDatetime": stamp,
                    "updateDatetime": stamp,
                },
            )
        )
        return _created()

    async def group(self, request: Request) -> Response:
        domain_id = self._domain(request)
        group_id: int = request.path_params["group"]
        row = self._group(domain_id, group_id)
        if request.method == "GET":
            return self._read(request, row, GROUP_FIELDS)
        if request.method == "DELETE":
            self.state.delete_group(group_id)
            return _no_content()
        form = (await Form.read(request)).only(_GROUP_PARAMS)
        if not form.has("callerNameFormat"):
            raise bad_request("missing parameter 'callerNameFormat'")
        values = self._group_values(form)
        self._extension_free(domain_id, values["extensionNumber"] or "", row)
        row.update(values, updateDatetime=now_text())
        return _no_content()

    async def group_users(self, request: Request) -> Response:
        domain_id = self._domain(request)
        group = self._group(domain_id, request.path_params["group"])
        group_id = int(group["groupId"] or 0)
        if request.method == "GET":
            rows: list[Row] = []
            for link in self.state.members_of_group(group_id):
                user = self.state.users.get(link.user_id)
                if user is not None:
                    rows.append({"groupId": group["groupId"], **user})
            return self._list(request, rows, ("groupId", *USER_FIELDS))
        form = (await Form.read(request, include_query=request.method == "DELETE")).only(("userSpec",))
        user_ids = form.ids("userSpec")
        for user_id in user_ids:
            self._user(domain_id, user_id)
        for user_id in user_ids:
            if request.method == "POST":
                self.state.add_membership(group_id, user_id)
            else:
                self.state.remove_membership(group_id, user_id)
        return _no_content()

    # --- queues ------------------------------------------------------------------------

    async def queues(self, request: Request) -> Response:
        domain_id = self._domain(request)
        if request.method == "GET":
            return self._list(request, self.state.queues.in_domain(domain_id), QUEUE_FIELDS)
        form = (await Form.read(request)).only(_QUEUE_PARAMS)
        name = form.text("queueName", required=True)
        display = form.text("displayName", required=True)
        extension = self._check_extension(form.text("extensionNumber", required=True) or "")
        self._extension_free(domain_id, extension)
        stamp = now_text()
        self.state.queues.insert(
            row_of(
                QUEUE_FIELDS,
                {
                    "domainId": domain_id,
                    "queueName": name,
                    "displayName": display,
                    "extensionNumber": extension,
                    "callerNameFormat": form.text("callerNameFormat") or None,
                    "createDatetime": stamp,
                    "updateDatetime": stamp,
                },
            )
        )
        return _created()

    async def queue(self, request: Request) -> Response:
        domain_id = self._domain(request)
        queue_id: int = request.path_params["queue"]
        row = self._queue(domain_id, queue_id)
        if request.method == "GET":
            return self._read(request, row, QUEUE_FIELDS)
        if request.method == "DELETE":
            self.state.delete_queue(queue_id)
            return _no_content()
        form = (await Form.read(request)).only(_QUEUE_PARAMS)
        values: dict[str, str | None] = {}
        for name in ("queueName", "displayName"):
            if form.has(name):
                values[name] = form.text(name, required=True)
        if form.has("extensionNumber"):
            extension = self._check_extension(form.text("extensionNumber", required=True) or "")
            self._extension_free(domain_id, extension, row)
            values["extensionNumber"] = extension
        if form.has("callerNameFormat"):
            values["callerNameFormat"] = form.text("callerNameFormat") or None
        row.update(values, updateDatetime=now_text())
        return _no_content()

    def _member_values(
        self, domain_id: int, queue_id: int, form: Form, *, required: bool, current: Row | None = None
    ) -> dict[str, str | None]:
        values: dict[str, str | None] = {}
        if required or form.has("groupId"):
            group_id = int(form.integer("groupId", required=True, minimum=1) or 0)
            self._group(domain_id, group_id)
            taken = [
                m for m in self.state.members_of_queue(queue_id) if m["groupId"] == str(group_id) and m is not current
            ]
            if taken:
                raise conflict(f"SIP group {group_id} is already a member of queue {queue_id}")
            values["groupId"] = str(group_id)
        if required or form.has("ringStrategy"):
            strategy = form.text("ringStrategy", required=True)
            if strategy not in _RING_STRATEGIES:
                raise bad_request(f"parameter 'ringStrategy' must be 'all' or 'huntLongestIdle', got '{strategy}'")
            values["ringStrategy"] = strategy
        for name, minimum in (("ringAttempts", 1), ("ringSecs", 1), ("ringOrder", 0)):
            if required or form.has(name):
                values[name] = form.integer(name, required=True, minimum=minimum)
        return values

    async def queue_members(self, request: Request) -> Response:
        domain_id = self._domain(request)
        queue_id = int(self._queue(domain_id, request.path_params["queue"])["queueId"] or 0)
        if request.method == "GET":
            return self._list(request, self.state.members_of_queue(queue_id), QUEUE_MEMBER_FIELDS)
        form = (await Form.read(request)).only(_MEMBER_PARAMS)
        values = self._member_values(domain_id, queue_id, form, required=True)
        stamp = now_text()
        self.state.queue_members.insert(
            row_of(
                QUEUE_MEMBER_FIELDS,
                {
                    "queueId": queue_id,
                    **values,
                    "createDatetime": stamp,
                    "updateDatetime": stamp,
                },
            )
        )
        return _created()

    async def queue_member(self, request: Request) -> Response:
        domain_id = self._domain(request)
        queue_id = int(self._queue(domain_id, request.path_params["queue"])["queueId"] or 0)
        member_id: int = request.path_params["member"]
        row = self._member(queue_id, member_id)
        if request.method == "GET":
            return self._read(request, row, QUEUE_MEMBER_FIELDS)
        if request.method == "DELETE":
            self.state.queue_members.delete(member_id)
            return _no_content()
        form = (await Form.read(request)).only(_MEMBER_PARAMS)
        values = self._member_values(domain_id, queue_id, form, required=False, current=row)
        row.update(values, updateDatetime=now_text())
        return _no_content()

    async def queue_member_order(self, request: Request) -> Response:
        domain_id = self._domain(request)
        queue_id = int(self._queue(domain_id, request.path_params["queue"])["queueId"] or 0)
        form = (await Form.read(request)).only(("queueMemberId",))
        ordered = form.ids("queueMemberId")
        if len(set(ordered)) != len(ordered):
            raise bad_request("parameter 'queueMemberId[]' names a member twice")
        members = self.state.members_of_queue(queue_id)
        by_id = {int(m["queueMemberId"] or 0): m for m in members}
        for member_id in ordered:
            if member_id not in by_id:
                raise not_found(f"SIP queue member {member_id} not found in queue {queue_id}")
        rest = [m for m in members if int(m["queueMemberId"] or 0) not in ordered]
        stamp = now_text()
        for index, member in enumerate([by_id[i] for i in ordered] + rest):
            member.update(ringOrder=str(index), updateDatetime=stamp)
        return _no_content()

    # --- trusted networks ------------------------------------------------------------------

    @staticmethod
    def _cidr(value: str) -> str:
        try:
            ipaddress.ip_network(value, strict=False)
        except ValueError:
            raise bad_request(f"parameter 'network' is not a CIDR network: '{value}'") from None
        return value

    async def trusted_networks(self, request: Request) -> Response:
        domain_id = self._domain(request)
        if request.method == "GET":
            return self._list(request, self.state.trusted_networks.in_domain(domain_id), TRUSTED_NETWORK_FIELDS)
        form = (await Form.read(request)).only(("network", "description"))
        network = self._cidr(form.text("network", required=True) or "")
        stamp = now_text()
        self.state.trusted_networks.insert(
            row_of(
                TRUSTED_NETWORK_FIELDS,
                {
                    "domainId": domain_id,
                    "network": network,
                    "description": form.text("description") or None,
                    "createDatetime": stamp,
                    "updateDatetime": stamp,
                },
            )
        )
        return _created()

    async def trusted_network(self, request: Request) -> Response:
        domain_id = self._domain(request)
        network_id: int = request.path_params["network"]
        row = self._network(domain_id, network_id)
        if request.method == "GET":
            return self._read(request, row, TRUSTED_NETWORK_FIELDS)
        if request.method == "DELETE":
            self.state.trusted_networks.delete(network_id)
            return _no_content()
        form = (await Form.read(request)).only(("network", "description"))
        values: dict[str, str | None] = {}
        if form.has("network"):
            values["network"] = self._cidr(form.text("network", required=True) or "")
        if form.has("description"):
            values["description"] = form.text("description") or None
        row.update(values, updateDatetime=now_text())
        return _no_content()

    # --- devices ---------------------------------------------------------------------------

    async def devices(self, request: Request) -> Response:
        domain_id = self._domain(request)
        if request.method == "GET":
            rows = [self.state.device_row(d) for d in self.state.devices.in_domain(domain_id)]
            return self._list(request, rows, DEVICE_FIELDS)
        form = (await Form.read(request)).only(("pbxDeviceName", "deviceMacAddress"))
        name = form.text("pbxDeviceName", required=True)
        mac = form.text("deviceMacAddress", required=True) or ""
        if not _MAC.fullmatch(mac):
            raise bad_request(f"parameter 'deviceMacAddress' must look like 10:20:30:1A:2B:3C, got '{mac}'")
        mac = mac.upper()
        if any(d.get("deviceMacAddress") == mac for d in self.state.devices):
            raise conflict(f"a PBX device with MAC address {mac} already exists")
        stamp = now_text()
        row = self.state.devices.insert(
            {
                "pbxDeviceName": name,
                "domainId": str(domain_id),
                "deviceMacAddress": mac,
                "createDatetime": stamp,
                "updateDatetime": stamp,
                "userId": None,
            }
        )
        return _created({"pbxDeviceId": row["pbxDeviceId"] or ""})

    async def device(self, request: Request) -> Response:
        domain_id = self._domain(request)
        device_id: int = request.path_params["device"]
        row = self._device(domain_id, device_id)
        if request.method == "GET":
            return self._read(request, self.state.device_row(row), DEVICE_FIELDS)
        if request.method == "DELETE":
            self.state.delete_device(device_id)
            return _no_content()
        form = (await Form.read(request)).only(("pbxDeviceName",))
        row.update(pbxDeviceName=form.text("pbxDeviceName", required=True), updateDatetime=now_text())
        return _no_content()


def _guard(handler: Handler) -> Handler:
    async def guarded(request: Request) -> Response:
        try:
            return await handler(request)
        except VendorError as exc:
            return error_response(exc.status, exc.message)

    return guarded


def _routes(api: InfinityApi) -> list[BaseRoute]:
    d = "/sip/domains/{domain:int}"
    table: list[tuple[str, Handler, list[str]]] = [
        ("/sip/domains", api.list_domains, ["GET"]),
        (d, api.domain, ["GET", "POST"]),
        (f"{d}/users", api.users, ["GET", "POST"]),
        (f"{d}/users/{{user:int}}", api.user, ["GET", "POST", "DELETE"]),
        (f"{d}/users/{{user:int}}/devices", api.user_devices, ["GET", "POST"]),
        (f"{d}/users/{{user:int}}/devices/{{device:int}}", api.user_device, ["GET", "DELETE"]),
        (f"{d}/users/{{user:int}}/groups", api.user_groups, ["GET", "POST"]),
        (f"{d}/groups", api.groups, ["GET", "POST"]),
        (f"{d}/groups/{{group:int}}", api.group, ["GET", "POST", "DELETE"]),
        (f"{d}/groups/{{group:int}}/users", api.group_users, ["GET", "POST", "DELETE"]),
        (f"{d}/queues", api.queues, ["GET", "POST"]),
        (f"{d}/queues/{{queue:int}}", api.queue, ["GET", "POST", "DELETE"]),
        (f"{d}/queues/{{queue:int}}/members", api.queue_members, ["GET", "POST"]),
        (f"{d}/queues/{{queue:int}}/members/order", api.queue_member_order, ["PUT"]),
        (f"{d}/queues/{{queue:int}}/members/{{member:int}}", api.queue_member, ["GET", "POST", "DELETE"]),
        (f"{d}/devices", api.devices, ["GET", "POST"]),
        (f"{d}/devices/{{device:int}}", api.device, ["GET", "POST", "DELETE"]),
    ]
    for spelling in _NETWORK_SPELLINGS:
        table.append((f"{d}/{spelling}", api.trusted_networks, ["GET", "POST"]))
        table.append((f"{d}/{spelling}/{{network:int}}", api.trusted_network, ["GET", "POST", "DELETE"]))
    return [Route(path, _guard(handler), methods=methods) for path, handler, methods in table]


async def _http_error(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    if status == 404:
        return error_response(404, f"no such route: {request.url.path}")
    if status == 405:
        return error_response(405, f"{request.method} is not allowed on {request.url.path}")
    return error_response(status, "request failed")


def build_app(state: InfinityState) -> Starlette:
    """The Config API app (behind :class:`~.auth.AuthGate`, which the package adds)."""
    routes = _routes(InfinityApi(state))
    return Starlette(
        routes=[Mount("/config/v2.1", routes=routes), Mount("/config/v2", routes=routes)],
        exception_handlers={HTTPException: _http_error},
    )

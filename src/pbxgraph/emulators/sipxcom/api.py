"""``/sipxconfig/api``: phones and their lines and groups, phone groups,
gateways and their settings; the newer API (see :mod:`.wire` for its formats,
:mod:`.huntgroups` and :mod:`.registrations` for the rest of it).

A ``PUT`` to an item replaces its fields (a field left out is reset).
Phones are addressed by internal id or by MAC address (serial number).
Phone lines and gateway settings show SIP passwords in clear text, as the
real server does; settings are written one at a time as plain text.

A phone's lines carry ``userId`` holding the user *name*, as the vendor's own
fixtures answer them (``{"id":1,"uri":"\"Test User\"<sip:testuser@example.org>",
"user":"testuser","userId":"testuser",...}``), although the document's table
calls it the user's identification number; with ``extension`` and
``voicemail`` as the vendor's line bean has them. An empty list of lines or
groups is ``null``, as the vendor's beans write it. Where the document is
silent on which field names a new line's user, the emulator (and the
connector, which sends ``user``) rely on this guess: ``user`` is the user
name or alias; without it ``userId`` is tried as a name or alias, then as an
id.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from pbxgraph.emulators.sipxcom.codec import BodyError, flag, integer, items, text
from pbxgraph.emulators.sipxcom.errors import api_not_found, api_text
from pbxgraph.emulators.sipxcom.state import (
    GATEWAY_MODELS,
    PHONE_MODELS,
    VOICEMAIL_EXTENSION,
    Duplicate,
    Gateway,
    Invalid,
    Line,
    Missing,
    Phone,
    PhoneGroup,
    Setting,
    SipUser,
    SipxState,
)
from pbxgraph.emulators.sipxcom.wire import (
    bean,
    created,
    failure,
    model_id,
    ok,
    render_list,
    render_one,
    state_of,
)

# --- phones -------------------------------------------------------------------------


def line_payload(state: SipxState, line: Line) -> dict[str, Any]:
    user = state.users.get(line.user_id)
    name = user.user_name if user else None
    display = user.display_name if user else None
    uri = f"sip:{name}@{state.domain}" if name else None
    return {
        "id": line.id,
        "uri": f'"{display}"<{uri}>' if display and uri else uri,
        "user": name,
        "userId": name,
        "extension": user.extension if user else None,
        "displayName": display,
        "password": user.sip_password if user else None,
        "registrationServer": state.domain,
        "registrationServerPort": None,
        "voicemail": VOICEMAIL_EXTENSION,
    }


def model_payload(model: str) -> dict[str, Any]:
    label, vendor = PHONE_MODELS.get(model, (model, None))
    return {"modelId": model, "label": label, "vendor": vendor, "versions": None}


def phone_group_payload(state: SipxState, group: PhoneGroup, *, count: bool) -> dict[str, Any]:
    """A phone group; ``count`` (its phones) only where groups are listed, else null."""
    phones = sum(1 for p in state.phones.values() if group.id in p.group_ids) if count else None
    return {
        "id": group.id,
        "name": group.name,
        "description": group.description,
        "weight": group.weight,
        "count": phones,
    }


def phone_payload(state: SipxState, phone: Phone) -> dict[str, Any]:
    groups = [
        phone_group_payload(state, state.phone_groups[g], count=False)
        for g in phone.group_ids
        if g in state.phone_groups
    ]
    return {
        "id": phone.id,
        "serialNo": phone.serial_no,
        "deviceVersion": phone.device_version,
        "description": phone.description,
        "model": model_payload(phone.model_id),
        "lines": [line_payload(state, line) for line in phone.lines] or None,
        "groups": groups or None,
    }


def _phone_from_bean(value: dict[str, Any], phone_id: int, existing: Phone | None) -> Phone:
    return Phone(
        id=phone_id,
        serial_no=text(value.get("serialNo")) or "",
        model_id=model_id(value.get("model")),
        description=text(value.get("description")),
        device_version=text(value.get("deviceVersion")),
        lines=list(existing.lines) if existing else [],
        group_ids=list(existing.group_ids) if existing else [],
        settings=existing.settings if existing else {},
        profiles_sent=existing.profiles_sent if existing else 0,
        restarts=existing.restarts if existing else 0,
    )


def _line_user(state: SipxState, value: dict[str, Any]) -> SipUser:
    """A new line's user: ``user`` by name or alias; else ``userId`` by name or alias, then by id."""
    name = text(value.get("user"))
    key = text(value.get("userId"))
    if name is not None:
        found = state.user_by_name_or_alias(name)
    elif key is not None:
        found = state.user_by_name_or_alias(key) or (
            state.users.get(int(key)) if key.isascii() and key.isdigit() else None
        )
    else:
        raise Invalid("user", "a line needs a user name")
    if found is None:
        raise Invalid("user", f"no user with name or alias '{name or key}'")
    return found


async def phones(request: Request) -> Response:
    state = state_of(request)
    if request.method == "POST":
        try:
            value = await bean(request)
            phone = _phone_from_bean(value, state.next_id("phone"), None)
            owners = [
                _line_user(state, entry)
                for entry in items(value.get("lines"), "line", "Line")
                if isinstance(entry, dict)
            ]
            state.save_phone(phone)
            for owner in owners:
                state.add_line(phone, owner)
        except (Invalid, BodyError, Duplicate, Missing) as exc:
            return failure(exc)
        return created(phone.id)
    ordered = sorted(state.phones.values(), key=lambda p: p.id)
    return render_list(request, "phones", "Phones", "Phone", [phone_payload(state, p) for p in ordered])


async def phone_models(request: Request) -> Response:
    return render_list(request, "models", "Models", "Model", [model_payload(m) for m in PHONE_MODELS])


async def phone(request: Request) -> Response:
    state = state_of(request)
    found = state.phone(request.path_params["phone_id"])
    if found is None:
        return api_not_found()
    if request.method == "GET":
        return render_one(request, "Phone", phone_payload(state, found))
    if request.method == "DELETE":
        state.delete_phone(found)
        return ok()
    try:
        state.save_phone(_phone_from_bean(await bean(request), found.id, found))
    except (Invalid, BodyError, Duplicate, Missing) as exc:
        return failure(exc)
    return ok()


async def send_profile(request: Request) -> Response:
    found = state_of(request).phone(request.path_params["phone_id"])
    if found is None:
        return api_not_found()
    found.profiles_sent += 1
    if request.url.path.endswith("/restart"):
        found.restarts += 1
    return ok()


async def phone_profile(request: Request) -> Response:
    state = state_of(request)
    found = state.phone(request.path_params["phone_id"])
    if found is None or request.path_params["name"] != f"{found.serial_no}.cfg":
        return api_not_found()
    lines = []
    for index, line in enumerate(found.lines, start=1):
        user = state.users.get(line.user_id)
        if user is not None:
            lines.append(
                f'reg.{index}.address="{user.user_name}@{state.domain}" reg.{index}.auth.password="{user.sip_password}"'
            )
    body = "\n".join([f"# profile of {found.serial_no}", *lines]) + "\n"
    return Response(body.encode(), media_type="text/plain")


async def phone_groups_of(request: Request) -> Response:
    state = state_of(request)
    found = state.phone(request.path_params["phone_id"])
    if found is None:
        return api_not_found()
    if request.method == "DELETE":
        found.group_ids = []
        return ok()
    return render_list(
        request,
        "groups",
        "Groups",
        "Group",
        [
            phone_group_payload(state, state.phone_groups[g], count=False)
            for g in found.group_ids
            if g in state.phone_groups
        ],
    )


async def phone_in_group(request: Request) -> Response:
    state = state_of(request)
    found = state.phone(request.path_params["phone_id"])
    group = state.phone_group_by_name(request.path_params["group_name"])
    if found is None or group is None:
        return api_not_found()
    if request.method == "POST":
        if group.id not in found.group_ids:
            found.group_ids.append(group.id)
        return ok()
    if group.id not in found.group_ids:
        return api_not_found()
    found.group_ids.remove(group.id)
    return ok()


async def phone_lines(request: Request) -> Response:
    state = state_of(request)
    found = state.phone(request.path_params["phone_id"])
    if found is None:
        return api_not_found()
    if request.method == "DELETE":
        found.lines = []
        return ok()
    if request.method == "POST":
        try:
            line = state.add_line(found, _line_user(state, await bean(request)))
        except (Invalid, BodyError) as exc:
            return failure(exc)
        return created(line.id)
    return render_list(request, "lines", "Lines", "Line", [line_payload(state, line) for line in found.lines])


# --- settings (phones and gateways) ----------------------------------------------------------


def setting_payload(setting: Setting, default: str | None) -> dict[str, Any]:
    """A setting; one never written shows its default as its value, as the server does."""
    value = setting.value if setting.value is not None else default
    return {
        "path": setting.path,
        "type": setting.type,
        "options": setting.options,
        "value": value,
        "defaultValue": default,
        "label": setting.label,
        "description": setting.description,
    }


def _set_value(setting: Setting, value: str) -> None:
    if setting.type == "boolean" and value not in ("true", "false", "0", "1"):
        raise Invalid(setting.path, f"'{value}' is not a boolean")
    if setting.type == "integer" and value != "" and not (value.lstrip("-").isascii() and value.lstrip("-").isdigit()):
        raise Invalid(setting.path, f"'{value}' is not an integer")
    if setting.type == "enum" and setting.options is not None and value not in setting.options:
        raise Invalid(setting.path, f"'{value}' is not one of {', '.join(setting.options)}")
    setting.value = value if value != "" else None


async def _settings(
    request: Request, settings: dict[str, Setting] | None, default_of: Any = lambda s: s.default
) -> Response:
    if settings is None:
        return api_not_found()
    path = request.path_params.get("path")
    if path is None:
        return render_list(
            request, "settings", "Settings", "Setting", [setting_payload(s, default_of(s)) for s in settings.values()]
        )
    setting = settings.get(path)
    if setting is None:
        return api_not_found()
    if request.method == "GET":
        return render_one(request, "Setting", setting_payload(setting, default_of(setting)))
    if request.method == "DELETE":
        setting.value = None  # back to the default
        return ok()
    try:
        _set_value(setting, (await request.body()).decode("utf-8"))
    except (Invalid, UnicodeDecodeError) as exc:
        return api_text(400, str(exc))
    return ok()


async def phone_settings(request: Request) -> Response:
    found = state_of(request).phone(request.path_params["phone_id"])
    return await _settings(request, found.settings if found else None)


async def gateway_settings(request: Request) -> Response:
    state = state_of(request)
    gateway_id = integer(request.path_params["gateway_id"])
    found = state.gateways.get(gateway_id) if gateway_id is not None else None
    if found is None:
        return api_not_found()
    return await _settings(request, found.settings, lambda s: state.setting_default(found, s))


# --- phone groups ------------------------------------------------------------------------------


async def phone_groups(request: Request) -> Response:
    state = state_of(request)
    return render_list(
        request,
        "groups",
        "Groups",
        "Group",
        [phone_group_payload(state, g, count=True) for g in state.ordered_phone_groups()],
    )


def _phone_group(request: Request) -> PhoneGroup | None:
    group_id = integer(request.path_params["group_id"])
    return state_of(request).phone_groups.get(group_id) if group_id is not None else None


async def phone_group(request: Request) -> Response:
    state = state_of(request)
    group = _phone_group(request)
    if group is None:
        return api_not_found()
    if request.method == "GET":
        return render_one(request, "Group", phone_group_payload(state, group, count=True))
    if request.method == "DELETE":
        del state.phone_groups[group.id]
        for item in state.phones.values():
            if group.id in item.group_ids:
                item.group_ids.remove(group.id)
        return ok()
    try:
        value = await bean(request)
    except BodyError as exc:
        return failure(exc)
    name = text(value.get("name"))
    if not name:
        return api_text(400, "name: Cannot be empty")
    group.name, group.description = name, text(value.get("description"))
    return ok()


async def phone_group_move(request: Request) -> Response:
    group = _phone_group(request)
    if group is None:
        return api_not_found()
    state_of(request).move_phone_group(group, -1 if request.url.path.endswith("/up") else 1)
    return ok()


async def phone_group_models(request: Request) -> Response:
    state = state_of(request)
    group = _phone_group(request)
    if group is None:
        return api_not_found()
    used = sorted({p.model_id for p in state.phones.values() if group.id in p.group_ids})
    return render_list(request, "models", "Models", "Model", [model_payload(m) for m in used])


# --- gateways -------------------------------------------------------------------------------------


def gateway_payload(state: SipxState, gateway: Gateway) -> dict[str, Any]:
    model = next(m for m in GATEWAY_MODELS if m["modelId"] == gateway.model_id)
    branch = state.branches.get(gateway.branch_id) if gateway.branch_id is not None else None
    return {
        "id": gateway.id,
        "name": gateway.name,
        "serialNo": None,
        "deviceVersion": gateway.device_version,
        "description": gateway.description,
        "model": {**model, "versions": list(model["versions"]) if model["versions"] else None},
        "enabled": gateway.enabled,
        "address": gateway.address,
        "addressPort": gateway.address_port,
        "outboundAddress": gateway.outbound_address,
        "outboundPort": gateway.outbound_port,
        "addressTransport": gateway.address_transport,
        "prefix": gateway.prefix,
        "shared": gateway.shared,
        "useInternalBridge": gateway.use_internal_bridge,
        "branch": {"id": branch.id, "name": branch.name, "description": branch.description} if branch else None,
        "callerAliasInfo": dict(gateway.caller_alias),
    }


def _gateway_from_bean(value: dict[str, Any], gateway_id: int, existing: Gateway | None) -> Gateway:
    branch = value.get("branch")
    caller = value.get("callerAliasInfo")
    port = value.get("addressPort")
    outbound_port = value.get("outboundPort")
    if port is not None and integer(port) is None:
        raise Invalid("addressPort", f"'{port}' is not a port number")
    gateway = Gateway(
        id=gateway_id,
        name=text(value.get("name")) or "",
        model_id=model_id(value.get("model")) or (existing.model_id if existing else ""),
        description=text(value.get("description")),
        device_version=text(value.get("deviceVersion")),
        enabled=flag(value.get("enabled"), default=False),
        address=text(value.get("address")),
        address_port=integer(port) or 0,
        outbound_address=text(value.get("outboundAddress")),
        outbound_port=5060 if (given_port := integer(outbound_port)) is None else given_port,
        address_transport=(text(value.get("addressTransport")) or "none").lower(),
        prefix=text(value.get("prefix")),
        shared=flag(value.get("shared")),
        use_internal_bridge=flag(value.get("useInternalBridge"), default=True),
        branch_id=integer(branch.get("id")) if isinstance(branch, dict) else None,
        settings=existing.settings if existing else {},
    )
    if isinstance(caller, dict):
        gateway.caller_alias.update({k: v for k, v in caller.items() if k in gateway.caller_alias})
    return gateway


async def gateways(request: Request) -> Response:
    state = state_of(request)
    if request.method == "POST":
        try:
            gateway = _gateway_from_bean(await bean(request), state.next_id("gateway"), None)
            state.save_gateway(gateway)
        except (Invalid, BodyError, Duplicate, Missing) as exc:
            return failure(exc)
        return created(gateway.id)
    ordered = sorted(state.gateways.values(), key=lambda g: g.id)
    return render_list(request, "gateways", "Gateways", "Gateway", [gateway_payload(state, g) for g in ordered])


async def gateway_models(request: Request) -> Response:
    return render_list(
        request,
        "models",
        "Models",
        "Model",
        [{**m, "versions": list(m["versions"]) if m["versions"] else None} for m in GATEWAY_MODELS],
    )


async def gateway(request: Request) -> Response:
    state = state_of(request)
    gateway_id = integer(request.path_params["gateway_id"])
    found = state.gateways.get(gateway_id) if gateway_id is not None else None
    if found is None:
        return api_not_found()
    if request.method == "GET":
        return render_one(request, "Gateway", gateway_payload(state, found))
    if request.method == "DELETE":
        del state.gateways[found.id]
        return ok()
    try:
        state.save_gateway(_gateway_from_bean(await bean(request), found.id, found))
    except (Invalid, BodyError, Duplicate, Missing) as exc:
        return failure(exc)
    return ok()


ROUTES = [
    Route("/phones", phones, methods=["GET", "POST"]),
    Route("/phones/models", phone_models, methods=["GET"]),
    Route("/phones/{phone_id}", phone, methods=["GET", "PUT", "DELETE"]),
    Route("/phones/{phone_id}/sendProfile", send_profile, methods=["PUT"]),
    Route("/phones/{phone_id}/sendProfile/restart", send_profile, methods=["PUT"]),
    Route("/phones/{phone_id}/profile/{name}", phone_profile, methods=["GET"]),
    Route("/phones/{phone_id}/groups", phone_groups_of, methods=["GET", "DELETE"]),
    Route("/phones/{phone_id}/groups/{group_name}", phone_in_group, methods=["POST", "DELETE"]),
    Route("/phones/{phone_id}/settings", phone_settings, methods=["GET"]),
    Route("/phones/{phone_id}/settings/{path:path}", phone_settings, methods=["GET", "PUT", "DELETE"]),
    Route("/phones/{phone_id}/lines", phone_lines, methods=["GET", "POST", "DELETE"]),
    Route("/phoneGroups", phone_groups, methods=["GET"]),
    Route("/phoneGroups/{group_id}", phone_group, methods=["GET", "PUT", "DELETE"]),
    Route("/phoneGroups/{group_id}/up", phone_group_move, methods=["PUT"]),
    Route("/phoneGroups/{group_id}/down", phone_group_move, methods=["PUT"]),
    Route("/phoneGroups/{group_id}/models", phone_group_models, methods=["GET"]),
    Route("/gateways", gateways, methods=["GET", "POST"]),
    Route("/gateways/models", gateway_models, methods=["GET"]),
    Route("/gateways/{gateway_id}", gateway, methods=["GET", "PUT", "DELETE"]),
    Route("/gateways/{gateway_id}/settings", gateway_settings, methods=["GET"]),
    Route("/gateways/{gateway_id}/settings/{path:path}", gateway_settings, methods=["GET", "PUT", "DELETE"]),
]

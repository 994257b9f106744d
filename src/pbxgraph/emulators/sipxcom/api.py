"""``/sipxconfig/api``: phones and their lines and groups, phone groups,
gateways and their settings, registrations; the newer API.

JSON by default (nulls written out), XML when ``Accept`` asks for it. A
``POST`` to a collection creates and answers the new id; a ``PUT`` to an
item replaces its fields (a field left out is reset); "not found" is a bare
404 with an empty body; a validation failure is 400 and a server-side
failure (such as a duplicate) is 500, both with a plain-text message.
Phones are addressed by internal id or by MAC address (serial number).
Phone lines and gateway settings show SIP passwords in clear text, as the
real server does; settings are written one at a time as plain text.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from pbxgraph.emulators.sipxcom.codec import (
    BodyError,
    dumps,
    flag,
    integer,
    items,
    parse_json,
    parse_xml,
    text,
    to_xml,
)
from pbxgraph.emulators.sipxcom.errors import XML_TYPE, api_not_found, api_text
from pbxgraph.emulators.sipxcom.state import (
    GATEWAY_MODELS,
    PHONE_MODELS,
    Duplicate,
    Gateway,
    Invalid,
    Line,
    Missing,
    Phone,
    PhoneGroup,
    Registration,
    Setting,
    SipxState,
)

_ITEM_TAGS = {
    "phones": "phone", "lines": "line", "groups": "group", "gateways": "gateway", "settings": "setting",
    "registrations": "registration", "models": "model", "versions": "version",
}


def _state(request: Request) -> SipxState:
    return request.app.state.sipx  # type: ignore[no-any-return]


def _render(request: Request, root: str, value: Any) -> Response:
    accept = request.headers.get("accept", "").lower()
    if "xml" in accept and "json" not in accept:
        return Response(to_xml(root, value, _ITEM_TAGS), media_type=XML_TYPE)
    if isinstance(value, list):
        value = {root: value}
    return Response(dumps(value), media_type="application/json")


def _created(new_id: int) -> Response:
    return Response(str(new_id).encode(), media_type="text/plain")


def _ok() -> Response:
    return Response(b"", status_code=200)


async def _bean(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if "xml" in request.headers.get("content-type", "").lower():
        _, parsed = parse_xml(raw)
    else:
        parsed = parse_json(raw)
    if not isinstance(parsed, dict):
        raise BodyError("expected an object")
    return parsed


def _failure(exc: Exception) -> Response:
    if isinstance(exc, (Invalid, BodyError)):
        return api_text(400, str(exc))
    if isinstance(exc, Duplicate):
        return api_text(500, exc.message)
    if isinstance(exc, Missing):
        return api_not_found()
    raise exc


def _model_id(value: Any) -> str:
    if isinstance(value, dict):
        return text(value.get("modelId")) or ""
    return text(value) or ""


# --- phones -------------------------------------------------------------------------


def line_payload(state: SipxState, line: Line) -> dict[str, Any]:
    user = state.users.get(line.user_id)
    if user is None:
        return {"id": line.id, "uri": None, "user": None, "userId": line.user_id, "displayName": None,
                "password": None, "registrationServer": state.domain, "registrationServerPort": None}
    display = user.display_name
    uri = f"sip:{user.user_name}@{state.domain}"
    return {
        "id": line.id,
        "uri": f'"{display}"<{uri}>' if display else uri,
        "user": user.user_name,
        "userId": user.id,
        "displayName": display,
        "password": user.sip_password,
        "registrationServer": state.domain,
        "registrationServerPort": None,
    }


def _model_payload(model_id: str) -> dict[str, Any]:
    label, vendor = PHONE_MODELS.get(model_id, (model_id, None))
    return {"modelId": model_id, "label": label, "vendor": vendor, "versions": None}


def phone_payload(state: SipxState, phone: Phone) -> dict[str, Any]:
    return {
        "id": phone.id,
        "serialNo": phone.serial_no,
        "deviceVersion": phone.device_version,
        "description": phone.description,
        "model": _model_payload(phone.model_id),
        "lines": [line_payload(state, line) for line in phone.lines],
    }


def _phone_from_bean(bean: dict[str, Any], phone_id: int, existing: Phone | None) -> Phone:
    return Phone(
        id=phone_id,
        serial_no=text(bean.get("serialNo")) or "",
        model_id=_model_id(bean.get("model")),
        description=text(bean.get("description")),
        device_version=text(bean.get("deviceVersion")),
        lines=list(existing.lines) if existing else [],
        group_ids=list(existing.group_ids) if existing else [],
        settings=existing.settings if existing else {},
        profiles_sent=existing.profiles_sent if existing else 0,
        restarts=existing.restarts if existing else 0,
    )


def _line_user_key(bean: dict[str, Any]) -> str:
    key = text(bean.get("userId")) or text(bean.get("user"))
    if not key:
        raise Invalid("user", "a line needs a user name or user id")
    return key


async def phones(request: Request) -> Response:
    state = _state(request)
    if request.method == "POST":
        try:
            bean = await _bean(request)
            phone = _phone_from_bean(bean, state.next_id("phone"), None)
            line_keys = [_line_user_key(entry) for entry in items(bean.get("lines"), "line")
                         if isinstance(entry, dict)]
            for key in line_keys:
                if state.user_by_id_or_name(key) is None:
                    raise Invalid("user", f"no user with id, name or alias '{key}'")
            state.save_phone(phone)
            for key in line_keys:
                state.add_line(phone, key)
        except (Invalid, BodyError, Duplicate, Missing) as exc:
            return _failure(exc)
        return _created(phone.id)
    ordered = sorted(state.phones.values(), key=lambda p: p.id)
    return _render(request, "phones", [phone_payload(state, p) for p in ordered])


async def phone_models(request: Request) -> Response:
    return _render(request, "models", [_model_payload(m) for m in PHONE_MODELS])


async def phone(request: Request) -> Response:
    state = _state(request)
    found = state.phone(request.path_params["phone_id"])
    if found is None:
        return api_not_found()
    if request.method == "GET":
        return _render(request, "phone", phone_payload(state, found))
    if request.method == "DELETE":
        state.delete_phone(found)
        return _ok()
    try:
        state.save_phone(_phone_from_bean(await _bean(request), found.id, found))
    except (Invalid, BodyError, Duplicate, Missing) as exc:
        return _failure(exc)
    return _ok()


async def send_profile(request: Request) -> Response:
    found = _state(request).phone(request.path_params["phone_id"])
    if found is None:
        return api_not_found()
    found.profiles_sent += 1
    if request.url.path.endswith("/restart"):
        found.restarts += 1
    return _ok()


async def phone_profile(request: Request) -> Response:
    state = _state(request)
    found = state.phone(request.path_params["phone_id"])
    if found is None or request.path_params["name"] != f"{found.serial_no}.cfg":
        return api_not_found()
    lines = []
    for index, line in enumerate(found.lines, start=1):
        user = state.users.get(line.user_id)
        if user is not None:
            lines.append(f'reg.{index}.address="{user.user_name}@{state.domain}" '
                         f'reg.{index}.auth.password="{user.sip_password}"')
    body = "\n".join([f"# profile of {found.serial_no}", *lines]) + "\n"
    return Response(body.encode(), media_type="text/plain")


def _phone_group_payload(group: PhoneGroup) -> dict[str, Any]:
    return {"id": group.id, "name": group.name, "description": group.description, "weight": group.weight}


async def phone_groups_of(request: Request) -> Response:
    state = _state(request)
    found = state.phone(request.path_params["phone_id"])
    if found is None:
        return api_not_found()
    if request.method == "DELETE":
        found.group_ids = []
        return _ok()
    return _render(request, "groups", [_phone_group_payload(state.phone_groups[g])
                                       for g in found.group_ids if g in state.phone_groups])


async def phone_in_group(request: Request) -> Response:
    state = _state(request)
    found = state.phone(request.path_params["phone_id"])
    group = state.phone_group_by_name(request.path_params["group_name"])
    if found is None or group is None:
        return api_not_found()
    if request.method == "POST":
        if group.id not in found.group_ids:
            found.group_ids.append(group.id)
        return _ok()
    if group.id not in found.group_ids:
        return api_not_found()
    found.group_ids.remove(group.id)
    return _ok()


async def phone_lines(request: Request) -> Response:
    state = _state(request)
    found = state.phone(request.path_params["phone_id"])
    if found is None:
        return api_not_found()
    if request.method == "DELETE":
        found.lines = []
        return _ok()
    if request.method == "POST":
        try:
            line = state.add_line(found, _line_user_key(await _bean(request)))
        except (Invalid, BodyError) as exc:
            return _failure(exc)
        return _created(line.id)
    return _render(request, "lines", [line_payload(state, line) for line in found.lines])


# --- settings (phones and gateways) ----------------------------------------------------------


def setting_payload(setting: Setting) -> dict[str, Any]:
    return {"path": setting.path, "type": setting.type, "options": setting.options, "value": setting.value,
            "defaultValue": setting.default, "label": setting.label, "description": setting.description}


def _set_value(setting: Setting, value: str) -> None:
    if setting.type == "boolean" and value not in ("true", "false", "0", "1"):
        raise Invalid(setting.path, f"'{value}' is not a boolean")
    if setting.type == "integer" and value != "" and not (value.lstrip("-").isascii() and value.lstrip("-").isdigit()):
        raise Invalid(setting.path, f"'{value}' is not an integer")
    if setting.type == "enum" and setting.options is not None and value not in setting.options:
        raise Invalid(setting.path, f"'{value}' is not one of {', '.join(setting.options)}")
    setting.value = value if value != "" else None


async def _settings(request: Request, settings: dict[str, Setting] | None) -> Response:
    if settings is None:
        return api_not_found()
    path = request.path_params.get("path")
    if path is None:
        return _render(request, "settings", [setting_payload(s) for s in settings.values()])
    setting = settings.get(path)
    if setting is None:
        return api_not_found()
    if request.method == "GET":
        return _render(request, "setting", setting_payload(setting))
    if request.method == "DELETE":
        setting.value = setting.default
        return _ok()
    try:
        _set_value(setting, (await request.body()).decode("utf-8"))
    except (Invalid, UnicodeDecodeError) as exc:
        return api_text(400, str(exc))
    return _ok()


async def phone_settings(request: Request) -> Response:
    found = _state(request).phone(request.path_params["phone_id"])
    return await _settings(request, found.settings if found else None)


async def gateway_settings(request: Request) -> Response:
    gateway_id = integer(request.path_params["gateway_id"])
    gateway = _state(request).gateways.get(gateway_id) if gateway_id is not None else None
    return await _settings(request, gateway.settings if gateway else None)


# --- phone groups ------------------------------------------------------------------------------


async def phone_groups(request: Request) -> Response:
    state = _state(request)
    return _render(request, "groups", [_phone_group_payload(g) for g in state.ordered_phone_groups()])


def _phone_group(request: Request) -> PhoneGroup | None:
    group_id = integer(request.path_params["group_id"])
    return _state(request).phone_groups.get(group_id) if group_id is not None else None


async def phone_group(request: Request) -> Response:
    state = _state(request)
    group = _phone_group(request)
    if group is None:
        return api_not_found()
    if request.method == "GET":
        return _render(request, "group", _phone_group_payload(group))
    if request.method == "DELETE":
        del state.phone_groups[group.id]
        for item in state.phones.values():
            if group.id in item.group_ids:
                item.group_ids.remove(group.id)
        return _ok()
    try:
        bean = await _bean(request)
    except BodyError as exc:
        return _failure(exc)
    name = text(bean.get("name"))
    if not name:
        return api_text(400, "name: Cannot be empty")
    group.name, group.description = name, text(bean.get("description"))
    return _ok()


async def phone_group_move(request: Request) -> Response:
    group = _phone_group(request)
    if group is None:
        return api_not_found()
    _state(request).move_phone_group(group, -1 if request.url.path.endswith("/up") else 1)
    return _ok()


async def phone_group_models(request: Request) -> Response:
    state = _state(request)
    group = _phone_group(request)
    if group is None:
        return api_not_found()
    used = sorted({p.model_id for p in state.phones.values() if group.id in p.group_ids})
    return _render(request, "models", [_model_payload(m) for m in used])


# --- gateways -------------------------------------------------------------------------------------


def gateway_payload(state: SipxState, gateway: Gateway) -> dict[str, Any]:
    model = next(m for m in GATEWAY_MODELS if m["modelId"] == gateway.model_id)
    branch = state.branches.get(gateway.branch_id) if gateway.branch_id is not None else None
    return {
        "id": gateway.id,
        "name": gateway.name,
        "serialNo": None,
        "deviceVersion": None,
        "description": gateway.description,
        "model": dict(model),
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


def _gateway_from_bean(bean: dict[str, Any], gateway_id: int, existing: Gateway | None) -> Gateway:
    branch = bean.get("branch")
    caller = bean.get("callerAliasInfo")
    port = bean.get("addressPort")
    outbound_port = bean.get("outboundPort")
    if port is not None and integer(port) is None:
        raise Invalid("addressPort", f"'{port}' is not a port number")
    gateway = Gateway(
        id=gateway_id,
        name=text(bean.get("name")) or "",
        model_id=_model_id(bean.get("model")) or (existing.model_id if existing else ""),
        description=text(bean.get("description")),
        enabled=flag(bean.get("enabled"), default=False),
        address=text(bean.get("address")),
        address_port=integer(port) or 0,
        outbound_address=text(bean.get("outboundAddress")),
        outbound_port=integer(outbound_port) if integer(outbound_port) is not None else 5060,
        address_transport=(text(bean.get("addressTransport")) or "none").lower(),
        prefix=text(bean.get("prefix")),
        shared=flag(bean.get("shared")),
        use_internal_bridge=flag(bean.get("useInternalBridge"), default=True),
        branch_id=integer(branch.get("id")) if isinstance(branch, dict) else None,
        settings=existing.settings if existing else {},
    )
    if isinstance(caller, dict):
        gateway.caller_alias.update({k: v for k, v in caller.items() if k in gateway.caller_alias})
    return gateway


async def gateways(request: Request) -> Response:
    state = _state(request)
    if request.method == "POST":
        try:
            gateway = _gateway_from_bean(await _bean(request), state.next_id("gateway"), None)
            state.save_gateway(gateway)
        except (Invalid, BodyError, Duplicate, Missing) as exc:
            return _failure(exc)
        return _created(gateway.id)
    ordered = sorted(state.gateways.values(), key=lambda g: g.id)
    return _render(request, "gateways", [gateway_payload(state, g) for g in ordered])


async def gateway_models(request: Request) -> Response:
    return _render(request, "models", [dict(m) for m in GATEWAY_MODELS])


async def gateway(request: Request) -> Response:
    state = _state(request)
    gateway_id = integer(request.path_params["gateway_id"])
    found = state.gateways.get(gateway_id) if gateway_id is not None else None
    if found is None:
        return api_not_found()
    if request.method == "GET":
        return _render(request, "gateway", gateway_payload(state, found))
    if request.method == "DELETE":
        del state.gateways[found.id]
        return _ok()
    try:
        state.save_gateway(_gateway_from_bean(await _bean(request), found.id, found))
    except (Invalid, BodyError, Duplicate, Missing) as exc:
        return _failure(exc)
    return _ok()


# --- registrations ------------------------------------------------------------------------------------


def registration_payload(state: SipxState, registration: Registration) -> dict[str, Any]:
    remaining = registration.expires - int(state.clock())
    return {
        "uri": f"sip:{registration.user_part}@{state.domain}",
        "identity": f"{registration.user_part}@{state.domain}",
        "contact": registration.contact,
        "expires": registration.expires,
        "secondsToExpire": max(remaining, 0),
        "status": "active" if remaining > 0 else "expired",
        "primary": state.server_fqdn,
        "regCallId": registration.call_id,
        "instrument": registration.instrument,
        "userAgent": registration.user_agent,
    }


def _contact_host(contact: str) -> str:
    inner = contact.split("<", 1)[-1].rstrip(">")
    host = inner.split("@", 1)[-1]
    return host.split(";", 1)[0].split(":", 1)[0]


def _window(request: Request) -> tuple[int, int] | None:
    start = integer(request.query_params.get("start"))
    limit = integer(request.query_params.get("limit"))
    if start is None or limit is None or start < 0 or limit < 1:
        return None
    return start, limit


async def _registrations(request: Request, selected: list[Registration] | None,
                         drop: bool = True) -> Response:
    state = _state(request)
    if selected is None:
        return api_not_found()
    if request.method == "DELETE" and drop:
        gone = {id(r) for r in selected}
        state.registrations = [r for r in state.registrations if id(r) not in gone]
        return _ok()
    window = _window(request)
    if window is None:
        return api_text(400, "start and limit are required: start >= 0, limit >= 1")
    start, limit = window
    return _render(request, "registrations",
                   [registration_payload(state, r) for r in selected[start:start + limit]])


async def registrations(request: Request) -> Response:
    return await _registrations(request, list(_state(request).registrations), drop=False)


async def registrations_by_user(request: Request) -> Response:
    state = _state(request)
    user = state.user_by_id_or_name(request.path_params["user_id"])
    return await _registrations(request, state.registrations_of([user]) if user else None)


async def registrations_by_serial(request: Request) -> Response:
    state = _state(request)
    found = state.phone(request.path_params["serial"])
    if found is None:
        return api_not_found()
    return await _registrations(request, [r for r in state.registrations if r.instrument == found.serial_no])


async def registrations_by_ip(request: Request) -> Response:
    state = _state(request)
    ip = request.path_params["ip"]
    return await _registrations(request, [r for r in state.registrations if _contact_host(r.contact) == ip])


async def registrations_by_call_id(request: Request) -> Response:
    state = _state(request)
    call_id = request.path_params["call_id"]
    return await _registrations(request, [r for r in state.registrations if r.call_id == call_id])


async def registrations_by_server(request: Request) -> Response:
    state = _state(request)
    server = request.path_params["server_id"]
    if server not in ("1", state.server_fqdn):
        return api_not_found()
    return await _registrations(request, list(state.registrations))


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
    Route("/registrations", registrations, methods=["GET"]),
    Route("/registrations/user/{user_id}", registrations_by_user, methods=["GET", "DELETE"]),
    Route("/registrations/serialNo/{serial}", registrations_by_serial, methods=["GET", "DELETE"]),
    Route("/registrations/ip/{ip}", registrations_by_ip, methods=["GET", "DELETE"]),
    Route("/registrations/callId/{call_id}", registrations_by_call_id, methods=["GET", "DELETE"]),
    Route("/registrations/server/{server_id}", registrations_by_server, methods=["GET", "DELETE"]),
]

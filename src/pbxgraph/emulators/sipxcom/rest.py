"""``/sipxconfig/rest``: users, user groups and branches, the older API.

XML by default and JSON when the client's ``Accept`` asks for it; a ``PUT``
to a collection creates, a ``PUT`` to an item updates (replacing every field,
lists included: a field left out is cleared), ``DELETE`` removes. Writes and
errors always answer with the XML ``<response>`` envelope. Lists carry a
``metadata`` block and page with ``page`` (1-based) and ``pagesize``, the way
the server computes it (a page past the end answers the last page); they
sort with ``sortby`` and ``sortdir`` (``reverse`` or anything else for
forward). ``GET /rest/user?ids=1,2,3`` reads several users at once and fails
whole, naming the id, when one of them does not exist. PINs and SIP
passwords always come back blank. A write's root element (or JSON wrapper)
must be the one the resource reads: ``user``, ``group``, ``branch``; anything
else, such as a ``<userGroup>`` root, is refused as the server's XML binding
refuses it (``ERROR_VALIDATION_FAILED``).

The document lists no enabled flag under ``/rest/user``; it shows a user's
``enabled`` among the profile fields of ``/my/contact-information``. Where it
is silent, the emulator and the connector rely on this guess: a ``/rest``
user carries that flag as ``enabled`` (``true``/``false``), and a write that
leaves it out keeps the user's current value (``true`` for a new user).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from pbxgraph.emulators.sipxcom.codec import (
    BodyError,
    Flat,
    dumps,
    flag,
    integer,
    items,
    parse_json,
    parse_xml,
    text,
    to_xml,
)
from pbxgraph.emulators.sipxcom.errors import XML_TYPE, envelope
from pbxgraph.emulators.sipxcom.state import (
    Branch,
    Duplicate,
    Invalid,
    Missing,
    SipUser,
    SipxState,
    UserGroup,
)


def _state(request: Request) -> SipxState:
    return request.app.state.sipx  # type: ignore[no-any-return]


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "").lower()


def _render(request: Request, root: str, value: Any, item_tags: dict[str, str]) -> Response:
    if _wants_json(request):
        return Response(dumps({root: value}), media_type="application/json")
    return Response(to_xml(root, value, item_tags), media_type=XML_TYPE)


async def _body(request: Request, root: str) -> dict[str, Any]:
    """The request's object, from XML or JSON (by Content-Type), its ``root`` unwrapped."""
    raw = await request.body()
    if "json" in request.headers.get("content-type", "").lower():
        parsed = parse_json(raw)
        if not isinstance(parsed, dict) or len(parsed) != 1:
            raise BodyError("expected one JSON object wrapped in its element name")
        tag, inner = next(iter(parsed.items()))
    else:
        tag, inner = parse_xml(raw)
    if tag != root:
        raise BodyError(f"expected a <{root}> element, not <{tag}>")
    if not isinstance(inner, dict):
        raise BodyError("the body has no fields")
    return inner


def _id(request: Request) -> int | None:
    value = request.path_params["id"]
    return int(value) if value.isascii() and value.isdigit() else None


def _paginate(request: Request, entries: list[Any]) -> tuple[list[Any], dict[str, int]]:
    """sipXconfig's pagination: both ``page`` and ``pagesize`` or none at all."""
    total = len(entries)
    page = integer(request.query_params.get("page"))
    size = integer(request.query_params.get("pagesize"))
    if page is None or size is None or page < 1 or size < 1:
        return entries, {"totalResults": total, "currentPage": 1, "totalPages": 1, "resultsPerPage": total}
    pages = (total - 1) // size + 1 if total else 1
    if pages == 1:
        start, end, page = 0, total, 1
    elif page >= pages:
        page = pages
        start, end = (pages - 1) * size, total
    else:
        start, end = (page - 1) * size, page * size
    return entries[start:end], {"totalResults": total, "currentPage": page, "totalPages": pages, "resultsPerPage": size}


def _sort(
    request: Request, entries: list[Any], fields: dict[str, Callable[[Any], str | None]], default: str
) -> list[Any]:
    """Sort when ``sortdir`` is given (by ``sortby``, else the default field)."""
    direction = request.query_params.get("sortdir")
    if not direction:
        return entries
    chosen = (request.query_params.get("sortby") or default).lower()
    getter = fields.get(chosen)
    if getter is None:
        return entries
    return sorted(entries, key=lambda e: (getter(e) or "").casefold(), reverse=direction.lower() == "reverse")


def _failure(exc: Exception, code: str, id: int | None = None) -> Response:
    if isinstance(exc, Invalid):
        return envelope("ERROR_VALIDATION_FAILED", additional=exc.message)
    if isinstance(exc, BodyError):
        return envelope("ERROR_VALIDATION_FAILED", additional=f"Body: {exc}")
    if isinstance(exc, Missing):
        return envelope("ERROR_OBJECT_NOT_FOUND", id=id)
    if isinstance(exc, Duplicate):
        return envelope(code, id=id, additional=exc.message)
    raise exc


# --- users -------------------------------------------------------------------------


def _group_ref(state: SipxState, group_id: int) -> dict[str, Any]:
    group = state.groups[group_id]
    return {"id": group.id, "name": group.name, "description": group.description}


def _branch_ref(state: SipxState, branch_id: int | None) -> dict[str, Any] | None:
    if branch_id is None or branch_id not in state.branches:
        return None
    branch = state.branches[branch_id]
    return {"id": branch.id, "name": branch.name, "description": branch.description}


def user_payload(state: SipxState, user: SipUser) -> dict[str, Any]:
    return {
        "id": user.id,
        "lastName": user.last_name,
        "firstName": user.first_name,
        "userName": user.user_name,
        # Never shown, "but must still be submitted".
        "pin": "",
        "sipPassword": "",
        "emailAddress": user.email,
        "groups": [_group_ref(state, g) for g in user.group_ids if g in state.groups],
        "branch": _branch_ref(state, user.branch_id),
        "aliases": list(user.aliases),
        "enabled": user.enabled,
    }


def _user_tags(state: SipxState) -> dict[str, str]:
    return {"groups": state.quirks.group_element, "aliases": "alias", "users": "user"}


def _user_from_body(body: dict[str, Any], user_id: int, existing: SipUser | None) -> SipUser:
    group_ids: list[int] = []
    for entry in items(body.get("groups"), "group", "userGroup"):
        group_id = integer(entry.get("id")) if isinstance(entry, dict) else integer(entry)
        if group_id is None:
            raise Invalid("Groups", "every group needs an id")
        group_ids.append(group_id)
    branch = body.get("branch")
    branch_id = integer(branch.get("id")) if isinstance(branch, dict) else None
    aliases: list[str] = []
    for entry in items(body.get("aliases"), "alias"):
        alias = text(entry.get("alias")) if isinstance(entry, dict) else text(entry)
        if alias:
            aliases.append(alias)
    pin = text(body.get("pin")) or ""
    sip_password = text(body.get("sipPassword")) or ""
    enabled = flag(body.get("enabled"), default=existing.enabled if existing else True)
    return SipUser(
        id=user_id,
        user_name=text(body.get("userName")) or "",
        first_name=text(body.get("firstName")),
        last_name=text(body.get("lastName")),
        email=text(body.get("emailAddress")),
        # An empty PIN or SIP password keeps the current one.
        pin=pin or (existing.pin if existing else ""),
        sip_password=sip_password or (existing.sip_password if existing else ""),
        group_ids=group_ids,
        branch_id=branch_id,
        aliases=aliases,
        enabled=enabled,
    )


_USER_SORT: dict[str, Callable[[SipUser], str | None]] = {
    "username": lambda u: u.user_name,
    "name": lambda u: u.user_name,
    "lastname": lambda u: u.last_name,
    "firstname": lambda u: u.first_name,
}


async def users(request: Request) -> Response:
    state = _state(request)
    if request.method == "PUT":
        try:
            user = _user_from_body(await _body(request, "user"), state.next_id("user"), None)
            state.save_user(user)
        except (Invalid, BodyError, Duplicate, Missing) as exc:
            return _failure(exc, "ERROR_CREATE_FAILED")
        return envelope("SUCCESS_CREATED", id=user.id)

    selected: list[SipUser]
    ids = request.query_params.get("ids")
    branch = request.query_params.get("branch")
    if ids is not None:
        parts = ids.split(",")
        if not all(p.strip().isascii() and p.strip().isdigit() for p in parts):
            return envelope("ERROR_ID_INVALID", additional=ids)
        selected = []
        for part in parts:
            user_id = int(part)
            if user_id not in state.users:
                return envelope("ERROR_OBJECT_NOT_FOUND", id=user_id)
            selected.append(state.users[user_id])
    elif branch is not None:
        if not (branch.isascii() and branch.isdigit()):
            return envelope("ERROR_ID_INVALID", additional=f"Branch:{branch}")
        selected = [u for u in state.users.values() if u.branch_id == int(branch)]
    else:
        selected = sorted(state.users.values(), key=lambda u: u.id)
    selected = _sort(request, selected, _USER_SORT, "username")
    window, metadata = _paginate(request, selected)
    entries = [user_payload(state, u) for u in window]
    if state.quirks.user_list_wrapped or _wants_json(request):
        return _render(request, "user", {"metadata": metadata, "users": entries}, _user_tags(state))
    return _render(request, "user", {"metadata": metadata, "user": Flat(entries)}, _user_tags(state))


async def user(request: Request) -> Response:
    state = _state(request)
    user_id = _id(request)
    if user_id is None:
        return envelope("ERROR_ID_INVALID", additional=request.path_params["id"])
    existing = state.users.get(user_id)
    if existing is None:
        return envelope("ERROR_OBJECT_NOT_FOUND", id=user_id)
    if request.method == "GET":
        return _render(request, "user", user_payload(state, existing), _user_tags(state))
    if request.method == "DELETE":
        state.delete_user(user_id)
        return envelope("SUCCESS_DELETED", id=user_id)
    try:
        state.save_user(_user_from_body(await _body(request, "user"), user_id, existing))
    except (Invalid, BodyError, Duplicate, Missing) as exc:
        return _failure(exc, "ERROR_UPDATE_FAILED", user_id)
    return envelope("SUCCESS_UPDATED", id=user_id)


# --- user groups -----------------------------------------------------------------------


def group_payload(state: SipxState, group: UserGroup) -> dict[str, Any]:
    branch = None
    if group.branch_id is not None and group.branch_id in state.branches:
        branch = branch_payload(state.branches[group.branch_id])
    return {"id": group.id, "name": group.name, "description": group.description, "branch": branch}


def _group_from_body(body: dict[str, Any], group_id: int) -> UserGroup:
    branch = body.get("branch")
    return UserGroup(
        id=group_id,
        name=text(body.get("name")) or "",
        description=text(body.get("description")),
        branch_id=integer(branch.get("id")) if isinstance(branch, dict) else None,
    )


_GROUP_SORT: dict[str, Callable[[UserGroup], str | None]] = {
    "name": lambda g: g.name,
    "description": lambda g: g.description,
}


async def groups(request: Request) -> Response:
    state = _state(request)
    element = state.quirks.group_element
    if request.method == "PUT":
        try:
            group = _group_from_body(await _body(request, "group"), state.next_id("group"))
            state.save_group(group)
        except (Invalid, BodyError, Duplicate, Missing) as exc:
            return _failure(exc, "ERROR_CREATE_FAILED")
        return envelope("SUCCESS_CREATED", id=group.id)
    ordered = _sort(request, sorted(state.groups.values(), key=lambda g: g.id), _GROUP_SORT, "name")
    window, metadata = _paginate(request, ordered)
    entries = [group_payload(state, g) for g in window]
    return _render(request, "user-group", {"metadata": metadata, "groups": entries}, {"groups": element})


async def group(request: Request) -> Response:
    state = _state(request)
    group_id = _id(request)
    if group_id is None:
        return envelope("ERROR_ID_INVALID", additional=request.path_params["id"])
    existing = state.groups.get(group_id)
    if existing is None:
        return envelope("ERROR_OBJECT_NOT_FOUND", id=group_id)
    if request.method == "GET":
        return _render(request, state.quirks.group_element, group_payload(state, existing), {})
    if request.method == "DELETE":
        state.delete_group(group_id)
        return envelope("SUCCESS_DELETED", id=group_id)
    try:
        state.save_group(_group_from_body(await _body(request, "group"), group_id))
    except (Invalid, BodyError, Duplicate, Missing) as exc:
        return _failure(exc, "ERROR_UPDATE_FAILED", group_id)
    return envelope("SUCCESS_UPDATED", id=group_id)


# --- branches ----------------------------------------------------------------------------


def branch_payload(branch: Branch) -> dict[str, Any]:
    return {
        "id": branch.id,
        "name": branch.name,
        "description": branch.description,
        "address": branch.address,
        "phoneNumber": branch.phone_number,
        "faxNumber": branch.fax_number,
    }


def _branch_from_body(body: dict[str, Any], branch_id: int) -> Branch:
    address = body.get("address")
    if isinstance(address, dict):
        address = {k: text(v) for k, v in address.items() if k != "id"} | {"id": branch_id}
    else:
        address = None
    return Branch(
        id=branch_id,
        name=text(body.get("name")) or "",
        description=text(body.get("description")),
        address=address,
        phone_number=text(body.get("phoneNumber")),
        fax_number=text(body.get("faxNumber")),
    )


_BRANCH_SORT: dict[str, Callable[[Branch], str | None]] = {
    "name": lambda b: b.name,
    "description": lambda b: b.description,
}


async def branches(request: Request) -> Response:
    state = _state(request)
    if request.method == "PUT":
        try:
            branch = _branch_from_body(await _body(request, "branch"), state.next_id("branch"))
            state.save_branch(branch)
        except (Invalid, BodyError, Duplicate, Missing) as exc:
            return _failure(exc, "ERROR_CREATE_FAILED")
        return envelope("SUCCESS_CREATED", id=branch.id)
    ordered = _sort(request, sorted(state.branches.values(), key=lambda b: b.id), _BRANCH_SORT, "name")
    window, metadata = _paginate(request, ordered)
    return _render(
        request,
        "branch",
        {"metadata": metadata, "branches": [branch_payload(b) for b in window]},
        {"branches": "branch"},
    )


async def branch(request: Request) -> Response:
    state = _state(request)
    branch_id = _id(request)
    if branch_id is None:
        return envelope("ERROR_ID_INVALID", additional=request.path_params["id"])
    existing = state.branches.get(branch_id)
    if existing is None:
        return envelope("ERROR_OBJECT_NOT_FOUND", id=branch_id)
    if request.method == "GET":
        return _render(request, "branch", branch_payload(existing), {})
    if request.method == "DELETE":
        state.delete_branch(branch_id)
        return envelope("SUCCESS_DELETED", id=branch_id)
    try:
        state.save_branch(_branch_from_body(await _body(request, "branch"), branch_id))
    except (Invalid, BodyError, Duplicate, Missing) as exc:
        return _failure(exc, "ERROR_UPDATE_FAILED", branch_id)
    return envelope("SUCCESS_UPDATED", id=branch_id)


ROUTES = [
    Route("/user", users, methods=["GET", "PUT"]),
    Route("/user/{id}", user, methods=["GET", "PUT", "DELETE"]),
    Route("/user-group", groups, methods=["GET", "PUT"]),
    Route("/user-group/{id}", group, methods=["GET", "PUT", "DELETE"]),
    Route("/branch", branches, methods=["GET", "PUT"]),
    Route("/branch/{id}", branch, methods=["GET", "PUT", "DELETE"]),
]

"""How ``/sipxconfig/api`` reads requests and writes answers.

JSON by default, nulls written out, a list wrapped in an object under its
property name (``{"gateways": [...]}``, as the document's examples show).
XML when ``Accept`` asks for it, with the element names the vendor's beans
give: ``<Gateways><Gateway>``, ``<Phone>`` with ``<Model>``,
``<Lines><Line>`` and ``<Groups><Group>``, ``<Registrations><Registration>``.
A ``POST`` that creates answers the new id as a bare number; "not found" is a
bare 404; a validation failure is a 400 and a server-side failure (such as a
taken name) a 500, both with a plain-text message.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from pbxgraph.emulators.sipxcom.codec import BodyError, Flat, dumps, parse_json, parse_xml, text, to_xml
from pbxgraph.emulators.sipxcom.errors import XML_TYPE, api_not_found, api_text
from pbxgraph.emulators.sipxcom.state import Duplicate, Invalid, Missing, SipxState

#: JSON property -> XML element, where the vendor's beans name it otherwise.
XML_NAMES: Mapping[str, str] = {
    "model": "Model",
    "lines": "Lines",
    "groups": "Groups",
    "versions": "Versions",
    "branch": "Branch",
    "callerAliasInfo": "CallerAliasInfo",
}
#: The element each item of a wrapped list is written as.
XML_ITEMS: Mapping[str, str] = {"lines": "Line", "groups": "Group", "versions": "Version"}


def state_of(request: Request) -> SipxState:
    return request.app.state.sipx  # type: ignore[no-any-return]


def _wants_xml(request: Request) -> bool:
    accept = request.headers.get("accept", "").lower()
    return "xml" in accept and "json" not in accept


def render_one(request: Request, element: str, value: Mapping[str, Any]) -> Response:
    """One object: a bare JSON object, or XML rooted at ``element`` (``Phone``, ``Gateway``)."""
    if _wants_xml(request):
        return Response(to_xml(element, value, XML_ITEMS, names=XML_NAMES), media_type=XML_TYPE)
    return Response(dumps(value), media_type="application/json")


def render_list(request: Request, key: str, wrapper: str, element: str, values: list[Any]) -> Response:
    """A list: ``{key: [...]}`` in JSON, ``<wrapper><element/>...</wrapper>`` in XML."""
    if _wants_xml(request):
        return Response(to_xml(wrapper, {element: Flat(values)}, XML_ITEMS, names=XML_NAMES), media_type=XML_TYPE)
    return Response(dumps({key: values}), media_type="application/json")


def created(new_id: int) -> Response:
    return Response(str(new_id).encode(), media_type="text/plain")


def ok() -> Response:
    return Response(b"", status_code=200)


async def bean(request: Request) -> dict[str, Any]:
    """The request's object, from JSON or (by Content-Type) XML."""
    raw = await request.body()
    if "xml" in request.headers.get("content-type", "").lower():
        _, parsed = parse_xml(raw)
    else:
        parsed = parse_json(raw)
    if not isinstance(parsed, dict):
        raise BodyError("expected an object")
    return parsed


def failure(exc: Exception) -> Response:
    if isinstance(exc, (Invalid, BodyError)):
        return api_text(400, str(exc))
    if isinstance(exc, Duplicate):
        return api_text(500, exc.message)
    if isinstance(exc, Missing):
        return api_not_found()
    raise exc


def model_id(value: Any) -> str:
    if isinstance(value, dict):
        return text(value.get("modelId")) or ""
    return text(value) or ""

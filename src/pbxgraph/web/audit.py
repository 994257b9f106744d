"""``GET /audit.jsonl``: the audit trail as JSON lines, oldest first, for archives and SIEMs.

It takes the filters of ``auditLog`` as query parameters, each repeatable
where the GraphQL filter takes a list::

    GET /audit.jsonl?backend=hq&kind=USER&operation=update&since=2026-01-01T00:00:00Z

and needs what ``auditLog`` needs: an admin token once tokens are configured.
A bad parameter is a 400 naming it.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import datetime

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from pbxgraph import domain
from pbxgraph.errors import PbxError
from pbxgraph.schema.audit import audit_filter, may_read_audit
from pbxgraph.service import PbxService

MEDIA_TYPE = "application/jsonl"


def _time(request: Request, name: str) -> datetime | None:
    value = request.query_params.get(name)
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise _BadParameter(f"{name}: not an ISO 8601 time, e.g. 2026-01-31T12:00:00Z") from None


class _BadParameter(ValueError):
    pass


def _kinds(request: Request) -> list[domain.Kind] | None:
    values = request.query_params.getlist("kind")
    if not values:
        return None
    try:
        return [domain.Kind[v.upper()] for v in values]
    except KeyError:
        raise _BadParameter(f"kind: one of {', '.join(k.name for k in domain.Kind)}") from None


def _list(request: Request, name: str) -> list[str] | None:
    return request.query_params.getlist(name) or None


async def audit_export(request: Request, service: PbxService, role: str) -> Response:
    """The entries the parameters select, one JSON object a line."""
    state = service.state
    try:
        may_read_audit(role)
        if state is None:
            return JSONResponse({"error": "no audit trail is kept by this server"}, status_code=404)
        flt = audit_filter(
            service,
            backends=_list(request, "backend"),
            kinds=_kinds(request),
            object_id=request.query_params.get("object"),
            tokens=_list(request, "token"),
            operations=_list(request, "operation"),
            outcomes=_list(request, "outcome"),
            since=_time(request, "since"),
            until=_time(request, "until"),
            field="object",
        )
    except _BadParameter as exc:
        return JSONResponse({"error": str(exc)}, status_code=400)
    except PbxError as error:
        status = 403 if error.code == "FORBIDDEN" else 400
        return JSONResponse({"error": error.message, "code": error.code}, status_code=status)
    entries = await state.audit.every(flt)

    async def body() -> AsyncIterator[str]:
        for entry in entries:
            yield json.dumps(entry.as_json(), default=str) + "\n"

    return StreamingResponse(body(), media_type=MEDIA_TYPE)

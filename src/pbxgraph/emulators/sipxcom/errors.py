"""How sipXconfig says "no": one shape per API.

``/rest`` answers every write and every error with an XML envelope, whatever
the client asked for::

    <response><code>ERROR_OBJECT_NOT_FOUND</code><message>...</message>
      <data><id>42</id></data></response>

with 400 for "not found", "invalid id" and validation failures (the field
named in ``additionalMessage``), 500 for failed creates/updates/deletes.
``/api`` answers "not found" with a bare 404 and an empty body, and errors
with a plain-text body.
"""

from __future__ import annotations

from starlette.responses import Response

from pbxgraph.emulators.sipxcom.codec import to_xml

XML_TYPE = "text/xml; charset=UTF-8"

_MESSAGES = {
    "SUCCESS_CREATED": "Created",
    "SUCCESS_UPDATED": "Updated",
    "SUCCESS_DELETED": "Deleted",
    "ERROR_OBJECT_NOT_FOUND": "Could not retrieve object using ID",
    "ERROR_MISSING_ID": "ID value missing from request",
    "ERROR_READ_FAILED": "Read failed",
    "ERROR_UPDATE_FAILED": "Update failed",
    "ERROR_CREATE_FAILED": "Create failed",
    "ERROR_DELETE_FAILED": "Delete failed",
    "ERROR_ID_INVALID": "ID value is invalid",
    "ERROR_VALIDATION_FAILED": "Failed input validation",
    "ERROR_REFERENCE_EXISTS": "Reference to object still exists",
}

_STATUS = {
    "SUCCESS_CREATED": 201,
    "SUCCESS_UPDATED": 200,
    "SUCCESS_DELETED": 200,
    "ERROR_OBJECT_NOT_FOUND": 400,
    "ERROR_MISSING_ID": 400,
    "ERROR_ID_INVALID": 400,
    "ERROR_VALIDATION_FAILED": 400,
    "ERROR_READ_FAILED": 500,
    "ERROR_UPDATE_FAILED": 500,
    "ERROR_CREATE_FAILED": 500,
    "ERROR_DELETE_FAILED": 500,
    "ERROR_REFERENCE_EXISTS": 500,
}


def envelope(
    code: str, *, id: int | str | None = None, additional: str | None = None, string: str | None = None
) -> Response:
    """The ``<response>`` envelope of ``/rest`` writes and errors."""
    data: dict[str, str] = {}
    if id is not None:
        data["id"] = str(id)
    if string is not None:
        data["string"] = string
    if additional is not None:
        data["additionalMessage"] = additional
    body = {"code": code, "message": _MESSAGES[code], "data": data or None}
    return Response(to_xml("response", body, declaration=True), status_code=_STATUS[code], media_type=XML_TYPE)


def api_not_found() -> Response:
    """``/api``: 404 with nothing in the body."""
    return Response(b"", status_code=404)


def api_text(status: int, message: str) -> Response:
    """``/api``: a plain-text error body."""
    return Response(message.encode("utf-8"), status_code=status, media_type="text/plain")


def method_not_allowed(allowed: list[str]) -> Response:
    return Response(b"", status_code=405, headers={"Allow": ", ".join(allowed)})

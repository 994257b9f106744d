"""sipXconfig's failures, from either API, as pbxgraph errors.

``/rest`` wraps failures in an XML envelope (``code``, ``message``, and in
``data`` an ``id`` or an ``additionalMessage``): ``ERROR_OBJECT_NOT_FOUND``
is a 400, not a 404; ``ERROR_VALIDATION_FAILED`` names the field at the start
of ``additionalMessage`` ("UserName: Cannot be empty"); a refused create or
update (``ERROR_CREATE_FAILED``/``ERROR_UPDATE_FAILED``) carries the server's
reason, which for a taken user name, alias, serial number or name says
"already in use"/"already exists". ``/api`` answers "not found" with a bare
404 and everything else with a plain-text body. A 502/503/504 without an
envelope comes from whatever stands in front of the server: the backend is
unavailable.

What the vendor said goes into ``details`` (shown under
``extensions.vendor``), with any secret sent in the failing request scrubbed
out of it, and vendor text cut short.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import httpx

from pbxgraph.connectors.sipxcom.payload import PayloadError, parse_xml, text
from pbxgraph.errors import (
    BackendError,
    BackendUnavailable,
    BadUserInput,
    Conflict,
    NotFound,
    PbxError,
)

_MAX_TEXT = 300
#: A proxy or load balancer in front of the server saying it is not there.
_UNAVAILABLE = (502, 503, 504)
_CONFLICT = re.compile(r"already (in use|exists)|duplicate", re.IGNORECASE)
_FIELD = re.compile(r"^\s*([A-Za-z][A-Za-z0-9_./-]*)\s*:")

#: Vendor field names (either API) -> pbxgraph input names.
FIELD_NAMES = {
    "username": "username",
    "firstname": "display_name",
    "lastname": "display_name",
    "emailaddress": "email",
    "aliases": "extension",
    "name": "name",
    "description": "description",
    "serialno": "mac",
    "model": "model",
    "address": "host",
    "addressport": "port",
    "addresstransport": "transport",
    "itsp-account/user-name": "username",
    "itsp-account/password": "password",
    "itsp-account/register-on-initialization": "register",
    "itsp-account/itsp-proxy-address": "host",
    "extension": "extension",
    "ringbeans": "members",
}


def scrub(message: str | None, secrets: Iterable[str | None] = ()) -> str | None:
    """Vendor text, cut short, with every secret of the request replaced."""
    if message is None:
        return None
    for secret in secrets:
        if secret:
            message = message.replace(secret, "***")
    return message if len(message) <= _MAX_TEXT else message[:_MAX_TEXT] + "..."


def envelope(response: httpx.Response) -> dict[str, str | None] | None:
    """The ``/rest`` ``<response>`` envelope, or None when the body is not one."""
    try:
        tag, tree = parse_xml(response.content)
    except PayloadError:
        return None
    if tag != "response" or not isinstance(tree, dict):
        return None
    data = found if isinstance(found := tree.get("data"), dict) else {}
    return {
        "code": text(tree.get("code")),
        "message": text(tree.get("message")),
        "id": text(data.get("id")),
        "additionalMessage": text(data.get("additionalMessage")),
    }


def _field_of(message: str | None) -> str | None:
    match = _FIELD.match(message or "")
    if match is None:
        return None
    return FIELD_NAMES.get(match.group(1).lower())


def _unavailable(backend: str, status: int, what: str, details: dict[str, Any]) -> BackendUnavailable:
    return BackendUnavailable(
        f"backend '{backend}' is unavailable (HTTP {status} for {what})", backend=backend, details=details
    )


def _credentials_refused(backend: str, status: int, what: str) -> PbxError:
    """401: pbxgraph's own credentials are wrong; 403: the configured account lacks the right.

    Both are the backend's configuration, not the caller's fault: BACKEND_ERROR
    naming the backend (FORBIDDEN is for the caller's own token), as for every vendor.
    """
    if status == 403:
        return BackendError(
            f"backend '{backend}': the account pbxgraph is configured with lacks the right to {what} (HTTP 403)",
            backend=backend,
            details={"status": status},
        )
    return BackendError(
        f"backend '{backend}' rejected the configured credentials (HTTP {status})",
        backend=backend,
        details={"status": status},
    )


def rest_failure(backend: str, response: httpx.Response, what: str, secrets: Iterable[str | None] = ()) -> PbxError:
    """A failed ``/rest`` call (any status >= 400) as a pbxgraph error."""
    status = response.status_code
    if status in (401, 403):
        return _credentials_refused(backend, status, what)
    said = envelope(response)
    if said is None:
        details: dict[str, Any] = {"status": status}
        body = scrub(response.text.strip(), secrets) if response.content else None
        if body:
            details["message"] = body
        if status in _UNAVAILABLE:
            return _unavailable(backend, status, what, details)
        return BackendError(f"backend '{backend}' answered HTTP {status} for {what}", backend=backend, details=details)
    code = said["code"] or ""
    additional = scrub(said["additionalMessage"], secrets)
    details = {"status": status, "code": code, "message": said["message"]}
    if said["id"] is not None:
        details["id"] = said["id"]
    if additional is not None:
        details["additionalMessage"] = additional
    if code == "ERROR_OBJECT_NOT_FOUND":
        return NotFound(f"{what} does not exist on backend '{backend}'", backend=backend, details=details)
    if code in ("ERROR_VALIDATION_FAILED", "ERROR_ID_INVALID"):
        reason = additional or said["message"] or code
        return BadUserInput(
            f"backend '{backend}' refused {what}: {reason}",
            backend=backend,
            field=_field_of(additional),
            details=details,
        )
    if code == "ERROR_REFERENCE_EXISTS" or (
        code in ("ERROR_CREATE_FAILED", "ERROR_UPDATE_FAILED") and _CONFLICT.search(additional or "")
    ):
        return Conflict(
            f"backend '{backend}' refused {what}: {additional or said['message']}", backend=backend, details=details
        )
    return BackendError(
        f"backend '{backend}' failed on {what}: {additional or said['message'] or code}",
        backend=backend,
        details=details,
    )


def api_failure(backend: str, response: httpx.Response, what: str, secrets: Iterable[str | None] = ()) -> PbxError:
    """A failed ``/api`` call (any status >= 400) as a pbxgraph error."""
    status = response.status_code
    if status in (401, 403):
        return _credentials_refused(backend, status, what)
    body = scrub(response.text.strip(), secrets) if response.content else None
    details: dict[str, Any] = {"status": status}
    if body:
        details["message"] = body
    if status == 404:
        return NotFound(f"{what} does not exist on backend '{backend}'", backend=backend, details=details)
    if status == 409 or (status >= 500 and _CONFLICT.search(body or "")):
        return Conflict(f"backend '{backend}' refused {what}: {body}", backend=backend, details=details)
    if status in _UNAVAILABLE:
        return _unavailable(backend, status, what, details)
    if status in (400, 422):
        return BadUserInput(
            f"backend '{backend}' refused {what}: {body or 'bad request'}",
            backend=backend,
            field=_field_of(body),
            details=details,
        )
    return BackendError(f"backend '{backend}' answered HTTP {status} for {what}", backend=backend, details=details)


def unusable(backend: str, response: httpx.Response, reason: str) -> BackendError:
    """A 2xx answer we cannot read (garbage, the wrong format, unsafe XML)."""
    return BackendError(
        f"backend '{backend}' answered {response.request.method} {response.request.url.path} with {reason}",
        backend=backend,
        details={"status": response.status_code},
    )

"""Era's errors onto ours.

Era answers ``{"error_code", "error_message", "error_details"}`` and its code
is not the HTTP status (an access-denied is 1506 *with HTTP 400*), so the
code decides first and the status only when the body carries no code. What
Era said goes into ``details`` (shown to callers as ``extensions.vendor``),
scrubbed of anything that looks like a secret.

A 401 means Era refused *our configured token*, and an access-denied (1506,
or a 403) that the token lacks the right: both are about the credentials
pbxgraph is configured with, not the caller, so both are BACKEND_ERROR naming
the backend (FORBIDDEN and UNAUTHENTICATED are about the caller's own token,
and come from the GraphQL layer, never from here).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from pbxgraph.errors import (
    BackendError,
    BackendUnavailable,
    BadUserInput,
    Conflict,
    NotFound,
    PbxError,
)
from pbxgraph.redaction import redact

NOT_FOUND = 1404
INVALID_PARAMS = 1413
ACCESS_DENIED = 1506
UNAUTHORIZED = 1401
ALREADY_EXISTS = 1409

_BY_CODE: dict[int, type[PbxError]] = {
    NOT_FOUND: NotFound,
    INVALID_PARAMS: BadUserInput,
    ACCESS_DENIED: BackendError,
    ALREADY_EXISTS: Conflict,
    UNAUTHORIZED: BackendError,
}

_BY_STATUS: dict[int, type[PbxError]] = {
    400: BadUserInput,
    401: BackendError,
    403: BackendError,
    404: NotFound,
    409: Conflict,
    422: BadUserInput,
    429: BackendUnavailable,
    502: BackendUnavailable,
    503: BackendUnavailable,
    504: BackendUnavailable,
}


def vendor_details(response: httpx.Response) -> dict[str, Any]:
    """Status plus Era's code, message and details when the body has them."""
    details: dict[str, Any] = {"status": response.status_code}
    try:
        body = response.json()
    except ValueError:
        return details
    if isinstance(body, dict):
        if isinstance(body.get("error_code"), int):
            details["error_code"] = body["error_code"]
        if isinstance(body.get("error_message"), str):
            details["error_message"] = body["error_message"][:500]
        if isinstance(body.get("error_details"), dict):
            details["error_details"] = redact(body["error_details"])
    return details


def error_for(response: httpx.Response, backend: str, what: str, fields: Mapping[str, str] | None = None) -> PbxError:
    """The project error for a failed Era answer.

    ``what`` says what was being done; ``fields`` translates Era's field names
    (as Era names them in ``error_details.field``) into ours, so a taken
    ``phonenumber`` is reported on the caller's ``extension``.
    """
    details = vendor_details(response)
    code = details.get("error_code")
    cls = _BY_CODE.get(code) if isinstance(code, int) else None
    if cls is None:
        cls = _BY_STATUS.get(response.status_code)
    if cls is None:
        cls = BackendError
    said = details.get("error_message") or f"HTTP {response.status_code}"
    if code == UNAUTHORIZED or (code is None and response.status_code == 401):
        message = f"backend '{backend}' refused the configured token while trying to {what} ({said})"
    elif code == ACCESS_DENIED or (response.status_code == 403 and code not in _BY_CODE):
        message = f"backend '{backend}': the credentials pbxgraph is configured with lack the right to {what} ({said})"
    else:
        message = f"backend '{backend}' could not {what}: {said}"
    field = None
    error_details = details.get("error_details")
    if fields and isinstance(error_details, dict) and isinstance(error_details.get("field"), str):
        field = fields.get(error_details["field"].split("[")[0].split(".")[0])
    return cls(message, backend=backend, field=field, details=details)

"""Infinity's error answers, mapped onto the project's error classes.

The vendor document describes only successful answers; failures are read
from the HTTP status, and the vendor's body (JSON when it is JSON, else its
first characters) is kept under ``details`` with anything that looks like a
secret removed, so a caller debugging a backend sees what Infinity said.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from pbxgraph.errors import (
    BackendError,
    BackendTimeout,
    BackendUnavailable,
    BadUserInput,
    Conflict,
    NotFound,
    PbxError,
)
from pbxgraph.redaction import redact

_BODY_LIMIT = 500


def _vendor_body(response: httpx.Response) -> tuple[Any, str]:
    """The body for ``details`` and the vendor's own words for the message."""
    try:
        body = redact(json.loads(response.content))
    except ValueError:
        text = response.content[:_BODY_LIMIT].decode("utf-8", "replace").strip()
        return text, text.splitlines()[0] if text else response.reason_phrase
    if isinstance(body, dict):
        words = body.get("message") or body.get("error") or response.reason_phrase
        return body, str(words)
    return body, response.reason_phrase


def error_for(response: httpx.Response, backend: str, subject: str | None = None) -> PbxError:
    """Our error for a failed vendor answer; ``subject`` names what was asked for (e.g. "user 1-7")."""
    status = response.status_code
    body, words = _vendor_body(response)
    details: dict[str, Any] = {"status": status, "body": body}
    where = f"{response.request.method} {response.request.url.path}"
    if status == 404:
        message = f"{subject} not found on backend '{backend}'" if subject else f"backend '{backend}': {words}"
        return NotFound(message, backend=backend, details=details)
    if status in (400, 422):
        return BadUserInput(f"backend '{backend}' rejected the request: {words}", backend=backend, details=details)
    if status == 409:
        return Conflict(f"backend '{backend}' refused: {words}", backend=backend, details=details)
    if status == 401:
        # Infinity refused the credentials pbxgraph is configured with: a broken
        # backend configuration, not the caller's token (that is UNAUTHENTICATED).
        return BackendError(
            f"backend '{backend}' did not accept pbxgraph's credentials ({words})", backend=backend, details=details
        )
    if status == 403:
        # The configured credentials lack the right (a key limited to other domains, say): also the
        # backend's configuration, never the caller's token (that is FORBIDDEN, at the GraphQL layer).
        return BackendError(
            f"backend '{backend}': the credentials pbxgraph is configured with lack the right to {where} ({words})",
            backend=backend,
            details=details,
        )
    if status == 504:
        return BackendTimeout(
            f"backend '{backend}' timed out behind a gateway on {where}", backend=backend, details=details
        )
    if status in (429, 502, 503):
        return BackendUnavailable(
            f"backend '{backend}' is unavailable ({status} on {where})", backend=backend, details=details
        )
    return BackendError(f"backend '{backend}' answered {status} to {where}: {words}", backend=backend, details=details)

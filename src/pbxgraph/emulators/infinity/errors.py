"""Infinity-shaped error answers.

The Config API document shows only successful answers, so the error body is
the emulator's own guess, kept small and stable: a JSON object with the HTTP
``status``, a short ``error`` phrase (``auth required``, ``access denied``,
``not found``, ...) and a ``message`` saying what exactly was wrong. The
connector relies on the status alone to choose its error (and to recognise
a refused filter operator); it only passes the body on, reading ``message``
or ``error`` for its words where the body is such an object. Routes raise
:class:`VendorError`; the app turns it into that body.
"""

from __future__ import annotations

from starlette.responses import JSONResponse

_PHRASES = {
    400: "bad request",
    401: "auth required",
    403: "access denied",
    404: "not found",
    405: "method not allowed",
    409: "conflict",
    415: "unsupported media type",
}


class VendorError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def bad_request(message: str) -> VendorError:
    return VendorError(400, message)


def not_found(message: str) -> VendorError:
    return VendorError(404, message)


def conflict(message: str) -> VendorError:
    return VendorError(409, message)


def error_response(status: int, message: str, *, challenge: str | None = None) -> JSONResponse:
    """The error body; ``challenge`` is the auth scheme a 401 asks for (Basic or ApiKey)."""
    headers = {"WWW-Authenticate": f'{challenge} realm="Infinity Config API"'} if challenge else None
    return JSONResponse(
        {"status": status, "error": _PHRASES.get(status, "error"), "message": message},
        status_code=status,
        headers=headers,
    )

"""Era-shaped error answers.

Era answers a failure with ``{"error_code", "error_message", "error_details"}``
where ``error_code`` is Era's own number, not the HTTP status: a failed lookup
is 1404 with HTTP 404, invalid parameters are 1413 with HTTP 400, and an
access-denied is 1506 with HTTP 400 as well. Raising :class:`EraError`
anywhere in the emulator produces exactly that shape.

The documents name 1404 and the lookup failure; 1413 and 1506 follow Era's
published conventions. The remaining codes (1401 for a missing token, 1405 for
an unsupported method, 1409 for a duplicate key) are this emulator's choice
where the documents are silent.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse

NOT_FOUND = 1404
INVALID_PARAMS = 1413
ACCESS_DENIED = 1506
UNAUTHORIZED = 1401
METHOD_NOT_ALLOWED = 1405
ALREADY_EXISTS = 1409


class EraError(Exception):
    def __init__(self, status: int, code: int, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details

    def response(self) -> JSONResponse:
        body: dict[str, Any] = {"error_code": self.code, "error_message": self.message}
        if self.details:
            body["error_details"] = self.details
        return JSONResponse(body, status_code=self.status)


def invalid_params(message: str, **details: Any) -> EraError:
    return EraError(400, INVALID_PARAMS, f"Invalid params. {message}", details or None)


def not_found(message: str = "Not found") -> EraError:
    return EraError(404, NOT_FOUND, message)


def lookup_failed() -> EraError:
    return EraError(404, NOT_FOUND, "Lookup failed")


def access_denied(message: str = "Access denied. Only administrator is allowed to perform request.") -> EraError:
    return EraError(400, ACCESS_DENIED, message, {"msg_code": "10038"})


def unauthorized() -> EraError:
    return EraError(401, UNAUTHORIZED, "Unauthorized. A valid token is required.")


def method_not_allowed(method: str) -> EraError:
    return EraError(405, METHOD_NOT_ALLOWED, f"Method not allowed: {method}")


def already_exists(message: str, **details: Any) -> EraError:
    return EraError(409, ALREADY_EXISTS, f"Already exists. {message}", details or None)

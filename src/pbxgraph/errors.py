"""The project's error classes, one per code of DESIGN.md's error table.

Connectors raise these (never vendor exceptions, never httpx errors) so the
GraphQL layer can turn any failure into a coded error without knowing which
vendor caused it. ``details`` carries what the vendor said (its status, code
and message) for the caller who has to debug a backend; it must never carry
secrets.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from pbxgraph.redaction import MAX_MESSAGE, scrub_text, scrub_value


class PbxError(Exception):
    code: ClassVar[str] = "INTERNAL_SERVER_ERROR"

    def __init__(
        self,
        message: str,
        *,
        backend: str | None = None,
        field: str | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.backend = backend
        self.field = field
        self.details: dict[str, Any] = dict(details or {})
        #: For a change of several vendor calls that failed after some of them: whether what was done
        #: has been undone (None: nothing had been done), and what is left on the backend when not.
        self.undone: bool | None = None
        self.remains: list[dict[str, Any]] = []
        #: Further facts for ``extensions`` (a CONFLICT's ``owner``: kind, id and backend of who holds a value).
        self.more: dict[str, Any] = {}

    def extensions(self) -> dict[str, Any]:
        ext: dict[str, Any] = {"code": self.code}
        if self.backend is not None:
            ext["backend"] = self.backend
        if self.field is not None:
            ext["field"] = self.field
        if self.details:
            ext["vendor"] = self.details
        if self.undone is not None:
            ext["undone"] = self.undone
        if self.remains:
            ext["remains"] = [dict(r) for r in self.remains]
        ext.update(self.more)
        return ext

    def with_backend(self, backend: str) -> PbxError:
        """Name the backend if the raiser did not know it."""
        if self.backend is None:
            self.backend = backend
        return self

    def naming(self, field: str) -> PbxError:
        """The same error with its field called ``field``: how the caller wrote it (``input.sipPassword``).

        A message that names a field starts with it (``sip_password: ...``),
        so the message says the new name too. The error itself is left as it
        is: one error may answer several keys of a batch.
        """
        if self.field is None or field == self.field:
            return self
        renamed = copy.copy(self)
        if self.message.startswith(f"{self.field}:"):
            renamed.message = field + self.message[len(self.field) :]
        renamed.field = field
        return renamed

    def scrub(self, secrets: Iterable[str] = ()) -> PbxError:
        """Make the message and vendor details fit to show: credentials masked, length capped.

        Every error a connector raises passes through here on its way out of
        the service, with the backend's configured secrets, whatever the
        vendor put in its answer.
        """
        secrets = tuple(secrets)
        self.message = scrub_text(self.message, secrets, limit=MAX_MESSAGE)
        self.details = scrub_value(self.details, secrets)
        return self

    def describe(self) -> str:
        """One line for a log or a health report: the code, the message and what the vendor said."""
        text = f"{self.code}: {self.message}"
        if self.details:
            text += " " + json.dumps(scrub_value(self.details), default=str, ensure_ascii=False)
        return text

    def __str__(self) -> str:
        return self.message


class BadUserInput(PbxError):
    code = "BAD_USER_INPUT"


class NotFound(PbxError):
    code = "NOT_FOUND"


class NotSupported(PbxError):
    code = "NOT_SUPPORTED"


class Conflict(PbxError):
    code = "CONFLICT"


class BackendUnavailable(PbxError):
    code = "BACKEND_UNAVAILABLE"


class BackendTimeout(PbxError):
    code = "BACKEND_TIMEOUT"


class BackendError(PbxError):
    code = "BACKEND_ERROR"


class Unauthenticated(PbxError):
    code = "UNAUTHENTICATED"


class Forbidden(PbxError):
    code = "FORBIDDEN"


class InternalError(PbxError):
    code = "INTERNAL_SERVER_ERROR"


class InputErrors(BadUserInput):
    """Every problem found in one input, raised together so a caller fixes them all in one go.

    The schema answers each as its own GraphQL error (with its code and
    field), as ``applyChanges`` answers the problems of a batch.
    """

    def __init__(self, errors: Iterable[PbxError]) -> None:
        parts: list[PbxError] = []
        for error in errors:
            parts.extend(error.errors if isinstance(error, InputErrors) else [error])
        self.errors: list[PbxError] = parts
        super().__init__("; ".join(e.message for e in self.errors))


def raise_all(errors: list[PbxError]) -> None:
    """Raise nothing, the one problem found, or all of them at once."""
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise InputErrors(errors)


ERROR_CLASSES: tuple[type[PbxError], ...] = (
    BadUserInput,
    NotFound,
    NotSupported,
    Conflict,
    BackendUnavailable,
    BackendTimeout,
    BackendError,
    Unauthenticated,
    Forbidden,
    InternalError,
)


#: Characters of a caller's value an error message quotes at most.
SHOWN_PREFIX = 32


def shown(value: object, limit: int = SHOWN_PREFIX) -> str:
    """A caller's value quoted for an error message: never more than a short prefix.

    An error that echoes a whole input turns a 1 MB argument into a 1 MB error
    (and into the logs); the prefix is enough to find the value, and control
    characters are shown escaped so a message stays on one line.
    """
    text = value if isinstance(value, str) else str(value)
    head = "".join(
        c if c.isprintable() else c.encode("unicode_escape", "backslashreplace").decode("ascii") for c in text[:limit]
    )
    if len(text) <= limit:
        return f"'{head}'"
    return f"'{head}...' ({len(text)} characters)"


def not_supported(backend: str, kind: str, operation: str | None = None) -> NotSupported:
    what = f"{operation} of {kind}s" if operation else f"{kind}s"
    return NotSupported(f"backend '{backend}' does not support {what}", backend=backend)

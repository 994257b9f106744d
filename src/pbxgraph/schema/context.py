"""What every resolver of one request can reach."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graphql import GraphQLError

from pbxgraph.errors import PbxError
from pbxgraph.loaders import Loaders
from pbxgraph.service import PbxService


@dataclass
class Context:
    service: PbxService
    loaders: Loaders
    #: The caller's role: "admin" may mutate, "reader" may only query.
    role: str = "admin"
    request: Any = None
    #: The caller's token name (None while no tokens are configured): audit entries and idempotency keys are its.
    token: str | None = None
    #: The ``connection_init`` payload of a WebSocket (where its token comes), None over HTTP.
    connection_params: dict[str, Any] | None = None
    #: Errors that degrade an answer without failing its field (a backend
    #: missing from an aggregated list); added to the response's ``errors``.
    partial_errors: list[GraphQLError] = field(default_factory=list)
    #: A query's ``data`` and its JSON text, once the answer-size check has encoded it, so the
    #: response is encoded once, not twice.
    encoded_data: tuple[Any, str] | None = None

    def report(self, error: PbxError, path: list[str | int]) -> None:
        self.partial_errors.append(
            GraphQLError(error.message, path=path, extensions=error.extensions(), original_error=error)
        )


def new_context(service: PbxService, *, role: str = "admin", request: Any = None, token: str | None = None) -> Context:
    """A fresh context, and with it fresh loaders: nothing carries over between requests."""
    return Context(service=service, loaders=Loaders(service), role=role, request=request, token=token)

"""Every error that leaves the server carries ``extensions.code``.

Our own errors keep their code, backend, field and vendor details; errors in
the request itself (syntax, unknown fields, wrong variable types) are
BAD_USER_INPUT; anything else is a bug: the schema logs it with its trace, and the caller
sees INTERNAL_SERVER_ERROR with no internals.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from pbxgraph.domain import Kind
from pbxgraph.errors import PbxError
from pbxgraph.ids import encode_id


def _with_global_id(entry: dict[str, Any], backend: str) -> dict[str, Any]:
    """What a half-done change left, with the global id a caller can pass to ``node`` or a delete."""
    entry = dict(entry)
    if entry.get("kind") in {k.value for k in Kind} and entry.get("nativeId") is not None:
        entry["id"] = encode_id(Kind(entry["kind"]), backend, str(entry["nativeId"]))
    return entry


def coded(error: GraphQLError) -> GraphQLError:
    original = error.original_error
    # graphql-core wraps resolver exceptions; unwrap nested GraphQLErrors.
    while isinstance(original, GraphQLError) and original.original_error is not None:
        original = original.original_error
    if isinstance(original, PbxError):
        extensions = {**(error.extensions or {}), **original.extensions()}
        if original.remains and original.backend is not None:
            extensions["remains"] = [_with_global_id(entry, original.backend) for entry in original.remains]
        return GraphQLError(original.message, nodes=error.nodes, source=error.source,
                            positions=error.positions, path=error.path, original_error=original,
                            extensions=extensions)
    if original is None or isinstance(original, GraphQLError):
        extensions = dict(error.extensions or {})
        extensions.setdefault("code", "BAD_USER_INPUT")
        return GraphQLError(error.message, nodes=error.nodes, source=error.source,
                            positions=error.positions, path=error.path, extensions=extensions)
    return GraphQLError("Internal server error", nodes=error.nodes, source=error.source,
                        positions=error.positions, path=error.path,
                        extensions={"code": "INTERNAL_SERVER_ERROR"})


class CodedErrors(SchemaExtension):
    """Adds the partial-result errors and gives every error its code."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is None:
            return
        errors = list(result.errors or [])
        context = self.execution_context.context
        errors += getattr(context, "partial_errors", [])
        if errors:
            result.errors = [coded(e) for e in errors]

"""Every error that leaves the server carries ``extensions.code``.

Our own errors keep their code, backend, field and vendor details; errors in
the request itself (syntax, unknown fields, wrong variable types) are
BAD_USER_INPUT, their messages cut where they quote the request at length;
anything else is a bug: the schema logs it with its trace, and the caller sees
INTERNAL_SERVER_ERROR with no internals. The production profile also keeps the
schema's shape to itself (no "Did you mean ...?" suggestions) and says nothing about an
internal error beyond its code.

The operation's name and type and the codes it answered with go to the request's
record, for the access log and the metrics.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from graphql import FieldNode, GraphQLError
from strawberry.extensions import SchemaExtension

from pbxgraph.domain import Kind
from pbxgraph.errors import SHOWN_PREFIX, InputErrors, PbxError
from pbxgraph.ids import encode_id
from pbxgraph.redaction import MAX_MESSAGE
from pbxgraph.schema.naming import argument_path
from pbxgraph.telemetry.requests import current

_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")
_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"|\'[^\']*\'')
_LONG_WORD = re.compile(r"[^\s'\"]{%d,}" % (2 * SHOWN_PREFIX + 1))


def _cut(match: re.Match[str]) -> str:
    text = match.group(0)
    if len(text) <= SHOWN_PREFIX + 2:
        return text
    return f"{text[: SHOWN_PREFIX + 1]}...{text[-1]}"


def shortened(message: str) -> str:
    """A graphql-core message with the request's values cut to a short prefix.

    graphql-core quotes the offending value, name or literal whole ("Expected
    type ..., found <1 MB literal>"), and prints object literals unquoted:
    every quoted run, and every unbroken run of characters, longer than a
    short prefix is cut to that prefix, and the whole message is capped.
    """
    message = _QUOTED.sub(_cut, message)
    message = _LONG_WORD.sub(lambda m: m.group(0)[:SHOWN_PREFIX] + "...", message)
    return message if len(message) <= MAX_MESSAGE else message[:MAX_MESSAGE] + "..."


def _with_global_id(entry: dict[str, Any], backend: str) -> dict[str, Any]:
    """What a half-done change left, with the global id a caller can pass to ``node`` or a delete."""
    entry = dict(entry)
    if entry.get("kind") in {k.value for k in Kind} and entry.get("nativeId") is not None:
        entry["id"] = encode_id(Kind(entry["kind"]), backend, str(entry["nativeId"]))
    return entry


def _arguments(error: GraphQLError) -> set[str]:
    """The names of the arguments the caller gave the field that failed (none for a partial error)."""
    return {
        argument.name.value
        for node in error.nodes or ()
        if isinstance(node, FieldNode)
        for argument in node.arguments or ()
    }


class Replayed(Exception):
    """Marks an error that was coded and shown once already (a replayed answer): passed on as it was."""


def coded(error: GraphQLError) -> GraphQLError:
    """The error as a client sees it: its code, and a field named by the path of the argument sent.

    Connectors and the service name fields as the domain does
    (``sip_password``); this is the one place where that name becomes the
    caller's (``input.sipPassword``), for every error that leaves the schema.
    """
    original = error.original_error
    if isinstance(original, Replayed):
        return error
    # graphql-core wraps resolver exceptions; unwrap nested GraphQLErrors.
    while isinstance(original, GraphQLError) and original.original_error is not None:
        original = original.original_error
    if isinstance(original, PbxError):
        if original.field is not None:
            original = original.naming(argument_path(original.field, _arguments(error)))
        extensions = {**(error.extensions or {}), **original.extensions()}
        if original.remains and original.backend is not None:
            extensions["remains"] = [_with_global_id(entry, original.backend) for entry in original.remains]
        return GraphQLError(
            original.message,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            original_error=original,
            extensions=extensions,
        )
    if original is None or isinstance(original, GraphQLError):
        extensions = dict(error.extensions or {})
        extensions.setdefault("code", "BAD_USER_INPUT")
        return GraphQLError(
            shortened(error.message),
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions=extensions,
        )
    return GraphQLError(
        "Internal server error",
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions={"code": "INTERNAL_SERVER_ERROR"},
    )


def expanded(error: GraphQLError) -> list[GraphQLError]:
    """One GraphQL error per problem of an input: a mutation reports every problem at once."""
    original = error.original_error
    while isinstance(original, GraphQLError) and original.original_error is not None:
        original = original.original_error
    if not isinstance(original, InputErrors):
        return [error]
    return [
        GraphQLError(
            part.message,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            original_error=part,
        )
        for part in original.errors
    ]


def masked(error: GraphQLError) -> GraphQLError:
    """An error as the production profile shows it: no suggestions, no internals."""
    extensions = error.extensions or {}
    if extensions.get("code") == "INTERNAL_SERVER_ERROR":
        return GraphQLError(
            "Internal server error",
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions={"code": "INTERNAL_SERVER_ERROR"},
        )
    message = _SUGGESTION.sub("", error.message)
    if message == error.message:
        return error
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=error.original_error,
        extensions=error.extensions,
    )


class CodedErrors(SchemaExtension):
    """Adds the partial-result errors and gives every error its code."""

    #: Production: strip field suggestions and mask internal errors.
    production = False

    def on_operation(self) -> Iterator[None]:
        yield
        record = current()
        if record is not None:
            record.operation = self.execution_context.operation_name
            try:
                record.operation_type = self.execution_context.operation_type.value
            except RuntimeError:  # no document or no such operation: a request error
                record.operation_type = "invalid"
        result = self.execution_context.result
        if result is None:
            return
        errors = list(result.errors or [])
        context = self.execution_context.context
        errors += getattr(context, "partial_errors", [])
        if errors:
            result.errors = [coded(part) for e in errors for part in expanded(e)]
            if self.production:
                result.errors = [masked(e) for e in result.errors]
        if record is not None:
            record.errors += [(e.extensions or {}).get("code", "INTERNAL_SERVER_ERROR") for e in result.errors or []]


class MaskedErrors(CodedErrors):
    production = True

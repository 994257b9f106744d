"""A GraphQL-over-HTTP request read from the wire: its parameters, or a coded 4xx that says why not.

POST takes ``application/json`` only: one request object, or an array of them
(a batch). GET takes the parameters from the query string, ``variables`` and
``extensions`` as JSON text. Whatever the client sends, a request pbxgraph
cannot take is a :class:`RequestError`: the HTTP status, a message naming the
parameter and the cause, and ``extensions.code``; never a 500. Python's JSON
parser would recurse once per level of nesting, so depth is checked before
parsing; bodies are read as UTF-8 only; ``NaN`` and ``Infinity`` are no JSON.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

#: Deepest nesting of arrays and objects a request's JSON may have.
MAX_JSON_DEPTH = 64
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_JSON_BRACKET = re.compile(r"[\[\]{}]")


class RequestError(Exception):
    """A request that is not executed, answered with a GraphQL error body and no ``data``.

    ``status`` is the HTTP status under ``application/graphql-response+json``;
    ``legacy_status`` under ``application/json``, where the GraphQL-over-HTTP
    spec keeps 200 for requests that are well formed but cannot run (a
    persisted query the server does not hold, say) and clients expect it.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int = 400,
        code: str = "BAD_USER_INPUT",
        legacy_status: int | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.legacy_status = status if legacy_status is None else legacy_status
        self.code = code
        self.headers = dict(headers or {})

    def body(self) -> dict[str, Any]:
        return {"errors": [{"message": self.message, "extensions": {"code": self.code}}]}


@dataclass(frozen=True, slots=True)
class GraphQLParams:
    """One operation's parameters, checked for type; ``query`` may come from a persisted document."""

    query: str | None = None
    variables: dict[str, Any] | None = None
    operation_name: str | None = None
    extensions: dict[str, Any] | None = None
    #: A trusted document's id (``documentId``, GraphQL over HTTP's persisted documents).
    document_id: str | None = None
    #: Where in the request it stood: "" for a single request, "batch entry [2]" for a batch's third.
    where: str = field(default="", compare=False)

    @property
    def persisted_query(self) -> Any:
        """Apollo's ``extensions.persistedQuery`` (checked where it is used), or None."""
        return (self.extensions or {}).get("persistedQuery")


def json_too_deep(text: str, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether ``text`` nests arrays or objects deeper than ``limit``, without parsing it.

    Python's parser would recurse once per level and fail with RecursionError
    (a 500) on a 100,000-deep body; strings are skipped, brackets counted.
    """
    depth = 0
    for bracket in _JSON_BRACKET.finditer(_JSON_STRING.sub("", text)):
        depth += 1 if bracket.group(0) in "[{" else -1
        if depth > limit:
            return True
    return False


def parse_json(data: str | bytes, what: str) -> Any:
    """JSON from the request (``what`` names it): UTF-8, standard JSON, bounded depth; else a 400."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError:
            raise RequestError(f"{what} is not valid UTF-8") from None
    if json_too_deep(data):
        raise RequestError(f"{what} nests arrays or objects deeper than {MAX_JSON_DEPTH} levels")
    try:
        return json.loads(data, parse_constant=_not_json)
    except (ValueError, RecursionError):
        raise RequestError(f"{what} is not valid JSON") from None


def _not_json(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def json_kind(value: Any) -> str:
    """How a JSON value is named in an error: "an array", "a string", ..."""
    if value is None:
        return "null"
    return {
        bool: "a boolean",
        int: "a number",
        float: "a number",
        str: "a string",
        list: "an array",
        dict: "an object",
    }.get(type(value), "a value")


def request_object(value: Any, where: str = "") -> GraphQLParams:
    """One request object's parameters, each of the type GraphQL over HTTP gives it.

    ``where`` names a batch's entry ("batch entry [2]") in every message.
    """
    if not isinstance(value, dict):
        raise RequestError(
            f"{where or 'the request body'} must be a JSON object with a 'query' (got {json_kind(value)})"
        )
    lead = f"{where}: " if where else ""
    for name, kind in (
        ("query", str),
        ("operationName", str),
        ("documentId", str),
        ("variables", dict),
        ("extensions", dict),
    ):
        given = value.get(name)
        if given is not None and not isinstance(given, kind):
            wanted = "a string" if kind is str else "a JSON object"
            raise RequestError(f"{lead}'{name}' must be {wanted} or null (got {json_kind(given)})")
    params = GraphQLParams(
        query=value.get("query"),
        variables=value.get("variables"),
        operation_name=value.get("operationName"),
        extensions=value.get("extensions"),
        document_id=value.get("documentId"),
        where=where,
    )
    if params.query is None and params.document_id is None and params.persisted_query is None:
        raise RequestError(f"{where or 'the request'} has no 'query' (nor the id of a persisted document)")
    return params


def from_query_string(values: Mapping[str, str]) -> GraphQLParams:
    """GET: ``query``, ``operationName``, ``documentId`` as text, ``variables`` and ``extensions`` as JSON."""
    parsed: dict[str, Any] = {
        name: values[name] for name in ("query", "operationName", "documentId") if values.get(name)
    }
    for name in ("variables", "extensions"):
        if values.get(name):
            value = parse_json(values[name], f"the '{name}' parameter")
            if value is not None and not isinstance(value, dict):
                raise RequestError(f"the '{name}' parameter must be a JSON object (got {json_kind(value)})")
            parsed[name] = value
    return request_object(parsed)


def from_body(body: bytes, content_type: str | None) -> GraphQLParams | list[Any]:
    """POST: one request object, or a batch (a JSON array, each entry checked by the caller)."""
    media, _, parameters = (content_type or "").partition(";")
    if media.strip().lower() != "application/json":
        shown = media.strip()[:100] or "none"
        raise RequestError(
            f"send the request as Content-Type: application/json (got {shown})",
            status=415,
            headers={"Accept-Post": "application/json"},
        )
    charset = _charset(parameters)
    if charset not in (None, "utf-8", "utf8"):
        raise RequestError(f"the request body must be UTF-8 (charset {charset[:40]} given)", status=415)
    if not body.strip():
        raise RequestError("the request body is empty: send a JSON object with a 'query'")
    value = parse_json(body, "the request body")
    if isinstance(value, list):
        return value
    return request_object(value)


def _charset(parameters: str) -> str | None:
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip('"').lower()
    return None


__all__ = [
    "MAX_JSON_DEPTH",
    "GraphQLParams",
    "RequestError",
    "from_body",
    "from_query_string",
    "json_kind",
    "json_too_deep",
    "parse_json",
    "request_object",
]

"""Persisted queries: Apollo's automatic persisted queries, and trusted documents for production.

**Automatic persisted queries** (APQ, on by default): a client sends only the
SHA-256 of its query in ``extensions.persistedQuery``; a server that holds
the query runs it, one that does not answers ``PersistedQueryNotFound`` and
the client sends the query once more with its hash, to be remembered. The
protocol is Apollo's, so Apollo Client's persisted-query link, and clients
that copy it, work unchanged: the error's message and
``extensions.code = PERSISTED_QUERY_NOT_FOUND`` are what they look for; with
``application/json`` it answers 200 as Apollo Server does, with
``application/graphql-response+json`` 404 (no ``data``, so a 4xx). Each
process keeps its own bounded cache: a replica that never saw a query asks
for it once.

**Trusted documents** (``[server] trusted_documents``): a JSON manifest of the
operations the server's clients were built with, and nothing else runs. A
client names one by id (``documentId``, or Apollo's
``extensions.persistedQuery.sha256Hash``), or sends the text of a registered
document; any other query is refused with ``PERSISTED_QUERY_NOT_IN_LIST``
(403) before it is parsed. The manifest is read and every document checked
against the schema when the app is built, so a stale manifest stops the start
instead of failing one client later. Two formats are read: Apollo's persisted
query manifest (``{"format": "apollo-persisted-query-manifest", "version": 1,
"operations": [{"id", "name", "type", "body"}]}``) and the flat map
``{"<id>": "<document>"}`` written by GraphQL Code Generator's client preset
and Relay.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graphql import GraphQLError, GraphQLSchema, parse, validate

from pbxgraph.config import ConfigError
from pbxgraph.web.requests import GraphQLParams, RequestError

#: Queries the APQ cache of one process holds; the least recently used go first.
APQ_CACHE_SIZE = 2000
#: The longest query the APQ cache takes (longer ones run, but are not remembered).
APQ_MAX_QUERY = 100_000
_SHA256 = re.compile(r"[0-9a-f]{64}")
MANIFEST_FORMAT = "apollo-persisted-query-manifest"
KEY = "server.trusted_documents"


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def not_found() -> RequestError:
    """What Apollo clients wait for before sending the whole query."""
    return RequestError(
        "PersistedQueryNotFound",
        code="PERSISTED_QUERY_NOT_FOUND",
        status=404,
        legacy_status=200,
        headers={"Cache-Control": "private, no-cache, must-revalidate"},
    )


def not_supported() -> RequestError:
    return RequestError(
        "PersistedQueryNotSupported", code="PERSISTED_QUERY_NOT_SUPPORTED", status=400, legacy_status=200
    )


class ApqCache:
    """A bounded, thread-safe LRU map from SHA-256 to query text."""

    def __init__(self, size: int = APQ_CACHE_SIZE) -> None:
        self.size = size
        self._items: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, digest: str) -> str | None:
        with self._lock:
            query = self._items.get(digest)
            if query is not None:
                self._items.move_to_end(digest)
            return query

    def put(self, digest: str, query: str) -> None:
        if len(query) > APQ_MAX_QUERY:
            return
        with self._lock:
            self._items[digest] = query
            self._items.move_to_end(digest)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)


@dataclass(frozen=True, slots=True)
class Resolved:
    """The query to run, and the hash to remember it by once it has proved valid (APQ only)."""

    query: str | None
    remember: str | None = None


@dataclass
class PersistedQueries:
    """Turns a request's query, hash or document id into the text to run (see the module docstring)."""

    #: Whether automatic persisted queries are taken (``[server] persisted_queries``).
    apq: bool = True
    #: Trusted documents by id; None when the server runs any query.
    trusted: Mapping[str, str] | None = None
    cache: ApqCache = field(default_factory=ApqCache)
    #: The trusted documents by the SHA-256 of their text too, whatever ids the manifest gives them.
    _by_digest: dict[str, str] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        if self.trusted is not None:
            self._by_digest = {sha256(body): body for body in self.trusted.values()}

    @property
    def trusted_only(self) -> bool:
        return self.trusted is not None

    def resolve(self, params: GraphQLParams) -> Resolved:
        digest = self._hash(params)
        if self.trusted is not None:
            return Resolved(self._trusted(params, digest))
        if params.document_id is not None:
            raise RequestError(
                f"{_lead(params)}'documentId' names a trusted document, and this server has none "
                f"({KEY} is not set): send the 'query'"
            )
        if digest is None:
            return Resolved(params.query)
        if not self.apq:
            raise not_supported()
        if params.query is None:
            query = self.cache.get(digest)
            if query is None:
                raise not_found()
            return Resolved(query)
        _same(params, digest)
        return Resolved(params.query, remember=digest)

    def remember(self, resolved: Resolved) -> None:
        """Keep a query that parsed and validated, under the hash its client gave."""
        if resolved.remember is not None and resolved.query is not None:
            self.cache.put(resolved.remember, resolved.query)

    def _hash(self, params: GraphQLParams) -> str | None:
        extension = params.persisted_query
        if extension is None:
            return None
        lead = _lead(params)
        if not isinstance(extension, dict):
            raise RequestError(f"{lead}'extensions.persistedQuery' must be an object with 'version' and 'sha256Hash'")
        if extension.get("version") != 1:
            raise RequestError(
                f"{lead}'extensions.persistedQuery.version' must be 1 (got {json.dumps(extension.get('version'))[:20]})"
            )
        digest = extension.get("sha256Hash")
        if not isinstance(digest, str) or not _SHA256.fullmatch(digest.lower()):
            raise RequestError(f"{lead}'extensions.persistedQuery.sha256Hash' must be 64 hexadecimal digits")
        return digest.lower()

    def _trusted(self, params: GraphQLParams, digest: str | None) -> str:
        trusted = self.trusted
        if trusted is None:
            raise RuntimeError("trusted documents asked for with no manifest loaded")
        if params.query is not None:
            if digest is not None:
                _same(params, digest)
            if sha256(params.query) not in self._by_digest:
                raise RequestError(
                    "this server runs only its trusted documents, and this query is not one of "
                    "them: send a registered document's id",
                    code="PERSISTED_QUERY_NOT_IN_LIST",
                    status=403,
                )
            return params.query
        key = params.document_id if params.document_id is not None else digest
        if key is None:
            raise not_found()
        query = trusted.get(key)
        if query is None:
            bare = key.removeprefix("sha256:")
            query = trusted.get(bare) or self._by_digest.get(bare.lower())
        if query is None:
            raise not_found()
        return query


def _same(params: GraphQLParams, digest: str) -> None:
    if params.query is None or sha256(params.query) != digest:
        raise RequestError(
            f"{_lead(params)}provided sha does not match query: "
            "'extensions.persistedQuery.sha256Hash' is not the SHA-256 of the 'query'"
        )


def _lead(params: GraphQLParams) -> str:
    return f"{params.where}: " if params.where else ""


def load_manifest(path: str, schema: GraphQLSchema) -> dict[str, str]:
    """The trusted documents by id, each parsed and validated against ``schema``; else a ConfigError."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{KEY}: cannot read '{path}': {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{KEY}: '{path}' is not UTF-8") from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ConfigError(f"{KEY}: '{path}' is not JSON ({exc})") from None
    documents = _documents(data, path)
    if not documents:
        raise ConfigError(f"{KEY}: '{path}' lists no documents")
    for key, body in documents.items():
        problem = _problem(body, schema)
        if problem is not None:
            raise ConfigError(f"{KEY}: document '{key}' in '{path}' {problem}")
    return documents


def _documents(data: Any, path: str) -> dict[str, str]:
    if isinstance(data, dict) and data.get("format") == MANIFEST_FORMAT:
        if data.get("version") != 1:
            raise ConfigError(
                f"{KEY}: '{path}' is an Apollo manifest of version {data.get('version')!r}; version 1 is read"
            )
        operations = data.get("operations")
        if not isinstance(operations, list):
            raise ConfigError(f"{KEY}: '{path}' has no 'operations' list")
        documents: dict[str, str] = {}
        for index, operation in enumerate(operations):
            if (
                not isinstance(operation, dict)
                or not isinstance(operation.get("id"), str)
                or not isinstance(operation.get("body"), str)
            ):
                raise ConfigError(f"{KEY}: operations[{index}] in '{path}' needs a string 'id' and 'body'")
            documents[operation["id"]] = operation["body"]
        return documents
    if isinstance(data, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        return dict(data)
    raise ConfigError(
        f"{KEY}: '{path}' is neither an Apollo persisted query manifest nor a JSON object "
        'mapping ids to documents ({"<id>": "query ..."})'
    )


def _problem(body: str, schema: GraphQLSchema) -> str | None:
    try:
        document = parse(body)
    except GraphQLError as exc:
        return f"does not parse: {exc.message}"
    errors = validate(schema, document)
    if errors:
        return f"does not match the schema: {errors[0].message}"
    return None


__all__ = ["APQ_CACHE_SIZE", "ApqCache", "PersistedQueries", "Resolved", "load_manifest", "not_found", "sha256"]

"""The HTTP face of the GraphQL endpoint: media types, request parsing, persisted queries, the view."""

from pbxgraph.web.persisted import PersistedQueries, load_manifest
from pbxgraph.web.requests import GraphQLParams, RequestError
from pbxgraph.web.view import ALLOW, DEFAULT_MAX_BATCH, GraphQLEndpoint, error_response

__all__ = [
    "ALLOW",
    "DEFAULT_MAX_BATCH",
    "GraphQLEndpoint",
    "GraphQLParams",
    "PersistedQueries",
    "RequestError",
    "error_response",
    "load_manifest",
]

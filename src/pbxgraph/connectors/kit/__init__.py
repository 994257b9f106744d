"""The kit for HTTP vendors: declared options, one client lifecycle, one health shape.

What every HTTP connector does alike lives here; what a vendor knows (its
paths, payloads, errors and rules) stays in its own package. See
``docs/writing-a-connector.md`` for a vendor built on it from scratch.
"""

from pbxgraph.config import read_options
from pbxgraph.connectors.http import VendorHttp
from pbxgraph.connectors.kit.connector import HttpConnector
from pbxgraph.connectors.kit.options import (
    HttpOptions,
    between,
    header_name,
    http_url,
    listing_snapshot,
    page_size,
    tls_bundle,
)
from pbxgraph.connectors.kit.snapshots import Snapshots

__all__ = [
    "HttpConnector",
    "HttpOptions",
    "Snapshots",
    "VendorHttp",
    "between",
    "header_name",
    "http_url",
    "listing_snapshot",
    "page_size",
    "read_options",
    "tls_bundle",
]

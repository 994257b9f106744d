"""Era (``vendor = "era"``): SIP users, group numbers, hunts, providers, provisioned phones.

Era keeps its PBX objects under ``/rest/v1/uc/``; see :mod:`.mapping` for how
they map onto users, groups, queues, trunks and devices, and :mod:`.devices`
for why a phone's id is its MAC address.

Configuration keys::

    [[backends]]
    name = "hq"
    vendor = "era"
    url = "https://era.example.net"  # required: scheme, host and any path prefix before /rest/v1/uc
    token = "${ERA_TOKEN}"  # required: the API token (keep it in the environment or a file)
    token_header = "Authorization"  # header carrying the token (default Authorization)
    token_scheme = "Bearer"  # prefix before the token: "Bearer" for Authorization, none
    # for any other header; "" sends the bare token
    verify = true  # TLS: true, false, or the path of a CA bundle
    page_size = 500  # entities per list request when reading a collection
    listing_snapshot_s = 30  # the pages after a listing's first reuse its read this long (0: never)
    timeout_s = 5  # (common) per-request timeout
    max_concurrency = 8  # (common) Era requests in flight at once

Capabilities: users, groups, queues, trunks and devices with list, read,
create, update and delete; group and queue membership; device assignment,
resync and restart; user and phone registration status. The per-kind rules
(:data:`~pbxgraph.connectors.era.connector.CAPABILITIES`) say what Era cannot
store: an e-mail address or a disabled state for a SIP user, a name for a
phone, a model or a kind other than SIP for a provider; setting one is
``NOT_SUPPORTED`` naming the field, before any request. Groups and hunts
follow a renumbered or deleted user (:mod:`.follow`), reported as side
effects.
"""

from pbxgraph.connectors.era.connector import EraConnector, create_connector

__all__ = ["EraConnector", "create_connector"]

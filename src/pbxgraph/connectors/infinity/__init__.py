"""Infinity (``vendor = "infinity"``): the SIP phone system of Infinity's Config API v2.

Serves users, groups (with their users), queues (whose members are groups)
and devices (with their user) of one or more SIP domains. Infinity has no
trunks in this API, no device actions and no registration status.

Configuration keys::

    [[backends]]
    name = "infinity"
    vendor = "infinity"
    url = "https://api.infinitycloud.com"  # API root; a trailing /config/v2 or /config/v2.1 is ignored
    domains = [1234, 5678]          # SIP domain ids served (required; one id or a list)
    api_key = "${INFINITY_API_KEY}" # Config API v2.1, "Authorization: ApiKey <key>"
    # username = "api-user"         # ...or HTTP Basic on Config API v2 (instead of api_key)
    # password = "${INFINITY_PASSWORD}"
    # verify = true                 # TLS: true, false, or the path of a CA bundle
    # create_domain = 1234          # where new users/groups/queues/devices go (default: first of domains)
    # queue_member_ring_strategy = "all"  # for groups newly added to a queue: "all" | "huntLongestIdle"
    # queue_member_ring_attempts = 1
    # queue_member_ring_secs = 20
    # group_caller_name_format = "{displayName} - {srcPhoneNumber}"  # callerNameFormat of new groups

Native ids are ``<domainId>-<id>`` (e.g. ``"1234-42"``), so ids stay unique
across the served domains; every record's ``raw`` shows its ``domainId``. A
new device assigned to a user goes to that user's domain.

Differences from the unified model, refused with ``BAD_USER_INPUT`` naming
the field rather than silently dropped: users need an extension and a SIP
password, cannot be disabled or renamed; groups and queues need an extension
and have no ring strategy of their own (queue member groups carry
``ringStrategy``, ``ringAttempts``, ``ringSecs`` in ``raw``); queue members are
groups without priority; devices have no model and keep their MAC address.
"""

from pbxgraph.connectors.infinity.connector import InfinityConnector, create_connector

__all__ = ["InfinityConnector", "create_connector"]

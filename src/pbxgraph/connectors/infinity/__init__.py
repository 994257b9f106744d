"""Infinity (``vendor = "infinity"``): the SIP phone system of Infinity's Config API v2.

Serves users, groups (with their users), queues (whose members are groups)
and devices (with their user) of one or more SIP domains. Infinity has no
trunks in this API, no device actions and no registration status (users'
and devices' ``registration`` is null: unknown).

Configuration keys::

    [[backends]]
    name = "infinity"
    vendor = "infinity"
    url = "https://api.infinitycloud.com"  # API root; a trailing /config/v2 or /config/v2.1 is ignored
    domains = [1234, 5678]  # SIP domain ids served (required; one id or a list)
    api_key = "${INFINITY_API_KEY}"  # Config API v2.1, "Authorization: ApiKey <key>"
    # username = "api-user"         # ...or HTTP Basic on Config API v2 (instead of api_key)
    # password = "${INFINITY_PASSWORD}"
    # verify = true                 # TLS: true, false, or the path of a CA bundle
    # create_domain = 1234          # where new users/groups/queues/devices go (default: first of domains)
    # queue_member_ring_strategy = "all"  # new queue members, unless the queue's share one: "all" | "huntLongestIdle"
    # queue_member_ring_attempts = 1
    # queue_member_ring_secs = 20
    # group_caller_name_format = "{displayName} - {srcPhoneNumber}"  # callerNameFormat of new groups
    # listing_snapshot_s = 30      # the pages after a listing's first reuse its read this long (0: never)

Native ids are ``<domainId>-<id>`` (e.g. ``"1234-42"``), so ids stay unique
across the served domains; every record's ``raw`` shows its ``domainId``. A
new device assigned to a user goes to that user's domain.

Groups and queues have a short ``name`` (``groupName`` / ``queueName``) and a
``display_name`` (``displayName``), and no description. A queue's
``strategy`` is the ``ringStrategy`` its member groups share (``all`` ->
``ALL``, ``huntLongestIdle`` -> ``LONGEST_IDLE``).

Differences from the unified model are declared in the capabilities
(``KindRules`` in :mod:`.connector`), so the service refuses them before any
request, naming the field and the backend: ``NOT_SUPPORTED`` for what
Infinity cannot store (disabling or renaming a user, a group's or queue's
description, a group's strategy, a queue strategy other than ``ALL`` /
``LONGEST_IDLE``, user queue members or member priorities, a device model or
a new MAC address), ``BAD_USER_INPUT`` for what it needs (an extension for
users, groups and queues, a SIP password for a new user).
"""

from pbxgraph.connectors.infinity.connector import InfinityConnector, create_connector

__all__ = ["InfinityConnector", "create_connector"]

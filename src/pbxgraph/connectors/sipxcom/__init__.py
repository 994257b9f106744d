"""sipXcom (sipXconfig) connector: ``vendor = "sipxcom"``.

Users and user groups come from sipXconfig's ``/sipxconfig/rest`` API;
phones (devices), gateways of every model (trunks), hunt groups (queues)
and registrations from its ``/sipxconfig/api`` API.

Configuration keys::

    [[backends]]
    name = "branch-office"
    vendor = "sipxcom"
    url = "https://sipx.example.com"  # the server; "/sipxconfig" is added (may be given)
    username = "superadmin"  # an administrator, sent with HTTP Basic on every request
    password = "${SIPX_PASSWORD}"
    verify = true  # TLS: true (system CAs), false, or a CA bundle path
    format = "xml"  # what /rest is spoken in: "xml" (default) or "json"
    page_size = 500  # items per page when reading whole /rest lists and registrations
    registrations = true  # fill User/Device.registration from /api/registrations
    timeout_s = 5  # common keys: per-call timeout and
    max_concurrency = 8  # vendor calls in flight at once

``url``, ``username`` and ``password`` are required. With
``registrations = false`` users' and devices' registration is left unknown
and no registration request is made.
"""

from pbxgraph.connectors.sipxcom.connector import SipxcomConnector, create_connector

__all__ = ["SipxcomConnector", "create_connector"]

"""The seeded data set: two domains of a small company, enough to page through.

Fixed values (names, extensions, MACs, datetimes) so tests and the demo see
the same directory every time. Domain 1 is the head office, domain 2 a branch;
ids are handed out across both, as the vendor's tables would.
"""

from __future__ import annotations

from pbxgraph.emulators.infinity.state import (
    DOMAIN_FIELDS,
    GROUP_FIELDS,
    QUEUE_FIELDS,
    QUEUE_MEMBER_FIELDS,
    TRUSTED_NETWORK_FIELDS,
    USER_FIELDS,
    InfinityState,
    row_of,
)

_DOMAINS = [
    (1, "acme-hq.sip.example.net", "Acme HQ"),
    (2, "acme-leeds.sip.example.net", "Acme Leeds"),
]

# (domain, user, displayName, extension, email, department)
_USERS = [
    (1, "joe.bloggs", "Joe Bloggs", "2001", "joe.bloggs@acme.example", "Sales"),
    (1, "jane.doe", "Jane Doe", "2002", "jane.doe@acme.example", "Sales"),
    (1, "amir.khan", "Amir Khan", "2003", "amir.khan@acme.example", "Sales"),
    (1, "li.wei", "Li Wei", "2004", "li.wei@acme.example", "Support"),
    (1, "sofia.rossi", "Sofia Rossi", "2005", "sofia.rossi@acme.example", "Support"),
    (1, "omar.haddad", "Omar Haddad", "2006", None, "Support"),
    (1, "emma.clarke", "Emma Clarke", "2007", "emma.clarke@acme.example", "Accounts"),
    (1, "lucas.martin", "Lucas Martin", "2008", "lucas.martin@acme.example", "Accounts"),
    (1, "priya.patel", "Priya Patel", "2009", "priya.patel@acme.example", "Management"),
    (1, "reception", "Reception Desk", "2010", None, None),
    (2, "tom.harris", "Tom Harris", "3001", "tom.harris@acme.example", "Leeds"),
    (2, "nina.berg", "Nina Berg", "3002", "nina.berg@acme.example", "Leeds"),
    (2, "anna.kowalski", "Anna Kowalski", "3003", None, "Leeds"),
    (2, "david.osei", "David Osei", "3004", "david.osei@acme.example", "Leeds"),
]

# (domain, groupName, displayName, extension, ringRetry, ringExclusive, member user ids)
_GROUPS = [
    (1, "sales", "Sales Team", "4001", 1, 0, [1, 2, 3]),
    (1, "support", "Support Desk", "4002", 0, 1, [4, 5, 6, 10]),
    (1, "accounts", "Accounts", "4003", 0, 0, [7, 8]),
    (2, "leeds-office", "Leeds Office", "4101", 1, 0, [11, 12, 13]),
]

# (domain, queueName, displayName, extension, members: (groupId, strategy, attempts, secs))
_QUEUES = [
    (1, "sales-queue", "Sales Queue", "4501", [(1, "all", 3, 20), (2, "huntLongestIdle", 2, 15)]),
    (1, "support-queue", "Support Queue", "4502", [(2, "huntLongestIdle", 5, 30), (3, "all", 1, 20)]),
    (1, "out-of-hours", "Out of Hours", "4503", []),
    (2, "leeds-queue", "Leeds Queue", "4601", [(4, "all", 2, 25)]),
]

# (domain, pbxDeviceName, deviceMacAddress, userId)
_DEVICES = [
    (1, "Joe desk phone", "00:15:65:A1:00:01", 1),
    (1, "Jane desk phone", "00:15:65:A1:00:02", 2),
    (1, "Amir desk phone", "00:15:65:A1:00:03", 3),
    (1, "Reception console", "00:15:65:A1:00:04", 10),
    (1, "Spare phone", "00:15:65:A1:00:05", None),
    (1, "Meeting room", "00:15:65:A1:00:06", None),
    (2, "Tom desk phone", "00:15:65:B2:00:01", 11),
    (2, "Leeds spare", "00:15:65:B2:00:02", None),
]

_NETWORKS = [
    (1, "10.0.20.0/24", "HQ LAN"),
    (1, "192.0.2.0/28", "Carrier signalling"),
    (2, "10.1.0.0/16", "Leeds LAN"),
]


def _stamp(n: int) -> str:
    return f"2019-10-31 {9 + n // 60 % 10:02d}:{n % 60:02d}:56"


def load_seed(state: InfinityState) -> None:
    """Fill an empty state with the fixed data set."""
    for n, (domain_id, name, display) in enumerate(_DOMAINS):
        state.domains.insert(
            row_of(
                DOMAIN_FIELDS,
                {
                    "domainId": domain_id,
                    "domainName": name,
                    "displayName": display,
                    "rec": 0,
                    "createDatetime": _stamp(n),
                    "updateDatetime": _stamp(n),
                },
            )
        )
    for n, (domain_id, user, display, ext, email, department) in enumerate(_USERS, start=1):
        first, _, last = display.partition(" ")
        row = state.users.insert(
            row_of(
                USER_FIELDS,
                {
                    "domainId": domain_id,
                    "user": user,
                    "displayName": display,
                    "extensionNumber": ext,
                    "email": email,
                    "firstName": first,
                    "lastName": last or None,
                    "departmentName": department,
                    "companyName": "Acme Ltd",
                    "mobileFollow": 0,
                    "hotdeskAllowed": 0,
                    "dashboard": 1,
                    "createDatetime": _stamp(n),
                    "updateDatetime": _stamp(n),
                },
            )
        )
        state.user_secrets[int(row["userId"] or 0)] = {"password": f"seed-{user}-Pw!{n}", "pin": f"{n:04d}"}
    for n, (domain_id, name, display, ext, retry, exclusive, members) in enumerate(_GROUPS, start=20):
        row = state.groups.insert(
            row_of(
                GROUP_FIELDS,
                {
                    "domainId": domain_id,
                    "groupName": name,
                    "displayName": display,
                    "extensionNumber": ext,
                    "ringRetry": retry,
                    "ringExclusive": exclusive,
                    "callerNameFormat": "{displayName} - {srcPhoneNumber}",
                    "createDatetime": _stamp(n),
                    "updateDatetime": _stamp(n),
                },
            )
        )
        for user_id in members:
            state.add_membership(int(row["groupId"] or 0), user_id)
    for n, (domain_id, name, display, ext, served_by) in enumerate(_QUEUES, start=30):
        row = state.queues.insert(
            row_of(
                QUEUE_FIELDS,
                {
                    "domainId": domain_id,
                    "queueName": name,
                    "displayName": display,
                    "extensionNumber": ext,
                    "callerNameFormat": None,
                    "createDatetime": _stamp(n),
                    "updateDatetime": _stamp(n),
                },
            )
        )
        for order, (group_id, strategy, attempts, secs) in enumerate(served_by):
            state.queue_members.insert(
                row_of(
                    QUEUE_MEMBER_FIELDS,
                    {
                        "queueId": row["queueId"],
                        "groupId": group_id,
                        "ringStrategy": strategy,
                        "ringAttempts": attempts,
                        "ringSecs": secs,
                        "ringOrder": order,
                        "createDatetime": _stamp(n),
                        "updateDatetime": _stamp(n),
                    },
                )
            )
    for n, (domain_id, name, mac, owner) in enumerate(_DEVICES, start=40):
        row = state.devices.insert(
            {
                "pbxDeviceName": name,
                "domainId": str(domain_id),
                "deviceMacAddress": mac,
                "createDatetime": _stamp(n),
                "updateDatetime": _stamp(n),
                "userId": None if owner is None else str(owner),
            }
        )
        if owner is not None:
            state.issue_device_token(int(row["pbxDeviceId"] or 0))
    for n, (domain_id, network, description) in enumerate(_NETWORKS, start=50):
        state.trusted_networks.insert(
            row_of(
                TRUSTED_NETWORK_FIELDS,
                {
                    "domainId": domain_id,
                    "network": network,
                    "description": description,
                    "createDatetime": _stamp(n),
                    "updateDatetime": _stamp(n),
                },
            )
        )


#: Sizes of the seed, for tests that count what a listing returns.
SEED_COUNTS = {
    "domains": len(_DOMAINS),
    "users": len(_USERS),
    "groups": len(_GROUPS),
    "queues": len(_QUEUES),
    "devices": len(_DEVICES),
    "trusted_networks": len(_NETWORKS),
}

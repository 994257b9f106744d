"""The seeded Era: a small office whose group numbers and hunts name its users.

Ten SIP users on extensions 201-210 (five with an auto-provisioned phone,
one of them written with colons to show that MAC spellings vary), three group
numbers whose dial plans ring those extensions and one outside mobile number,
three hunts whose resources are those users, and two provider accounts. One
id is deliberately not a valid UUID, as in Era's own examples. Every write
goes through the same checks as the API, so the seed cannot drift from the
rules it is served under.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pbxgraph.emulators.era.state import EraState

USERS = [
    # id, name, login, number, mac, model, registered
    (
        "65ac9beb-016c-b372-e769-50e54938780c",
        "Anna Petrova",
        "anna.petrova",
        "201",
        "805EC0D525CA",
        "Yealink SIP-T21P_E2",
        True,
    ),
    (
        "0007f945-016c-b373-2772-50e54938780c",
        "Boris Ivanov",
        "boris.ivanov",
        "202",
        "805EC0D525CB",
        "Yealink SIP-T46S",
        True,
    ),
    (
        "66297232-9f5b-371a-2202-394fa940f3882",
        "Clara Schmidt",
        "clara.schmidt",
        "203",
        "00:15:65:4a:1b:2c",
        "Yealink SIP-T54W",
        False,
    ),
    (
        "b6edc9b1-016c-b372-63a5-50e54938780c",
        "David Chen",
        "david.chen",
        "204",
        "0004F23A5B6C",
        "Polycom VVX 450",
        True,
    ),
    ("c3a1d2e4-016c-b374-1a2b-50e54938780c", "Elena Rossi", "elena.rossi", "205", "", "", False),
    (
        "d4b2e3f5-016c-b375-2b3c-50e54938780c",
        "Farid Haddad",
        "farid.haddad",
        "206",
        "0004F23A5B6D",
        "Polycom VVX 250",
        True,
    ),
    ("e5c3f4a6-016c-b376-3c4d-50e54938780c", "Grace Okafor", "grace.okafor", "207", "", "", False),
    ("f6d4a5b7-016c-b377-4d5e-50e54938780c", "Hugo Martin", "hugo.martin", "208", "", "", False),
    ("a7e5b6c8-016c-b378-5e6f-50e54938780c", "Ines Duarte", "ines.duarte", "209", "", "", True),
    ("b8f6c7d9-016c-b379-6f70-50e54938780c", "Jonas Berg", "jonas.berg", "210", "", "", False),
]

GROUPS = [
    {
        "id": "ba18a3e4-016c-d758-54da-50e54938780c",
        "phonenumber": "500",
        "type": "cascade",
        "dialplan": [{"dial": ["201"], "timeout": 10000}, {"dial": ["202", "203"]}],
        "pickup": 1,
        "opts": {"title": "Reception", "comment": "Front desk first, then the back office"},
    },
    {
        "id": "495079be-016c-d757-e913-50e54938780c",
        "phonenumber": "510",
        "type": "random",
        "dialplan": [{"dial": ["204", "205"]}, {"dial": ["89161234567"], "timeout": 20000}],
        "pickup": 0,
        "opts": {"title": "Sales floor", "comment": "Ends on the sales manager's mobile"},
    },
    {
        "id": "7c2f9a10-016c-d759-65eb-50e54938780c",
        "phonenumber": "520",
        "type": "parallel",
        "dialplan": [{"dial": ["206"]}, {"dial": ["207"]}, {"dial": ["201"]}],
        "pickup": 0,
        "opts": {"title": "Support desk", "comment": ""},
    },
]

HUNTS = [
    {
        "id": "a9667bcc-016c-cd71-6d06-50e54938780c",
        "code": "support",
        "phonenumber": "402",
        "priority": 5,
        "type": "sipuser",
        "resources": [
            {"id": USERS[0][0], "priority": 100},
            {"id": USERS[1][0], "priority": 99},
            {"id": USERS[5][0], "priority": 95},
        ],
        "strategy": {"mode": "timers", "seconds": [5]},
        "resmode": "priorityrandom",
        "objmode": "spqwfq",
        "wivrscript": "welcome",
        "qivrscript": "queue_music",
        "preivrscript": "notify",
        "maxattemptstrannumber": "500",
        "timeouttrannumber": "500",
        "huntblock": {"enabled": True, "expires": 30, "reason": "simple_pause"},
        "opts": {"title": "Customer support", "comment": "Second line takes over after 5 s", "exit_no_resource": False},
    },
    {
        "id": "142e6187-016c-cd70-0da4-50e54938780c",
        "code": "sales",
        "phonenumber": "405",
        "priority": 50,
        "type": "sipuser",
        "resources": [{"id": USERS[3][0], "priority": 50}, {"id": USERS[4][0], "priority": 50}],
        "strategy": {"mode": "simple"},
        "resmode": "priorityrandom",
        "objmode": "spq",
        "weight": 15,
        "opts": {"title": "Sales", "comment": "", "exit_no_resource": False},
    },
    {
        "id": "3f8e2d1c-016c-cd72-7e17-50e54938780c",
        "code": "billing",
        "phonenumber": "406",
        "priority": 10,
        "type": "sipuser",
        "resources": [],
        "opts": {"title": "Billing", "comment": "Not staffed yet", "exit_no_resource": True},
    },
]

PROVIDERS = [
    {
        "id": "c581b67c-016c-d219-b121-50e54938780c",
        "code": "3528769",
        "enabled": 1,
        "username": "MyAccount",
        "login": "3528769",
        "pwd": "seed-provider-secret-1",
        "domain": "sipnet.ru",
        "proxyaddr": "212.53.40.40",
        "proxyport": 5060,
        "transport": "tcp",
        "alternative_proxies": "tcp:212.53.40.41:5060,tcp:212.53.40.42:5060",
        "extaddrs": "sipnet.ru,212.53.40.41,212.53.40.42",
        "reg": 1,
        "expires": 600,
        "pingmode": "rn",
        "lic": {"siptrunks": 5},
        "trunksout": 3,
        "opts": {"title": "Sipnet", "comment": ""},
    },
    {
        "id": "58563833-016c-d21b-070f-50e54938780c",
        "code": "Oktell",
        "enabled": 1,
        "username": "testuser11",
        "login": "testuser11",
        "pwd": "seed-provider-secret-2",
        "domain": "test.oktell.ru",
        "proxyport": 5060,
        "transport": "udp",
        "reg": 1,
        "expires": 180,
        "media": 1,
        "reinvite": 0,
        "lic": {"siptrunks": 1000},
        "trunksout": 9999,
        "opts": {"title": "", "comment": ""},
    },
]


def load_seed(state: EraState) -> None:
    for user_id, name, login, number, mac, model, registered in USERS:
        state.create(
            "sipusers",
            {
                "id": user_id,
                "name": name,
                "login": login,
                "phonenumber": number,
                "pwd": f"seed-sip-secret-{number}",
                "opts": {"title": "", "comment": "", "ap_mac_address": mac, "ap_device_model": model},
            },
        )
        if registered:
            state.set_registration(user_id, "online")
    for group in GROUPS:
        state.create("sipgroups", group)
    for hunt in HUNTS:
        state.create("hunts", hunt)
    for provider in PROVIDERS:
        state.create("providers", provider)

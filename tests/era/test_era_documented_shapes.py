"""The Era documents' own example bodies against the emulator and the connector.

Each body below is copied from the vendor documents (``era-sipgroups.txt``,
``era-hunts.txt``, ``era-providers.txt``) as it stands, inconsistencies
included: the hunts list names one id twice, and the hunt read at
``/hunts/142e6187-...`` answers id ``a9667bcc-...``. The tests hold the
emulator to them (the same operation answers the same field names, value
types and nesting) and the connector to what they mean (each example maps to
the record a PBX admin expects). A change that makes the emulator answer what
the connector expects rather than what Era sends fails here.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from pbxgraph.connectors.era import EraConnector, mapping
from pbxgraph.domain import (
    Filter,
    Group,
    ListQuery,
    Queue,
    RingStrategy,
    SortField,
    Transport,
    Trunk,
    TrunkKind,
)
from pbxgraph.emulators.era import DEMO_TOKEN
from pbxgraph.emulators.era.state import EraState
from pbxgraph.emulators.toolkit import Emulator, LoopbackServer

UC = "/rest/v1/uc"
#: Era's timestamps in the documents: ``2019-08-28T08:29:46.74Z``.
STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d\dZ")
#: The SIP users the documents' hunts are served by (their ids, as the hunt examples give them).
HUNT_USERS = [
    "65ac9beb-016c-b372-e769-50e54938780c",
    "0007f945-016c-b373-2772-50e54938780c",
    "66297232-9f5b-371a-2202-394fa940f3882",
]

# --- era-sipgroups.txt ---------------------------------------------------------------
GROUPS_CREATED = json.loads(r"""
{
  "id": "ba18a3e4-016c-d758-54da-50e54938780c",
  "phonenumber": "500",
  "type": "cascade",
  "dialplan": [
    {
      "dial": ["511"],
      "timeout": 10000
    },
    {
      "dial": ["512", "513"]
    }
  ],
  "pickup": 1,
  "opts": {
    "title": "",
    "comment": ""
  },
  "ext": {
    "ct": "2019-08-28T08:29:46.74Z",
    "lwt": "2019-08-28T08:29:46.74Z"
  }
}
""")

GROUPS_LISTED = json.loads(r"""
[
  {
    "id": "495079be-016c-d757-e913-50e54938780c",
    "phonenumber": "200",
    "type": "random",
    "dialplan": [
      {"dial": ["211", "212"]}
    ],
    "pickup": 0,
    "opts": {
      "title": ""
    },
    "ext": {
      "ct": "2019-08-28T08:29:18.48Z",
      "lwt": "2019-08-28T08:29:18.48Z"
    }
  },
  {
    "id": "ba18a3e4-016c-d758-54da-50e54938780c",
    "phonenumber": "500",
    "type": "random",
    "dialplan": [
      {"dial": ["511"]},
      {"dial": ["511", "512"]}
    ],
    "pickup": 1,
    "opts": {
      "title": ""
    },
    "ext": {
      "ct": "2019-08-28T08:29:46.74Z",
      "lwt": "2019-09-08T12:13:55.01Z"
    }
  }
]
""")

GROUPS_READ = json.loads(r"""
{
  "id": "ba18a3e4-016c-d758-54da-50e54938780c",
  "phonenumber": "500",
  "type": "cascade",
  "dialplan": [
    {
      "dial": ["511"],
      "timeout": 10000
    },
    {
      "dial": ["512", "513"]
    }
  ],
  "pickup": 1,
  "opts": {
    "title": "",
    "comment": ""
  },
  "ext": {
    "ct": "2019-08-28T08:29:46.74Z",
    "lwt": "2019-08-28T08:29:46.74Z"
  }
}
""")

GROUPS_PATCHED = json.loads(r"""
{
  "id": "ba18a3e4-016c-d758-54da-50e54938780c",
  "phonenumber": "500",
  "type": "parallel",
  "dialplan": [
    {
      "dial": [
        "511"
      ]
    },
    {
      "dial": [
        "512"
      ]
    },
    {
      "dial": [
        "513"
      ]
    }
  ],
  "pickup": 1,
  "opts": {
    "title": "Marketing Department",
    "comment": ""
  },
  "ext": {
    "ct": "2019-08-28T08:29:46.74Z",
    "lwt": "2019-09-08T12:38:24.39Z"
  }
}
""")

GROUPS_LOOKUP_KEY = json.loads(r"""
"500"
""")

GROUPS_LOOKUP_FOUND = json.loads(r"""
[
  "ba18a3e4-016c-d758-54da-50e54938780c"
]
""")

# --- era-hunts.txt -------------------------------------------------------------------
HUNTS_CREATED = json.loads(r"""
{
  "id": "a9667bcc-016c-cd71-6d06-50e54938780c",
  "code": "hunt_4",
  "phonenumber": "402",
  "priority": 5,
  "type": "sipuser",
  "resources": [
    {
      "id": "65ac9beb-016c-b372-e769-50e54938780c",
      "priority": 100
    },
    {
      "id": "0007f945-016c-b373-2772-50e54938780c",
      "priority": 99
    }
  ],
  "strategy": {
    "mode": "timers",
    "seconds": [5]
  },
  "resmode": "priorityrandom",
  "objmode": "spqwfq",
  "weight": 10,
  "wivrscript": "welcome",
  "qivrscript": "queue_bob_marley",
  "preivrscript": "notify",
  "reslimit": 0,
  "maxattempts": 10,
  "maxattemptstrannumber": "401",
  "timeout": 0,
  "timeouttrannumber": "401",
  "resdialtimeout": 0,
  "displayname": "",
  "huntblock": {
    "enabled": true,
    "expires": 30,
    "reason": "simple_pause"
  },
  "resbansec": 20,
  "opts": {
    "title": "",
    "comment": "",
    "exit_no_resource": false
  },
  "ext": {
    "ct": "2019-08-26T10:20:58.50Z",
    "lwt": "2019-08-26T10:20:58.50Z"
  }
}
""")

HUNTS_LISTED = json.loads(r"""
[
  {
    "id": "a9667bcc-016c-cd71-6d06-50e54938780c",
    "code": "hunt_4",
    "phonenumber": "402",
    "priority": 5,
    "type": "sipuser",
    "strategy": {
      "mode": "timers",
      "seconds": [5]
    },
    "resmode": "priorityrandom",
    "objmode": "spqwfq",
    "weight": 10,
    "wivrscript": "welcome",
    "qivrscript": "queue_bob_marley",
    "preivrscript": "notify",
    "reslimit": 0,
    "maxattempts": 10,
    "maxattemptstrannumber": "401",
    "timeout": 0,
    "timeouttrannumber": "401",
    "resdialtimeout": 0,
    "displayname": "",
    "huntblock": {
      "enabled": true,
      "expires": 30,
      "reason": "simple_pause"
    },
    "resbansec": 20,
    "opts": {
      "title": "",
      "exit_no_resource": false
    },
    "ext": {
      "ct": "2019-08-26T10:20:58.50Z",
      "lwt": "2019-08-26T10:20:58.50Z"
    }
  },
  {
    "id": "a9667bcc-016c-cd71-6d06-50e54938780c",
    "code": "hunt_5",
    "phonenumber": "405",
    "priority": 50,
    "type": "sipuser",
    "strategy": {
      "mode": "simple"
    },
    "resmode": "priorityrandom",
    "objmode": "spq",
    "weight": 15,
    "wivrscript": "welcome",
    "qivrscript": "play_long",
    "preivrscript": "notify",
    "reslimit": 0,
    "maxattempts": 10,
    "maxattemptstrannumber": "401",
    "timeout": 0,
    "timeouttrannumber": "401",
    "resdialtimeout": 0,
    "displayname": "",
    "huntblock": {
      "enabled": true,
      "expires": 30,
      "reason": "simple_pause"
    },
    "resbansec": 20,
    "opts": {
      "title": "",
      "exit_no_resource": false
    },
    "ext": {
      "ct": "2019-08-26T10:20:58.50Z",
      "lwt": "2019-08-26T10:20:58.50Z"
    }
  }
]
""")

HUNTS_READ = json.loads(r"""
{
  "id": "a9667bcc-016c-cd71-6d06-50e54938780c",
  "code": "hunt_4",
  "phonenumber": "402",
  "priority": 5,
  "type": "sipuser",
  "resources": [
    {
      "id": "65ac9beb-016c-b372-e769-50e54938780c",
      "priority": 100
    },
    {
      "id": "0007f945-016c-b373-2772-50e54938780c",
      "priority": 99
    }
  ],
  "strategy": {
    "mode": "timers",
    "seconds": [ 5 ]
  },
  "resmode": "priorityrandom",
  "objmode": "spqwfq",
  "weight": 10,
  "wivrscript": "welcome",
  "qivrscript": "queue_bob_marley",
  "preivrscript": "notify",
  "reslimit": 0,
  "maxattempts": 10,
  "maxattemptstrannumber": "401",
  "timeout": 0,
  "timeouttrannumber": "401",
  "resdialtimeout": 0,
  "displayname": "",
  "huntblock": {
    "enabled": true,
    "expires": 30,
    "reason": "simple_pause"
  },
  "resbansec": 20,
  "opts": {
    "title": "",
    "comment": "",
    "exit_no_resource": false
  },
  "ext": {
    "ct": "2019-08-26T10:20:58.50Z",
    "lwt": "2019-08-26T10:20:58.50Z"
  }
}
""")

HUNTS_PATCHED = json.loads(r"""
{
  "id": "a9667bcc-016c-cd71-6d06-50e54938780c",
  "code": "hunt_4",
  "phonenumber": "402",
  "priority": 5,
  "type": "sipuser",
  "resources": [
    {
      "id": "65ac9beb-016c-b372-e769-50e54938780c",
      "priority": 100
    },
    {
      "id": "0007f945-016c-b373-2772-50e54938780c",
      "priority": 99
    },
    {
      "id": "66297232-9f5b-371a-2202-394fa940f3882",
      "priority": 95
    }
  ],
  "strategy": {
    "mode": "timers",
    "seconds": [5, 10]
  },
  "resmode": "priorityrandom",
  "objmode": "spqwfq",
  "weight": 10,
  "wivrscript": "welcome",
  "qivrscript": "queue_bob_marley",
  "preivrscript": "notify",
  "reslimit": 0,
  "maxattempts": 10,
  "maxattemptstrannumber": "401",
  "timeout": 0,
  "timeouttrannumber": "401",
  "resdialtimeout": 0,
  "displayname": "",
  "huntblock": {
    "enabled": true,
    "expires": 30,
    "reason": "simple_pause"
  },
  "resbansec": 20,
  "opts": {
    "title": "",
    "comment": "",
    "exit_no_resource": false
  },
  "ext": {
    "ct": "2019-08-26T10:20:58.50Z",
    "lwt": "2019-09-09T17:46:31.25Z"
  }
}
""")

HUNTS_LOOKUP_KEY = json.loads(r"""
"hunt_4"
""")

HUNTS_LOOKUP_FOUND = json.loads(r"""
[
  "142e6187-016c-cd70-0da4-50e54938780c"
]
""")

# --- era-providers.txt ---------------------------------------------------------------
PROVIDERS_CREATED = json.loads(r"""
{
  "id": "c581b67c-016c-d219-b121-50e54938780c",
  "code": "3528769",
  "enabled": 1,
  "username": "aaa",
  "login": "3528769",
  "pwd": "bbb",
  "domain": "sipnet.ru",
  "proxyaddr": "212.53.40.40",
  "proxyport": 0,
  "transport": "tcp",
  "alternative_proxies": "",
  "extaddrs": "",
  "serveridx": 11,
  "reg": 1,
  "expires": 600,
  "pingmode": "rn",
  "pingsrv": "",
  "pingtimeout": 10,
  "localdomain": "",
  "media": 0,
  "reinvite": 1,
  "translit": 0,
  "lic": {
    "siptrunks": 5
  },
  "trunksout": 3,
  "opts": {
    "title": "",
    "comment": ""
  },
  "ext": {
    "ct": "2019-08-27T08:03:14.84Z",
    "lwt": "2019-08-27T08:03:14.84Z"
  }
}
""")

PROVIDERS_LISTED = json.loads(r"""
[
  {
    "id": "c581b67c-016c-d219-b121-50e54938780c",
    "code": "3528769",
    "enabled": 1,
    "username": "MyAccount",
    "login": "3528769",
    "domain": "sipnet.ru",
    "proxyaddr": "212.53.40.40",
    "proxyport": 5060,
    "transport": "tcp",
    "alternative_proxies": "tcp:212.53.40.41:5060,tcp:212.53.40.42:5060",
    "extaddrs": "sipnet.ru,212.53.40.41,212.53.40.42",
    "serveridx": 11,
    "reg": 1,
    "expires": 600,
    "pingmode": "rn",
    "pingsrv": "",
    "pingtimeout": 10,
    "localdomain": "",
    "media": 0,
    "reinvite": 1,
    "translit": 0,
    "lic": {
      "siptrunks": 5
    },
    "trunksout": 3,
    "opts": {
      "title": ""
    },
    "ext": {
      "ct": "2019-08-27T08:03:14.84Z",
      "lwt": "2019-08-27T08:03:14.84Z"
    }
  },
  {
    "id": "58563833-016c-d21b-070f-50e54938780c",
    "code": "Oktell",
    "enabled": 1,
    "username": "testuser11",
    "login": "testuser11",
    "domain": "test.oktell.ru",
    "proxyaddr": "",
    "proxyport": 5060,
    "transport": "udp",
    "alternative_proxies": "",
    "extaddrs": "",
    "serveridx": 11,
    "reg": 1,
    "expires": 180,
    "pingmode": "none",
    "pingsrv": "",
    "pingtimeout": 10,
    "localdomain": "",
    "media": 1,
    "reinvite": 0,
    "translit": 0,
    "lic": {
      "siptrunks": 1000
    },
    "trunksout": 9999,
    "opts": {
      "title": ""
    },
    "ext": {
      "ct": "2019-08-27T08:04:42.38Z",
      "lwt": "2019-08-27T08:04:42.38Z"
    }
  }
]
""")

PROVIDERS_READ = json.loads(r"""
{
  "id": "c581b67c-016c-d219-b121-50e54938780c",
  "code": "3528769",
  "enabled": 1,
  "username": "MyAccount",
  "login": "3528769",
  "pwd": "VeryStrongPassword",
  "domain": "sipnet.ru",
  "proxyaddr": "212.53.40.40",
  "proxyport": 5060,
  "transport": "tcp",
  "alternative_proxies": "tcp:212.53.40.41:5060,tcp:212.53.40.42:5060",
  "extaddrs": "sipnet.ru,212.53.40.41,212.53.40.42",
  "serveridx": 11,
  "reg": 1,
  "expires": 600,
  "pingmode": "rn",
  "pingsrv": "",
  "pingtimeout": 10,
  "localdomain": "",
  "media": 0,
  "reinvite": 1,
  "translit": 0,
  "lic": {
    "siptrunks": 5
  },
  "trunksout": 3,
  "opts": {
    "title": "",
    "comment": ""
  },
  "ext": {
    "ct": "2019-08-27T08:03:14.84Z",
    "lwt": "2019-08-27T08:03:14.84Z"
  }
}
""")

PROVIDERS_PATCHED = json.loads(r"""
{
  "id": "c581b67c-016c-d219-b121-50e54938780c",
  "code": "3528769",
  "enabled": 1,
  "username": "MyAccount",
  "login": "3528769",
  "pwd": "VeryStrongPassword",
  "domain": "sipnet.ru",
  "proxyaddr": "212.53.40.40",
  "proxyport": 5060,
  "transport": "tcp",
  "alternative_proxies": "tcp:212.53.40.41:5060,tcp:212.53.40.42:5060",
  "extaddrs": "sipnet.ru,212.53.40.41,212.53.40.42",
  "serveridx": 11,
  "reg": 1,
  "expires": 600,
  "pingmode": "rn",
  "pingsrv": "",
  "pingtimeout": 10,
  "localdomain": "",
  "media": 0,
  "reinvite": 1,
  "translit": 0,
  "lic": {
    "siptrunks": 5
  },
  "trunksout": 3,
  "opts": {
    "title": "",
    "comment": ""
  },
  "ext": {
    "ct": "2019-08-27T08:03:14.84Z",
    "lwt": "2019-08-27T08:03:14.84Z"
  }
}
""")

PROVIDERS_LOOKUP_KEY = json.loads(r"""
"Oktell"
""")

PROVIDERS_LOOKUP_FOUND = json.loads(r"""
[
  "58563833-016c-d21b-070f-50e54938780c"
]
""")

LOOKUP_FAILED = json.loads(r"""
{
  "error_code": 1404,
  "error_message": "Lookup failed"
}
""")

DOCUMENTS: dict[str, dict[str, Any]] = {
    "sipgroups": {
        "created": GROUPS_CREATED,
        "listed": GROUPS_LISTED,
        "read": GROUPS_READ,
        "patched": GROUPS_PATCHED,
        "key": GROUPS_LOOKUP_KEY,
        "found": GROUPS_LOOKUP_FOUND,
    },
    "hunts": {
        "created": HUNTS_CREATED,
        "listed": HUNTS_LISTED,
        "read": HUNTS_READ,
        "patched": HUNTS_PATCHED,
        "key": HUNTS_LOOKUP_KEY,
        "found": HUNTS_LOOKUP_FOUND,
    },
    "providers": {
        "created": PROVIDERS_CREATED,
        "listed": PROVIDERS_LISTED,
        "read": PROVIDERS_READ,
        "patched": PROVIDERS_PATCHED,
        "key": PROVIDERS_LOOKUP_KEY,
        "found": PROVIDERS_LOOKUP_FOUND,
    },
}
COLLECTIONS = sorted(DOCUMENTS)


def shape(value: Any) -> Any:
    """Field names, JSON value types and nesting of a body, without its values."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(item) for item in value]
    return type(value).__name__


def body_of(entity: dict[str, Any]) -> dict[str, Any]:
    """What a client sends to store an example entity: everything but Era's own ``ext``."""
    return {k: v for k, v in entity.items() if k != "ext"}


def with_read_fields(row: dict[str, Any], read: dict[str, Any]) -> dict[str, Any]:
    """A list row completed with what only the single read of its id shows (``pwd``, ``resources``, comment)."""
    return {**read, **row, "opts": {**read.get("opts", {}), **row.get("opts", {})}}


@pytest.fixture
def empty(era: Emulator[EraState]) -> Emulator[EraState]:
    """An Era holding only the SIP users the documents' hunts are served by."""
    era.state.reset(seed=False)
    for number, user_id in enumerate(HUNT_USERS, start=511):
        era.state.create("sipusers", {"id": user_id, "login": f"user{number}", "phonenumber": str(number)})
    return era


@pytest.fixture
async def http(empty: Emulator[EraState], era_server: LoopbackServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=era_server.url, headers={"Authorization": f"Bearer {DEMO_TOKEN}"}) as client:
        yield client


def load_documented_listing(era: Emulator[EraState], collection: str) -> None:
    """The collection's list example, each row's id first completed from the single read where it is that id."""
    document = DOCUMENTS[collection]
    rows: list[dict[str, Any]] = []
    completed: set[str] = set()
    for row in document["listed"]:
        if row["id"] == document["read"]["id"] and row["id"] not in completed:
            completed.add(row["id"])
            row = with_read_fields(row, document["read"])
        rows.append(row)
    era.state.load_listing(collection, rows)


# --- the emulator answers as the documents show ---------------------------------------------------------


@pytest.mark.parametrize("collection", COLLECTIONS)
async def test_create_answers_the_documented_entity(http: httpx.AsyncClient, collection: str) -> None:
    created = DOCUMENTS[collection]["created"]
    response = await http.post(f"{UC}/{collection}", json=body_of(created))
    assert response.status_code == 200, response.text
    assert shape(response.json()) == shape(created)
    assert body_of(response.json()) == body_of(created)
    assert all(STAMP.fullmatch(response.json()["ext"][k]) for k in ("ct", "lwt"))


@pytest.mark.parametrize("collection", COLLECTIONS)
async def test_a_list_answers_the_documented_partial_views(
    http: httpx.AsyncClient, empty: Emulator[EraState], collection: str
) -> None:
    load_documented_listing(empty, collection)
    response = await http.get(f"{UC}/{collection}", params={"offset": "0", "limit": "2"})
    assert response.status_code == 200, response.text
    listed = DOCUMENTS[collection]["listed"]
    assert shape(response.json()) == shape(listed)
    assert response.json() == listed  # the rows as given, the single read's fields left out


@pytest.mark.parametrize("collection", COLLECTIONS)
async def test_a_single_read_answers_the_documented_entity(http: httpx.AsyncClient, collection: str) -> None:
    read = DOCUMENTS[collection]["read"]
    assert (await http.post(f"{UC}/{collection}", json=body_of(read))).status_code == 200
    response = await http.get(f"{UC}/{collection}/{read['id']}")
    assert response.status_code == 200, response.text
    assert shape(response.json()) == shape(read)
    assert body_of(response.json()) == body_of(read)


@pytest.mark.parametrize("collection", COLLECTIONS)
async def test_a_patch_answers_the_documented_entity(http: httpx.AsyncClient, collection: str) -> None:
    document = DOCUMENTS[collection]
    assert (await http.post(f"{UC}/{collection}", json=body_of(document["read"]))).status_code == 200
    patched = document["patched"]
    response = await http.patch(
        f"{UC}/{collection}/{patched['id']}", json={k: v for k, v in body_of(patched).items() if k != "id"}
    )
    assert response.status_code == 200, response.text
    assert shape(response.json()) == shape(patched)
    assert body_of(response.json()) == body_of(patched)
    assert response.json()["ext"]["ct"] == document["read"]["ext"]["ct"] or STAMP.fullmatch(
        response.json()["ext"]["ct"]
    )


@pytest.mark.parametrize("collection", COLLECTIONS)
async def test_delete_answers_204_with_no_body(http: httpx.AsyncClient, collection: str) -> None:
    read = DOCUMENTS[collection]["read"]
    await http.post(f"{UC}/{collection}", json=body_of(read))
    response = await http.delete(f"{UC}/{collection}/{read['id']}")
    assert (response.status_code, response.content) == (204, b"")


@pytest.mark.parametrize("collection", COLLECTIONS)
async def test_lookup_answers_ids_or_the_documented_failure(
    http: httpx.AsyncClient, empty: Emulator[EraState], collection: str
) -> None:
    load_documented_listing(empty, collection)
    document = DOCUMENTS[collection]

    async def lookup(key: str) -> httpx.Response:
        return await http.request(
            "LOOKUP",
            f"{UC}/{collection}",
            content=json.dumps(key),
            headers={"Content-Type": "application/json; charset=utf-8"},
        )

    found = await lookup(document["key"])
    assert found.status_code == 200 and shape(found.json()) == shape(document["found"])
    failed = await lookup("no-such-key")
    assert failed.status_code == 404 and failed.json() == LOOKUP_FAILED


@pytest.mark.parametrize(
    ("collection", "unknown", "field"),
    [
        ("sipgroups", {"phonenumber": "530", "color": "red"}, "color"),
        ("sipgroups", {"phonenumber": "530", "opts": {"title": "x", "colour": "red"}}, "opts.colour"),
        ("sipgroups", {"phonenumber": "530", "dialplan": [{"dial": ["511"], "delay": 5}]}, "dialplan[0].delay"),
        ("hunts", {"code": "x", "strategy": {"mode": "timers", "seconds": [5], "jitter": 1}}, "strategy.jitter"),
        ("hunts", {"code": "x", "resources": [{"id": HUNT_USERS[0], "weight": 3}]}, "resources[0].weight"),
        ("providers", {"code": "x", "lic": {"siptrunks": 5, "seats": 2}}, "lic.seats"),
    ],
)
async def test_an_unknown_field_in_a_write_answers_eras_error(
    http: httpx.AsyncClient, collection: str, unknown: dict[str, Any], field: str
) -> None:
    response = await http.post(f"{UC}/{collection}", json=unknown)
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"error_code", "error_message", "error_details"}
    assert body["error_code"] == 1413 and body["error_details"] == {"field": field}


# --- the connector maps the examples to what they mean -------------------------------------------------


def test_the_documented_group_numbers_map_to_groups() -> None:
    first, second = GROUPS_LISTED
    assert mapping.group_from(first) == Group(
        id="495079be-016c-d757-e913-50e54938780c",
        name="200",
        display_name=None,
        extension="200",
        strategy=RingStrategy.RANDOM,
        description=None,
        raw=first,
    )
    assert mapping.dial_numbers(second) == ["511", "512"]
    read = mapping.group_from(GROUPS_READ)
    assert (read.name, read.display_name, read.strategy, read.description) == (
        "500",
        None,
        RingStrategy.SEQUENTIAL,
        None,
    )
    assert mapping.dial_numbers(GROUPS_READ) == ["511", "512", "513"]
    marketing = mapping.group_from(GROUPS_PATCHED)
    assert (marketing.name, marketing.display_name, marketing.extension, marketing.strategy) == (
        "Marketing Department",
        "Marketing Department",
        "500",
        RingStrategy.ALL,
    )


def test_the_documented_hunts_map_to_queues() -> None:
    queue = mapping.queue_from(HUNTS_READ)
    assert queue == Queue(
        id="a9667bcc-016c-cd71-6d06-50e54938780c",
        name="hunt_4",
        display_name=None,
        extension="402",
        strategy=RingStrategy.PRIORITY,
        description=None,
        raw=HUNTS_READ,
    )
    assert [(r["id"], r["priority"]) for r in mapping.resources(HUNTS_PATCHED)] == [
        (HUNT_USERS[0], 100),
        (HUNT_USERS[1], 99),
        (HUNT_USERS[2], 95),
    ]


def test_the_documented_providers_map_to_trunks_with_domain_and_proxy() -> None:
    sipnet, oktell = (mapping.trunk_from(p) for p in PROVIDERS_LISTED)
    assert sipnet == Trunk(
        id="c581b67c-016c-d219-b121-50e54938780c",
        name="3528769",
        domain="sipnet.ru",
        host="212.53.40.40",
        port=5060,
        transport=Transport.TCP,
        username="3528769",
        enabled=True,
        register=True,
        kind=TrunkKind.SIP,
        model=None,
        registration=None,
        raw=PROVIDERS_LISTED[0],
    )
    # No outbound proxy: Era resolves the domain itself, whatever proxyport holds.
    assert (oktell.domain, oktell.host, oktell.port, oktell.transport, oktell.username) == (
        "test.oktell.ru",
        None,
        None,
        Transport.UDP,
        "testuser11",
    )
    created = mapping.trunk_from(PROVIDERS_CREATED)
    assert (created.domain, created.host, created.port) == ("sipnet.ru", "212.53.40.40", None)  # 0: Era's default
    assert "pwd" not in created.raw and "bbb" not in repr(created)


async def test_the_connector_reads_the_documented_listings(
    empty: Emulator[EraState], era_connector: EraConnector
) -> None:
    for collection in COLLECTIONS:
        load_documented_listing(empty, collection)
    groups = await era_connector.groups.page(ListQuery(sort=SortField.EXTENSION))
    assert [(g.name, g.extension, g.strategy) for g in groups.items] == [
        ("200", "200", RingStrategy.RANDOM),
        ("500", "500", RingStrategy.RANDOM),
    ]
    trunks = await era_connector.trunks.page(ListQuery(sort=SortField.NAME))
    assert [(t.name, t.domain, t.host, t.port) for t in trunks.items] == [
        ("3528769", "sipnet.ru", "212.53.40.40", 5060),
        ("Oktell", "test.oktell.ru", None, None),
    ]
    (support,) = await era_connector.queues.members_of(["a9667bcc-016c-cd71-6d06-50e54938780c"])
    assert [(m.user.id if m.user else None, m.priority) for m in support] == [(HUNT_USERS[0], 100), (HUNT_USERS[1], 99)]


async def test_the_documented_hunts_list_naming_one_id_twice_is_one_queue(
    empty: Emulator[EraState], era_connector: EraConnector
) -> None:
    load_documented_listing(empty, "hunts")
    listed = await era_connector.queues.page(ListQuery())
    assert [(q.id, q.name, q.extension) for q in listed.items] == [
        ("a9667bcc-016c-cd71-6d06-50e54938780c", "hunt_4", "402")
    ]  # the first row; its read says the same
    assert listed.total == 1 and not listed.has_more
    # Asked for the repeated row's number, the listing answers that row, once.
    (by_number,) = (await era_connector.queues.page(ListQuery(filter=Filter(extension="405")))).items
    assert (by_number.id, by_number.name, by_number.extension) == (
        "a9667bcc-016c-cd71-6d06-50e54938780c",
        "hunt_5",
        "405",
    )

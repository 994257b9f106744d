"""The demo data set: a small company, so a first query has something to show.

Deterministic (no randomness), so the README's first query gives everyone the
same answer.
"""

from __future__ import annotations

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from pbxgraph.connectors.local import tables
from pbxgraph.connectors.local.common import inserted_id

_PEOPLE = [
    ("Amelia", "Hughes"),
    ("Oliver", "Bennett"),
    ("Isla", "Carter"),
    ("Noah", "Fischer"),
    ("Sofia", "Romano"),
    ("Liam", "O'Connor"),
    ("Maya", "Patel"),
    ("Lucas", "Moreau"),
    ("Chloe", "Nguyen"),
    ("Ethan", "Kowalski"),
    ("Zoe", "Andersen"),
    ("Mateo", "Garcia"),
    ("Hana", "Sato"),
    ("Felix", "Wagner"),
    ("Grace", "Okafor"),
    ("Leo", "Lindqvist"),
    ("Emma", "Dubois"),
    ("Arjun", "Mehta"),
    ("Nora", "Schmidt"),
    ("Samuel", "Cohen"),
    ("Ava", "Rossi"),
    ("Daniel", "Park"),
    ("Lena", "Novak"),
    ("Hugo", "Laurent"),
    ("Mia", "Jensen"),
    ("Omar", "Haddad"),
    ("Elena", "Popescu"),
    ("Jonas", "Becker"),
    ("Priya", "Sharma"),
    ("Tomás", "Silva"),
    ("Freya", "Walsh"),
    ("Yusuf", "Demir"),
]
_MODELS = ["Yealink T54W", "Poly VVX 450", "Snom D785", "Grandstream GRP2614", "Cisco 8851"]


async def load_demo_data(conn: AsyncConnection) -> None:
    user_ids: list[int] = []
    for index, (first, last) in enumerate(_PEOPLE):
        username = f"{first[0]}{last}".lower().replace("'", "").replace("á", "a")
        extension = str(201 + index)
        result = await conn.execute(
            insert(tables.users).values(
                username=username,
                display_name=f"{first} {last}",
                extension=extension,
                email=f"{username}@example.com",
                enabled=index != 27,
                sip_password=f"demo-{extension}-not-secret",
            )
        )
        user_ids.append(inserted_id(result))
        await conn.execute(insert(tables.numbers).values(number=extension, kind="user", owner_id=user_ids[-1]))

    groups = [
        ("Sales", "600", "all", "Inbound sales team", user_ids[0:6]),
        ("Support", "601", "sequential", "First-line support", user_ids[6:14]),
        ("Reception", "602", "all", "Front desk", user_ids[14:16]),
        ("Engineering", "603", "round_robin", "On-call engineers", user_ids[16:22]),
    ]
    group_ids: list[int] = []
    for name, extension, strategy, description, members in groups:
        result = await conn.execute(
            insert(tables.groups).values(name=name, extension=extension, strategy=strategy, description=description)
        )
        gid = inserted_id(result)
        group_ids.append(gid)
        await conn.execute(insert(tables.numbers).values(number=extension, kind="group", owner_id=gid))
        for position, uid in enumerate(members):
            await conn.execute(insert(tables.group_members).values(group_id=gid, user_id=uid, position=position))

    queues = [
        ("Customer Support Line", "700", "longest_idle", [("group", group_ids[1], 1), ("user", user_ids[22], 2)]),
        ("Sales Hotline", "701", "round_robin", [("group", group_ids[0], 1)]),
        (
            "Main Reception",
            "702",
            "priority",
            [("user", user_ids[14], 1), ("user", user_ids[15], 2), ("group", group_ids[2], 3)],
        ),
    ]
    for name, extension, strategy, served_by in queues:
        result = await conn.execute(insert(tables.queues).values(name=name, extension=extension, strategy=strategy))
        qid = inserted_id(result)
        await conn.execute(insert(tables.numbers).values(number=extension, kind="queue", owner_id=qid))
        for position, (kind, member_id, priority) in enumerate(served_by):
            await conn.execute(
                insert(tables.queue_members).values(
                    queue_id=qid,
                    position=position,
                    priority=priority,
                    user_id=member_id if kind == "user" else None,
                    group_id=member_id if kind == "group" else None,
                )
            )

    await conn.execute(
        insert(tables.trunks),
        [
            {
                "name": "Carrier Primary",
                "domain": "carrier-one.example.net",
                "host": "sip.carrier-one.example.net",
                "port": 5061,
                "transport": "tls",
                "username": "acme-main",
                "password": "demo-trunk-not-secret",
                "enabled": True,
                "register": True,
                "kind": "sip",
                "model": None,
            },
            {
                "name": "Carrier Backup",
                "domain": "voip.carrier-two.example.org",
                "host": "203.0.113.40",
                "port": 5060,
                "transport": "udp",
                "username": "acme-backup",
                "password": "demo-trunk2-not-secret",
                "enabled": True,
                "register": False,
                "kind": "sip",
                "model": None,
            },
            {
                "name": "Legacy ISDN Gateway",
                "domain": None,
                "host": "10.20.0.5",
                "port": 5060,
                "transport": "tcp",
                "username": None,
                "password": None,
                "enabled": False,
                "register": False,
                "kind": "pri",
                "model": "E1 gateway",
            },
        ],
    )

    for index in range(24):
        await conn.execute(
            insert(tables.devices).values(
                mac=f"80:5e:c0:{index // 256:02x}:{index % 256:02x}:{(index * 7) % 256:02x}",
                model=_MODELS[index % len(_MODELS)],
                name=f"Desk {index + 1:02d}",
                user_id=user_ids[index] if index < 20 else None,
            )
        )

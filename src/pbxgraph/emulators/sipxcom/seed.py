"""The seeded sipXcom: a small office with two branches.

Users with groups and aliases (one of them disabled), phones with lines for
some users (their SIP passwords in clear, as the real server shows them), a
SIP trunk whose account password sits in its settings, hardware gateways
(analogue FXO, ISDN PRI) and an unmanaged one, two hunt groups, and
registrations: some current, one expired, some users never registered.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pbxgraph.emulators.sipxcom.state import (
    RING_IMMEDIATE,
    Branch,
    Gateway,
    HuntGroup,
    Line,
    Phone,
    PhoneGroup,
    Registration,
    Ring,
    SipUser,
    UserGroup,
    sip_trunk_settings,
)

if TYPE_CHECKING:
    from pbxgraph.emulators.sipxcom.state import SipxState

#: Seeded secrets, exported so tests can prove they never leak.
SEED_SIP_PASSWORDS = {
    "200": "Al1ce-SIP-pw-5521",
    "201": "B0b-SIP-pw-8834",
    "202": "Car0l-SIP-pw-1290",
    "203": "D4ve-SIP-pw-7713",
    "204": "Er1n-SIP-pw-4409",
}
SEED_PINS = {"200": "4821", "201": "9313", "202": "5550", "203": "1066", "204": "2718"}
SEED_TRUNK_PASSWORD = "Trunk-S3cret-7781"


def load_seed(state: SipxState) -> None:
    now = int(state.clock())
    state.save_branch(
        Branch(
            id=1,
            name="whitehouse",
            description="headquarters",
            address={
                "id": 1,
                "street": "1600 Pennsylvania Avenue NW",
                "city": "Washington",
                "country": "US",
                "state": "DC",
                "zip": "20500",
                "officeDesignation": "ovaloffice",
            },
            phone_number="4235551212",
            fax_number="4235552323",
        )
    )
    state.save_branch(
        Branch(
            id=2,
            name="lab",
            description="test lab",
            address={
                "id": 2,
                "street": "101 Independence Ave SE",
                "city": "Washington",
                "country": "US",
                "state": "DC",
                "zip": "20540",
            },
        )
    )

    state.save_group(UserGroup(id=1, name="sales", description="Sales team", branch_id=1))
    state.save_group(UserGroup(id=2, name="support", description="First-line support"))
    state.save_group(UserGroup(id=3, name="engineering", description="Lab engineers", branch_id=2))

    people = [
        (1, "200", "Alice", "Smith", "alice@example.com", [1], 1, ["alice"]),
        (2, "201", "Bob", "Jones", "bob@example.com", [1, 2], 1, ["bob"]),
        (3, "202", "Carol", "White", "carol@example.com", [2], 1, []),
        (4, "203", "Dave", "Brown", None, [3], 2, ["dave"]),
        (5, "204", "Erin", "Green", "erin@example.com", [], None, []),
    ]
    for user_id, name, first, last, email, groups, branch, aliases in people:
        state.save_user(
            SipUser(
                id=user_id,
                user_name=name,
                first_name=first,
                last_name=last,
                email=email,
                pin=SEED_PINS[name],
                sip_password=SEED_SIP_PASSWORDS[name],
                group_ids=list(groups),
                branch_id=branch,
                aliases=list(aliases),
                enabled=name != "204",
            )
        )

    state.phone_groups[1] = PhoneGroup(id=1, name="headquarters", description="HQ desk phones", weight=1)
    state.phone_groups[2] = PhoneGroup(id=2, name="lab-phones", description="Phones in the lab", weight=2)
    state.claim_id("phone_group", 2)

    state.save_phone(
        Phone(
            id=1,
            serial_no="0004f280cc95",
            model_id="polycomVVX450",
            description="Alice desk",
            device_version="polycom6.3",
            lines=[Line(id=1, user_id=1)],
            group_ids=[1],
        )
    )
    state.save_phone(
        Phone(
            id=2,
            serial_no="805ec0a1b2c3",
            model_id="yealinkSIPT46S",
            description="Bob desk",
            lines=[Line(id=2, user_id=2)],
            group_ids=[1],
        )
    )
    state.save_phone(
        Phone(id=3, serial_no="0004f2aabbcc", model_id="polycomVVX411", description="Lobby phone", group_ids=[2])
    )
    state.claim_id("line", 2)

    trunk_settings = sip_trunk_settings()
    for path, value in {
        "itsp-account/user-name": "5568",
        "itsp-account/password": SEED_TRUNK_PASSWORD,
        "itsp-account/register-on-initialization": "true",
        "itsp-account/itsp-proxy-address": "192.168.1.14",
        "itsp-account/asserted-identity": "5568",
        "itsp-account/is-from-itsp": "true",
        "itsp-account/preferred-identity": "5568@192.168.1.14",
        "itsp-account/strip-private-headers": "true",
        "itsp-account/default-asserted-identity": "false",
    }.items():
        trunk_settings[path].value = value
    state.save_gateway(
        Gateway(
            id=1,
            name="my_siptrunk",
            model_id="sipTrunkStandard",
            description="DIDs 4235550000 through 4235551000",
            enabled=True,
            address="192.168.1.14",
            address_port=5060,
            outbound_port=5060,
            address_transport="tcp",
            shared=True,
            settings=trunk_settings,
        )
    )
    state.save_gateway(
        Gateway(
            id=2,
            name="lobby-fxo",
            model_id="audiocodesMP1X4_4_FXO",
            description="Analog lines",
            enabled=True,
            address="10.0.0.20",
            address_port=5060,
            address_transport="udp",
        )
    )
    state.save_gateway(
        Gateway(
            id=3,
            name="pstn-pri",
            model_id="audiocodesMediant1000",
            description="E1 to the carrier",
            enabled=True,
            address="10.0.0.21",
            address_port=5060,
            address_transport="tcp",
            device_version="audiocodes6.0",
        )
    )
    state.save_gateway(
        Gateway(
            id=4,
            name="old-pbx",
            model_id="genericGatewayStandard",
            description="Legacy PBX, routed to",
            enabled=False,
            address="pbx-old.example.com",
            address_port=0,
            address_transport="none",
        )
    )

    state.save_hunt_group(
        HuntGroup(
            id=1,
            name="sales-hunt",
            extension="600",
            description="Sales line, in turn",
            enabled=True,
            rings=[Ring(user_id=2), Ring(user_id=1, expiration=20)],
        )
    )
    state.save_hunt_group(
        HuntGroup(
            id=2,
            name="helpdesk",
            extension="601",
            description="Everyone at once",
            enabled=True,
            rings=[
                Ring(user_id=3, type=RING_IMMEDIATE),
                Ring(user_id=2, type=RING_IMMEDIATE),
                Ring(user_id=5, type=RING_IMMEDIATE),
            ],
            voicemail_fallback=False,
            fallback_destination="200",
        )
    )

    state.registrations = [
        Registration(
            user_part="200",
            contact='"Alice Smith"<sip:200@192.168.1.50:5060;transport=udp>',
            expires=now + 3600,
            call_id="a84b4c76e66710-1",
            instrument="0004f280cc95",
            user_agent="PolycomVVX-VVX_450-UA/6.3.0",
        ),
        Registration(
            user_part="201",
            contact="<sip:201@192.168.1.51:5060>",
            expires=now - 600,
            call_id="f81d4fae7dec11d0-2",
            instrument="805ec0a1b2c3",
            user_agent="Yealink SIP-T46S 66.85.0.5",
        ),
        Registration(
            user_part="202",
            contact="<sip:202@10.8.0.7:49152;transport=tls>",
            expires=now + 1800,
            call_id="3848276298220188511-3",
            user_agent="Bria 6",
        ),
    ]

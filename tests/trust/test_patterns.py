"""Patterns match whole values: ``$`` lets ``"5657\\n"`` through, ``fullmatch`` does not.

The GraphQL layer refuses control characters before any of these run (see
``test_limits``); these tests hold the checks themselves to the same rule,
since connectors and emulators call them directly.
"""

from __future__ import annotations

import httpx
import pytest

from pbxgraph import validation
from pbxgraph.config import ConfigError, parse_config
from pbxgraph.connectors.infinity.ids import parse_id
from pbxgraph.emulators.era import DEMO_TOKEN
from pbxgraph.emulators.era import create_emulator as create_era
from pbxgraph.emulators.sipxcom.state import Invalid, SipUser, SipxState
from pbxgraph.errors import BadUserInput
from pbxgraph.ids import BACKEND_NAME, numeric_id

CHECKS = [
    (validation.extension, "5657"),
    (validation.username, "anna.berg"),
    (validation.host, "sip.example.com"),
    (validation.email, "anna@example.com"),
    (validation.mac, "00:04:f2:ab:cd:ef"),
]


@pytest.mark.parametrize(("check", "valid"), CHECKS)
def test_every_input_check_refuses_a_trailing_newline(check: object, valid: str) -> None:
    assert check(valid, "field")  # type: ignore[operator]
    for bad in (valid + "\n", valid + "\r\n", "\n" + valid):
        with pytest.raises(BadUserInput) as info:
            check(bad, "field")  # type: ignore[operator]
        assert info.value.field == "field"


def test_ids_and_names_refuse_a_trailing_newline() -> None:
    assert BACKEND_NAME.fullmatch("office") and not BACKEND_NAME.fullmatch("office\n")
    assert parse_id("1-42", {1}) is not None and parse_id("1-42\n", {1}) is None
    assert numeric_id("12") == 12
    assert [numeric_id(v) for v in ("12\n", "١٢", "²", "1_2", " 12", "9" * 19)] == [None] * 6
    with pytest.raises(ConfigError):
        parse_config({"backends": [{"name": "office\n", "vendor": "local"}]})


def test_error_messages_quote_a_short_prefix_only() -> None:
    with pytest.raises(BadUserInput) as info:
        validation.extension("9" * 50_000, "input.extension")
    assert len(info.value.message) < 120 and "9" * 40 not in info.value.message


async def test_the_era_emulator_refuses_a_number_with_a_trailing_newline() -> None:
    era = create_era()
    async with httpx.AsyncClient(
        transport=era.transport(), base_url="http://era.test", headers={"Authorization": f"Bearer {DEMO_TOKEN}"}
    ) as http:
        bad = await http.post("/rest/v1/uc/sipgroups", json={"phonenumber": "5657\n", "type": "cascade"})
        good = await http.post("/rest/v1/uc/sipgroups", json={"phonenumber": "5657", "type": "cascade"})
    assert bad.status_code >= 400 and good.status_code == 200


def test_the_sipxcom_emulator_refuses_a_user_name_with_a_trailing_newline() -> None:
    state = SipxState(seed=False)
    with pytest.raises(Invalid):
        state.save_user(SipUser(id=0, user_name="bob\n"))
    assert state.save_user(SipUser(id=0, user_name="bob")).user_name == "bob"

"""The input checks one by one: what each accepts, what it returns, and how it says no.

Every refusal is a BadUserInput that names the field it was given (or the
check's own default name) and the cause, with the value quoted.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from pbxgraph import validation
from pbxgraph.errors import BadUserInput


def refusal(check: Callable[..., object], *args: object) -> BadUserInput:
    with pytest.raises(BadUserInput) as info:
        check(*args)
    return info.value


@pytest.mark.parametrize("value", ["12", "5657", "123456789012345", "00"])
def test_an_extension_of_2_to_15_digits_is_returned_as_given(value: str) -> None:
    assert validation.extension(value) == value


@pytest.mark.parametrize("value", ["1", "1234567890123456", "12a", "", " 12", "+4912", "１２"])
def test_an_extension_that_is_not_2_to_15_ascii_digits_is_refused(value: str) -> None:
    error = refusal(validation.extension, value, "input.extension")
    assert error.field == "input.extension"
    assert error.message == f"input.extension: must be 2 to 15 digits, got '{value}'"


def test_each_check_names_its_own_field_when_given_none() -> None:
    assert refusal(validation.extension, "x").message == "extension: must be 2 to 15 digits, got 'x'"
    assert refusal(validation.mac, "x").field == "mac"
    assert refusal(validation.username, "-x").field == "username"
    assert refusal(validation.host, "-x").field == "host"
    assert refusal(validation.port, 0).field == "port"
    assert refusal(validation.email, "x").field == "email"


@pytest.mark.parametrize(
    ("given", "normal"),
    [
        ("00:04:F2:AB:CD:EF", "00:04:f2:ab:cd:ef"),
        ("00-04-f2-ab-cd-ef", "00:04:f2:ab:cd:ef"),
        ("0004.f2ab.cdef", "00:04:f2:ab:cd:ef"),
        ("00 04 f2 ab cd ef", "00:04:f2:ab:cd:ef"),
        ("0004F2ABCDEF", "00:04:f2:ab:cd:ef"),
        ("00:04-F2.aB cd:Ef", "00:04:f2:ab:cd:ef"),
    ],
)
def test_a_mac_in_any_common_notation_becomes_lower_case_colon_separated(given: str, normal: str) -> None:
    assert validation.normalize_mac(given) == normal
    assert validation.mac(given, "input.mac") == normal


@pytest.mark.parametrize(
    "value",
    [
        "00:04:f2:ab:cd",
        "00:04:f2:ab:cd:ef:01",
        "00:04:f2:ab:cd:eg",
        "",
        "::::::",
        "00_04_f2_ab_cd_ef",
        "0004f2abcdef\n",
    ],
)
def test_what_is_not_twelve_hex_digits_is_no_mac(value: str) -> None:
    assert validation.normalize_mac(value) is None
    error = refusal(validation.mac, value, "filter.mac")
    assert error.field == "filter.mac"
    shown = value.replace("\n", "\\n")
    assert error.message == (f"filter.mac: '{shown}' is not a MAC address (12 hex digits, e.g. 00:04:f2:ab:cd:ef)")


@pytest.mark.parametrize("value", ["a", "7", "anna.berg", "a_b-c+d@example.com", "A" + "b" * 127])
def test_a_user_name_of_letters_digits_and_punctuation_is_returned_as_given(value: str) -> None:
    assert validation.username(value) == value


@pytest.mark.parametrize("value", ["", ".anna", "-anna", "_anna", "anna berg", "anna/berg", "A" + "b" * 128, "ánna"])
def test_a_user_name_that_starts_badly_or_holds_other_characters_is_refused(value: str) -> None:
    error = refusal(validation.username, value, "input.username")
    assert error.field == "input.username"
    assert error.message.startswith(f"input.username: '{value[:20]}")
    assert error.message.endswith("must start with a letter or digit and use only letters, digits and . _ @ + -")


@pytest.mark.parametrize(
    "value",
    [
        "sip.example.com",
        "sip.example.com.",
        "localhost",
        "a-b.example",
        "x" * 63 + ".net",
        "192.0.2.10",
        "::1",
        "2001:db8::5",
        "fe80::1%eth0",
        ".".join(["a" * 61] * 4) + ".abcde",
    ],
)
def test_a_host_name_or_an_ip_address_is_returned_as_given(value: str) -> None:
    assert validation.host(value) == value


@pytest.mark.parametrize(
    "value",
    [
        "-sip.example.com",
        "sip-.example.com",
        "sip..example.com",
        "x" * 64 + ".net",
        ".".join(["a" * 61] * 4) + ".abcdef",
        "sip_example.com",
        "sip example.com",
        "",
        "sip.example.com/x",
        "::1]",
        "[::1]",
    ],
)
def test_what_is_neither_a_host_name_nor_an_ip_address_is_refused(value: str) -> None:
    error = refusal(validation.host, value, "input.host")
    assert error.field == "input.host"
    assert error.message.startswith(f"input.host: '{value[:20]}")
    assert error.message.endswith("is not a host name or IP address")


@pytest.mark.parametrize("value", [1, 2, 5060, 65534, 65535])
def test_a_port_from_1_to_65535_is_returned(value: int) -> None:
    assert validation.port(value) == value


@pytest.mark.parametrize("value", [0, -1, 65536, 70000])
def test_a_port_outside_1_to_65535_is_refused_naming_the_value(value: int) -> None:
    error = refusal(validation.port, value, "input.port")
    assert error.field == "input.port"
    assert error.message == f"input.port: must be between 1 and 65535, got {value}"


@pytest.mark.parametrize("value", ["anna@example.com", "a.b+c@mail.example.co.uk"])
def test_an_email_address_is_returned_as_given(value: str) -> None:
    assert validation.email(value) == value


@pytest.mark.parametrize(
    "value", ["anna", "anna@example", "@example.com", "anna@@example.com", "an na@example.com", "anna@exa mple.com"]
)
def test_what_is_not_an_email_address_is_refused(value: str) -> None:
    error = refusal(validation.email, value, "input.email")
    assert error.field == "input.email"
    assert error.message == f"input.email: '{value}' is not an e-mail address"


def test_non_empty_strips_and_refuses_blank_text() -> None:
    assert validation.non_empty("  Sales  ", "input.name") == "Sales"
    for blank in ("", "   ", "\t\n"):
        error = refusal(validation.non_empty, blank, "input.name")
        assert error.field == "input.name"
        assert error.message == "input.name: must not be empty"

"""Global ids, native ids and URL segments, checked as the functions of ``pbxgraph.ids``.

A global id is ``pbx1:kind:backend:native`` in base64url without padding;
anything else is BadUserInput naming the field, decided before any backend
is asked (the GraphQL tests in ``tests/trust/test_ids.py`` show that no call
follows).
"""

from __future__ import annotations

import base64

import pytest

from pbxgraph.domain import Kind
from pbxgraph.errors import BadUserInput
from pbxgraph.ids import (
    MAX_ID_LENGTH,
    MAX_NATIVE_ID_LENGTH,
    GlobalId,
    check_native_id,
    decode_expected,
    decode_id,
    encode_id,
    is_control,
    numeric_id,
    unsafe_segment,
)


def raw(text: str) -> str:
    """``text`` spelled the way a global id is: base64url, padding dropped."""
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def refused(value: object, field: str = "id") -> BadUserInput:
    with pytest.raises(BadUserInput) as info:
        decode_id(value, field=field)  # type: ignore[arg-type]
    assert info.value.field == field
    return info.value


@pytest.mark.parametrize(
    "native",
    ["1", "12", "123", "1234", "a:b", "a:b:c", "7f3e-11", "x" * MAX_NATIVE_ID_LENGTH, "Ünïcode", "100%", "%zz"],
)
@pytest.mark.parametrize("kind", list(Kind))
def test_every_kind_and_native_id_survives_the_round_trip(kind: Kind, native: str) -> None:
    encoded = encode_id(kind, "office-2", native)
    assert not encoded.endswith("=") and "=" not in encoded
    assert encoded == raw(f"pbx1:{kind.value}:office-2:{native}")
    assert decode_id(encoded) == GlobalId(kind, "office-2", native)
    assert GlobalId(kind, "office-2", native).encode() == encoded


def test_an_id_that_is_no_string_or_empty_is_not_a_pbxgraph_id() -> None:
    for value in ("", None, 12, b"cGJ4MTp1c2VyOm9mZmljZTox"):
        assert refused(value, "input.memberIds[2]").message == "input.memberIds[2]: not a pbxgraph id"


def test_an_id_longer_than_the_limit_is_refused_without_quoting_it() -> None:
    assert refused("A" * (MAX_ID_LENGTH + 1)).message == (
        f"id: not a pbxgraph id (longer than {MAX_ID_LENGTH} characters)"
    )
    at_limit = refused("A" * MAX_ID_LENGTH)  # short enough to be read, and then no id
    assert at_limit.message.startswith("id: 'AAAA") and at_limit.message.endswith("is not a pbxgraph id")
    assert "longer than" not in at_limit.message


@pytest.mark.parametrize(
    "text",
    [
        "pbx2:user:office:1",  # another prefix
        "PBX1:user:office:1",
        ":user:office:1",
        "pbx1:user:office",  # three parts
        "pbx1:user",
        "pbx1",
        "pbx1:robot:office:1",  # no such kind
        "pbx1:User:office:1",
        "pbx1:user::1",  # no backend
        "pbx1:user:-office:1",  # a backend name starts with a letter or digit
        "pbx1:user:off ice:1",
        "pbx1:user:office:",  # an empty native id
        "pbx1:user:office:..",
        "pbx1:user:office:a/b",
        "pbx1:user:office:%2e%2e",
    ],
)
def test_an_id_of_another_shape_is_refused_naming_the_field(text: str) -> None:
    error = refused(raw(text), "userIds[0]")
    assert error.message.startswith("userIds[0]: ")


def test_the_message_says_why_a_native_id_is_refused() -> None:
    assert refused(raw("pbx1:user:office:")).message == "id: the native id '' is empty"
    assert refused(raw("pbx1:user:office:a?b")).message == "id: the native id 'a?b' holds '/', '\\', '?' or '#'"
    assert refused(raw("pbx1:group:office:" + "9" * 256)).message == ("id: the native id is longer than 255 characters")


@pytest.mark.parametrize(
    "value",
    [
        "not an id",
        "cGJ4MTp1c2VyOm9mZmljZTox!",
        "cGJ4MTp1c2VyOm9mZmljZTox\n",
        "==",
        "cGJ4MTp1c2VyOm9mZmljZTox===",
        raw("pbx1:user:office:1")[:-1] + "+",
        base64.urlsafe_b64encode(b"pbx1:user:office:\xff").decode(),
    ],
)
def test_what_is_not_base64url_of_utf8_text_is_refused_quoting_a_prefix(value: str) -> None:
    error = refused(value, "ids[1]")
    assert error.message.startswith("ids[1]: '") and error.message.endswith("is not a pbxgraph id")


def test_an_id_of_any_length_modulo_four_decodes() -> None:
    lengths = set()
    for native in ("1", "12", "123", "1234", "12345", "123456"):
        encoded = encode_id(Kind.DEVICE, "b", native)
        lengths.add(len(encoded) % 4)
        assert decode_id(encoded).native_id == native
    assert lengths == {0, 2, 3}  # every length an unpadded base64 text can have


def test_decode_expected_refuses_an_id_of_another_kind_naming_both() -> None:
    user = encode_id(Kind.USER, "office", "7")
    assert decode_expected(user, Kind.USER) == GlobalId(Kind.USER, "office", "7")
    with pytest.raises(BadUserInput) as info:
        decode_expected(user, Kind.GROUP, field="groupId")
    assert info.value.field == "groupId"
    assert info.value.message == "groupId: expected the id of a group, got the id of a user"
    with pytest.raises(BadUserInput) as info:
        decode_expected(user, Kind.QUEUE)
    assert info.value.field == "id" and info.value.message.startswith("id: expected the id of a queue")
    with pytest.raises(BadUserInput) as info:
        decode_expected("nonsense", Kind.USER)
    assert info.value.field == "id"


def test_check_native_id_returns_a_safe_id_and_names_the_field_of_an_unsafe_one() -> None:
    assert check_native_id("42") == "42"
    assert check_native_id("x" * MAX_NATIVE_ID_LENGTH, field="input.id") == "x" * MAX_NATIVE_ID_LENGTH
    with pytest.raises(BadUserInput) as info:
        check_native_id("x" * (MAX_NATIVE_ID_LENGTH + 1))
    assert info.value.field == "id"
    assert info.value.message == "id: the native id is longer than 255 characters"
    with pytest.raises(BadUserInput) as info:
        check_native_id("..")
    assert info.value.field == "id"
    assert info.value.message == "id: the native id '..' is '..': a path step, not an id"
    with pytest.raises(BadUserInput) as info:
        check_native_id("a\x00b", field="input.userId")
    assert info.value.field == "input.userId"
    assert info.value.message == "input.userId: the native id 'a\\x00b' holds a control character"


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("", "is empty"),
        (".", "is '.': a path step, not an id"),
        ("..", "is '..': a path step, not an id"),
        ("%2e%2E", "is '..' once %-decoded: a path step, not an id"),
        ("%2e", "is '.' once %-decoded: a path step, not an id"),
        ("%252e%252e", "is '..' once %-decoded: a path step, not an id"),
        ("%25252e%25252e", "is '..' once %-decoded: a path step, not an id"),
        ("a/b", "holds '/', '\\', '?' or '#'"),
        ("a\\b", "holds '/', '\\', '?' or '#'"),
        ("a#b", "holds '/', '\\', '?' or '#'"),
        ("a%2Fb", "holds '/', '\\', '?' or '#' once %-decoded"),
        ("a%253Fb", "holds '/', '\\', '?' or '#' once %-decoded"),
        ("a\x7fb", "holds a control character"),
        ("a\u202eb", "holds a control character"),
        ("a%0Ab", "holds a control character once %-decoded"),
        ("a%ff/b", "holds '/', '\\', '?' or '#'"),
        ("50%/..", "holds '/', '\\', '?' or '#'"),
        ("..%2F..%2Fadmin%ff", "holds '/', '\\', '?' or '#' once %-decoded"),
        ("%2e%2e%ff%00", "holds a control character once %-decoded"),
    ],
)
def test_unsafe_segment_says_why_a_text_cannot_be_one_path_segment(text: str, why: str) -> None:
    assert unsafe_segment(text) == why


@pytest.mark.parametrize(
    "text",
    [
        "42",
        "a-b_c.d~e",
        "100%",
        "%",
        "%zz",
        "a%ffb",
        "%ff",
        "50%25",
        "caf%C3%A9",
        "..a",
        "a..",
        "...",
        "Ünïcode",
        "a b",
    ],
)
def test_unsafe_segment_lets_an_ordinary_segment_pass(text: str) -> None:
    assert unsafe_segment(text) is None


def test_numeric_ids_are_ascii_digits_only() -> None:
    assert numeric_id("0") == 0 and numeric_id("007") == 7 and numeric_id("9" * 18) == 10**18 - 1
    for value in ("", "9" * 19, "-1", "1.0", "١٢", 12, None):
        assert numeric_id(value) is None


def test_control_format_and_separator_characters_are_control() -> None:
    assert all(is_control(c) for c in ("\x00", "\n", "\x7f", "\u200b", "\u202e", "\u2028", "\u2029", "\ud800"))
    assert not any(is_control(c) for c in ("a", " ", "é", "%", "/", "\u00a0"))

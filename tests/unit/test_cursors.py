"""Cursors of an aggregated listing: what ``encode_cursor`` makes, ``decode_cursor`` reads back,
and anything else is BAD_USER_INPUT naming ``after``."""

from __future__ import annotations

import base64
import json

import pytest

from pbxgraph.domain import After, SortField, User
from pbxgraph.errors import BadUserInput
from pbxgraph.service.listing import (
    MAX_CURSOR_LENGTH,
    MAX_KEY_LENGTH,
    MAX_OFFSET,
    anchor_of,
    decode_cursor,
    decode_position,
    encode_cursor,
)

FINGERPRINT = "3f2a9c0d1e7b"
BACKENDS = ["east", "west"]
NOT_A_CURSOR = "after: not a cursor of this listing"
OTHER_LISTING = "after: the cursor belongs to a listing with other backends, filter or order"


def spelled(data: object) -> str:
    """A cursor of our own making, holding ``data`` (as a forger would make one)."""
    return base64.urlsafe_b64encode(json.dumps(data, allow_nan=True).encode()).decode().rstrip("=")


def refusal(cursor: str, fingerprint: str = FINGERPRINT, backends: list[str] = BACKENDS) -> str:
    with pytest.raises(BadUserInput) as info:
        decode_cursor(cursor, fingerprint, backends)
    assert info.value.field == "after"
    return info.value.message


def test_every_offset_survives_the_round_trip_without_padding() -> None:
    lengths = set()
    for east in range(0, 300, 7):
        for west in (0, 1, 99, MAX_OFFSET):
            offsets = {"east": east, "west": west}
            cursor = encode_cursor(FINGERPRINT, offsets)
            lengths.add(len(cursor) % 4)
            assert "=" not in cursor
            assert decode_cursor(cursor, FINGERPRINT, BACKENDS) == offsets
    assert lengths == {0, 2, 3}


def test_a_cursor_of_another_listing_is_refused() -> None:
    cursor = encode_cursor(FINGERPRINT, {"east": 3, "west": 4})
    assert refusal(cursor, fingerprint="000000000000") == OTHER_LISTING
    assert refusal(cursor, backends=["east"]) == OTHER_LISTING
    assert refusal(cursor, backends=["east", "west", "north"]) == OTHER_LISTING
    assert refusal(encode_cursor(FINGERPRINT, {"east": 3}), backends=BACKENDS) == OTHER_LISTING


def test_offsets_from_0_to_the_limit_are_accepted_and_no_others() -> None:
    assert decode_cursor(spelled({"q": FINGERPRINT, "o": {"east": 0, "west": MAX_OFFSET}}), FINGERPRINT, BACKENDS) == {
        "east": 0,
        "west": MAX_OFFSET,
    }
    for bad in (MAX_OFFSET + 1, -1, 1.0, "1", True, None, [1], float("nan"), 2**63):
        assert refusal(spelled({"q": FINGERPRINT, "o": {"east": 0, "west": bad}})) == NOT_A_CURSOR


@pytest.mark.parametrize(
    "data",
    [
        {"q": FINGERPRINT},
        {"o": {"east": 0, "west": 0}},
        [FINGERPRINT],
        "cursor",
        12,
        None,
        {"q": FINGERPRINT, "o": [0, 0]},
        {"q": FINGERPRINT, "o": {"east": 0, "west": 0}, "x": float("nan")},
        {"q": float("inf"), "o": {"east": 0, "west": 0}},
    ],
)
def test_a_cursor_of_another_shape_is_no_cursor(data: object) -> None:
    assert refusal(spelled(data)) == NOT_A_CURSOR


@pytest.mark.parametrize(
    "cursor", ["not a cursor", "abc!", "eyJx\n", "=" * 4, "e30=x", base64.urlsafe_b64encode(b"\xff\xfe{").decode(), "a"]
)
def test_text_that_is_not_base64url_json_is_no_cursor(cursor: str) -> None:
    assert refusal(cursor) == NOT_A_CURSOR


def test_a_cursor_up_to_the_length_limit_is_read_and_a_longer_one_is_not() -> None:
    def cursor_of_length(length: int) -> tuple[str, list[str]]:
        for size in range(1, MAX_CURSOR_LENGTH):
            backends = ["east", "w" * size]
            cursor = encode_cursor(FINGERPRINT, dict.fromkeys(backends, 1))
            if len(cursor) == length:
                return cursor, backends
        raise AssertionError(f"no cursor of {length} characters")

    cursor, backends = cursor_of_length(MAX_CURSOR_LENGTH)
    assert decode_cursor(cursor, FINGERPRINT, backends) == dict.fromkeys(backends, 1)
    cursor, backends = cursor_of_length(MAX_CURSOR_LENGTH + 2)
    assert refusal(cursor, backends=backends) == NOT_A_CURSOR


def test_the_last_items_survive_the_round_trip_and_a_cursor_without_them_still_reads() -> None:
    anchors = {"east": After(value="Ann Lee", id="17"), "west": After(value=None, id="x-9")}
    cursor = encode_cursor(FINGERPRINT, {"east": 3, "west": 4}, anchors)
    assert decode_position(cursor, FINGERPRINT, BACKENDS) == ({"east": 3, "west": 4}, anchors)
    assert decode_cursor(cursor, FINGERPRINT, BACKENDS) == {"east": 3, "west": 4}
    older = encode_cursor(FINGERPRINT, {"east": 3, "west": 4})
    assert decode_position(older, FINGERPRINT, BACKENDS) == ({"east": 3, "west": 4}, {})


@pytest.mark.parametrize(
    "items",
    [
        [],
        {"north": ["a", "1"]},
        {"east": ["a"]},
        {"east": ["a", "1", "2"]},
        {"east": [1, "1"]},
        {"east": ["a", 1]},
        {"east": ["a", ""]},
        {"east": ["a" * (MAX_KEY_LENGTH + 1), "1"]},
        {"east": "a"},
    ],
)
def test_a_cursor_with_malformed_last_items_is_no_cursor(items: object) -> None:
    assert refusal(spelled({"q": FINGERPRINT, "o": {"east": 1, "west": 0}, "k": items})) == NOT_A_CURSOR


def test_a_last_item_too_long_to_carry_is_left_out() -> None:
    assert anchor_of(User(id="1", username="u", display_name="n" * (MAX_KEY_LENGTH + 1)), SortField.NAME) is None
    assert anchor_of(User(id="1", username="u", extension="201"), SortField.EXTENSION) == After(value="201", id="1")


def test_last_items_too_many_to_fit_leave_an_offset_cursor() -> None:
    backends = [f"backend-{i:02d}" for i in range(40)]
    offsets = dict.fromkeys(backends, 5)
    long_name = "\u00e9" * MAX_KEY_LENGTH
    cursor = encode_cursor(FINGERPRINT, offsets, {name: After(value=long_name, id="1") for name in backends})
    assert len(cursor) <= MAX_CURSOR_LENGTH
    assert decode_position(cursor, FINGERPRINT, backends) == (offsets, {})

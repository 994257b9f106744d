"""The one ordering of every listing: names case-insensitively, extensions by length then digits,
missing values last in either direction, ties by native id (numerically where numeric)."""

from __future__ import annotations

import functools

from pbxgraph.domain import Device, Group, SortField, User
from pbxgraph.ordering import id_key, precedes, sort_key


def ordered(records: list, field: SortField, descending: bool = False) -> list[str]:
    """The records' ids in the order ``precedes`` puts them (a merge takes the head that precedes)."""

    def compare(a: object, b: object) -> int:
        ka, kb = sort_key(a, field), sort_key(b, field)
        return -1 if precedes(ka, kb, descending) else 1 if precedes(kb, ka, descending) else 0

    return [r.id for r in sorted(records, key=functools.cmp_to_key(compare))]


USERS = [
    User(id="1", username="zoe", display_name="Zoe Andersen", extension="210"),
    User(id="2", username="alice", extension="9"),
    User(id="3", username="Bob", display_name=None, extension="1000"),
    User(id="4", username="carl", display_name="carl", extension=None),
    User(id="10", username="dora", display_name="Dora", extension=None),
    User(id="5", username="bea", display_name="bea", extension="0099"),
]


def test_names_compare_case_insensitively_with_ties_by_numeric_id() -> None:
    assert ordered(USERS, SortField.NAME) == ["2", "5", "3", "4", "10", "1"]
    twins = [
        User(id="10", username="x", display_name="Anna"),
        User(id="9", username="y", display_name="anna"),
        User(id="b", username="z", display_name="ANNA"),
        User(id="a", username="w", display_name="Anna"),
    ]
    assert ordered(twins, SortField.NAME) == ["9", "10", "a", "b"]
    assert ordered(twins, SortField.NAME, descending=True) == ["b", "a", "10", "9"]


def test_extensions_compare_by_length_then_digits_and_missing_ones_come_last() -> None:
    assert ordered(USERS, SortField.EXTENSION) == ["2", "1", "5", "3", "4", "10"]
    numbers = [User(id=str(i), username="u", extension=e) for i, e in enumerate(["0030", "30", "100", "99", "031"])]
    assert [numbers[int(i)].extension for i in ordered(numbers, SortField.EXTENSION)] == [
        "30",
        "99",
        "031",
        "100",
        "0030",
    ]


def test_descending_reverses_values_and_ties_but_keeps_missing_values_last() -> None:
    assert ordered(USERS, SortField.EXTENSION, descending=True) == ["3", "5", "1", "2", "10", "4"]
    assert ordered(USERS, SortField.NAME, descending=True) == ["1", "10", "4", "3", "5", "2"]


def test_a_key_says_whether_the_value_is_missing_first() -> None:
    present, missing = sort_key(USERS[0], SortField.EXTENSION), sort_key(USERS[3], SortField.EXTENSION)
    assert present[0] == 0 and missing[0] == 1
    for descending in (False, True):
        assert precedes(present, missing, descending) and not precedes(missing, present, descending)


def test_equal_keys_precede_neither_way() -> None:
    key = sort_key(USERS[1], SortField.NAME)
    assert not precedes(key, key, False) and not precedes(key, key, True)


def test_devices_sort_by_name_then_mac_then_id_and_groups_by_their_name() -> None:
    devices = [
        Device(id="3", mac="00:04:f2:00:00:01"),
        Device(id="1", name="Lobby"),
        Device(id="2"),
        Device(id="4", name="desk", mac="00:04:f2:00:00:00"),
    ]
    assert ordered(devices, SortField.NAME) == ["3", "2", "4", "1"]
    assert ordered(devices, SortField.EXTENSION) == ["1", "2", "3", "4"]  # no extension: by id
    groups = [Group(id="1", name="support", extension="601"), Group(id="2", name="Sales", extension="600")]
    assert ordered(groups, SortField.NAME) == ["2", "1"]
    assert ordered(groups, SortField.EXTENSION, descending=True) == ["1", "2"]


def test_numeric_ids_compare_as_numbers_and_others_as_text() -> None:
    assert id_key("9") < id_key("10") < id_key("99999999999999999999")
    assert id_key("a9") > id_key("a10")  # text
    assert id_key("x") == "x" and id_key("") == ""
    assert sorted(["10", "9", "b", "a", "100"], key=id_key) == ["9", "10", "100", "a", "b"]

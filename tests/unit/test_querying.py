"""Filtering, ordering and paging done in pbxgraph for a vendor that cannot do them itself."""

from __future__ import annotations

from pbxgraph.connectors.querying import apply_query, matches
from pbxgraph.domain import Device, Filter, Group, ListQuery, SortField, User

USERS = [
    User(id="1", username="anna.berg", display_name="Anna Berg", extension="201"),
    User(id="2", username="bob", display_name=None, extension="202"),
    User(id="3", username="cleo", display_name="Cleo Nord", extension=None),
    User(id="4", username="dave", display_name="Dave Berger", extension="20"),
    User(id="5", username="eve", display_name="eve", extension=None),
]
DEVICES = [
    Device(id="1", mac="00:04:f2:ab:cd:ef", model="Yealink T54W", name="Front desk"),
    Device(id="2", mac="00:04:f2:00:00:01", model=None, name=None),
    Device(id="3", mac=None, model="Poly VVX", name="Lobby"),
    Device(id="4", mac=None, model=None, name="Store"),
]


def ids(records: list) -> list[str]:
    return [r.id for r in records]


def test_the_extension_filter_matches_exactly() -> None:
    assert [u.id for u in USERS if matches(u, Filter(extension="20"))] == ["4"]
    assert [u.id for u in USERS if matches(u, Filter(extension="201"))] == ["1"]
    assert not matches(DEVICES[0], Filter(extension="201"))  # a device has no extension
    assert matches(Group(id="1", name="Sales", extension="600"), Filter(extension="600"))


def test_search_looks_in_the_name_and_the_user_name_case_insensitively() -> None:
    assert [u.id for u in USERS if matches(u, Filter(search="BERG"))] == ["1", "4"]
    assert [u.id for u in USERS if matches(u, Filter(search="bob"))] == ["2"]  # the name falls back to it
    assert [u.id for u in USERS if matches(u, Filter(search="cleo"))] == ["3"]
    assert [u.id for u in USERS if matches(u, Filter(search="anna.b"))] == ["1"]  # the user name alone holds it
    assert [u.id for u in USERS if matches(u, Filter(search="xx"))] == []
    assert matches(Group(id="1", name="Sales Team"), Filter(search="team"))
    assert not matches(Group(id="1", name="Sales Team"), Filter(search="support"))


def test_search_looks_in_a_devices_name_mac_and_model() -> None:
    assert [d.id for d in DEVICES if matches(d, Filter(search="desk"))] == ["1"]
    assert [d.id for d in DEVICES if matches(d, Filter(search="AB:CD"))] == ["1"]
    assert [d.id for d in DEVICES if matches(d, Filter(search="poly"))] == ["3"]
    assert [d.id for d in DEVICES if matches(d, Filter(search="00:01"))] == ["2"]
    assert [d.id for d in DEVICES if matches(d, Filter(search="xx"))] == []
    assert [d.id for d in DEVICES if matches(d, Filter(search="sto"))] == ["4"]


def test_the_mac_filter_matches_a_devices_mac_in_any_notation() -> None:
    for notation in ("00:04:f2:ab:cd:ef", "00-04-F2-AB-CD-EF", "0004.f2ab.cdef"):
        assert [d.id for d in DEVICES if matches(d, Filter(mac=notation))] == ["1"]
    assert [d.id for d in DEVICES if matches(d, Filter(mac="00:04:f2:ab:cd"))] == []
    assert not matches(USERS[0], Filter(mac="00:04:f2:ab:cd:ef"))  # only a device has a MAC


def test_filters_and_together() -> None:
    assert [u.id for u in USERS if matches(u, Filter(extension="201", search="berg"))] == ["1"]
    assert [u.id for u in USERS if matches(u, Filter(extension="202", search="berg"))] == []
    assert [d.id for d in DEVICES if matches(d, Filter(mac="00:04:f2:ab:cd:ef", search="lobby"))] == []
    assert all(matches(u, Filter()) for u in USERS)


def test_a_page_is_filtered_ordered_and_windowed_with_its_total() -> None:
    page = apply_query(USERS, ListQuery(sort=SortField.EXTENSION, offset=0, limit=2))
    assert (ids(page.items), page.has_more, page.total) == (["4", "1"], True, 5)
    page = apply_query(USERS, ListQuery(sort=SortField.EXTENSION, offset=2, limit=2))
    assert (ids(page.items), page.has_more, page.total) == (["2", "3"], True, 5)
    page = apply_query(USERS, ListQuery(sort=SortField.EXTENSION, offset=4, limit=2))
    assert (ids(page.items), page.has_more, page.total) == (["5"], False, 5)
    page = apply_query(USERS, ListQuery(sort=SortField.EXTENSION, offset=3, limit=2))
    assert (ids(page.items), page.has_more, page.total) == (["3", "5"], False, 5)
    page = apply_query(USERS, ListQuery(filter=Filter(search="berg"), sort=SortField.NAME, limit=1))
    assert (ids(page.items), page.has_more, page.total) == (["1"], True, 2)
    page = apply_query(USERS, ListQuery(filter=Filter(search="nobody")))
    assert (page.items, page.has_more, page.total) == ([], False, 0)


def test_descending_reverses_the_order_but_keeps_missing_values_last() -> None:
    page = apply_query(USERS, ListQuery(sort=SortField.EXTENSION, descending=True, limit=10))
    assert ids(page.items) == ["2", "1", "4", "5", "3"]
    page = apply_query(USERS, ListQuery(sort=SortField.NAME, descending=True, limit=10))
    assert ids(page.items) == ["5", "4", "3", "2", "1"]
    page = apply_query(DEVICES, ListQuery(sort=SortField.NAME, descending=True, limit=10))
    assert ids(page.items) == ["4", "3", "1", "2"]


def test_ascending_names_ignore_case() -> None:
    mixed = [
        User(id="1", username="b"),
        User(id="2", username="A"),
        User(id="3", username="c"),
        User(id="4", username="B"),
    ]
    assert ids(apply_query(mixed, ListQuery()).items) == ["2", "1", "4", "3"]

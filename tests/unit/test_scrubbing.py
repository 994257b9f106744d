"""Vendor text and bodies made fit to pass on: ``scrub_text``, ``scrub_value``, ``secret_values``."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from pbxgraph.domain import TrunkCreate, UserCreate
from pbxgraph.redaction import MAX_VENDOR_TEXT, redact, scrub_text, scrub_value, secret_values


def test_a_configured_secret_is_masked_in_every_spelling_a_body_may_use() -> None:
    secret = 's3cr"et/ +x'
    said = (
        f"raw {secret} | url {'s3cr%22et%2F%20%2Bx'} | form {'s3cr%22et%2F+%2Bx'} | "
        f"json {json.dumps(secret)[1:-1]} | end"
    )
    assert scrub_text(said, [secret]) == "raw *** | url *** | form *** | json *** | end"


def test_only_the_secret_is_masked_and_ordinary_words_stay() -> None:
    said = "a useful message about null and full values"
    assert scrub_text(said, ["s3cr3t"]) == said
    assert scrub_text(said, ["", "s3cr3t"]) == said


def test_a_secret_inside_a_longer_one_leaves_no_tail() -> None:
    assert scrub_text("value azzz end", ["zz", "azzz"]) == "value *** end"
    assert scrub_text("value azzz and zz end", ["azzz", "zz"]) == "value *** and *** end"


def test_text_is_cut_after_masking_and_only_past_the_limit() -> None:
    exact = "a" * MAX_VENDOR_TEXT
    assert scrub_text(exact) == exact
    assert scrub_text(exact + "b") == exact + "..."
    assert scrub_text("abcdef", limit=3) == "abc..."
    assert scrub_text("x" * (MAX_VENDOR_TEXT - 4) + " password=hunter2") == "x" * (MAX_VENDOR_TEXT - 4) + " pas..."


def test_credentials_in_urls_headers_and_pairs_are_masked() -> None:
    assert scrub_text("GET https://admin:pw@pbx.example.net/api") == "GET https://***@pbx.example.net/api"
    assert "abc.def" not in scrub_text("Authorization: Bearer abc.def")
    assert scrub_text("auth Bearer abc.def ok") == "auth Bearer *** ok"
    assert scrub_text('Digest username="a", response="b"\nnext') == "Digest ***\nnext"
    assert scrub_text("<sipPassword>pw</sipPassword><name>x</name>") == "<sipPassword>***</sipPassword><name>x</name>"
    assert scrub_text('{"password": "pw", "user": "bob"}') == '{"password": "***", "user": "bob"}'
    assert scrub_text("pin=1234; room=12") == "pin=***; room=12"


def test_a_secret_pair_inside_an_ordinary_value_is_masked_too() -> None:
    """A URL or a query after an ordinary key once let ``password=...`` through whole."""
    assert scrub_text("next=/login?password=hunter2 done") == "next=/login?password=*** done"
    assert scrub_text("ref=a?token=abc&x=1") == "ref=a?token=***&x=1"
    assert scrub_text("note=pwd: abc") == "note=pwd: ***"
    assert scrub_text('detail: "{\\"api_key\\": \\"k\\"}"') == 'detail: "{\\"api_key\\": \\"***\\"}"'
    assert scrub_text("time=12:30 user: bob") == "time=12:30 user: bob"


def test_long_runs_without_pairs_pass_unchanged() -> None:
    for text in ("x" * 50_000, "a=" * 20_000, "ab:" * 20_000, "x1y2" * 10_000, "a.b." * 10_000, "1.x-" * 10_000):
        assert scrub_text(text, limit=len(text)) == text


def test_a_body_loses_secret_keys_and_has_its_strings_scrubbed() -> None:
    body = {
        "message": "login failed for admin:pw@x",
        "password": "pw",
        "nested": {"apiKey": "k", "n": 1},
        "list": ["Bearer tok", 2, None],
        "tuple": ("token=t",),
    }
    assert scrub_value(body, ["pw"]) == {
        "message": "login failed for admin:***@x",
        "nested": {"n": 1},
        "list": ["Bearer ***", 2, None],
        "tuple": ["token=***"],
    }


def test_strings_in_lists_are_scrubbed_of_the_configured_secrets() -> None:
    assert scrub_value(["a pw-7 b", ("pw-7",), [{"x": "pw-7"}]], ["pw-7"]) == ["a *** b", ["***"], [{"x": "***"}]]


def test_a_key_without_a_value_is_no_pair_and_the_search_goes_on() -> None:
    assert scrub_text("key: ;password=x") == "key: ;password=***"
    assert scrub_text("note= , token: t") == "note= , token: ***"
    assert scrub_text('user="open password=x') == 'user="open password=***'


def test_keys_are_scrubbed_and_cut_too() -> None:
    assert scrub_value({"user s3cr3t": 1}, ["s3cr3t"]) == {"user ***": 1}
    assert scrub_value({"k" * 150: 1}) == {"k" * 100 + "...": 1}
    assert scrub_value({7: "seven"}) == {"7": "seven"}


def test_a_body_is_capped_in_items_and_depth() -> None:
    assert scrub_value(list(range(25))) == list(range(20))
    assert len(scrub_value({f"k{i}": i for i in range(25)})) == 20
    deep: object = "bottom"
    for _ in range(8):
        deep = {"a": deep}
    expected: object = "..."
    for _ in range(6):
        expected = {"a": expected}
    assert scrub_value(deep) == expected
    nested: object = "bottom"
    for _ in range(8):
        nested = [nested]
    expected = "..."
    for _ in range(6):
        expected = [expected]
    assert scrub_value(nested) == expected
    assert scrub_value([["x"]]) == [["x"]]


def test_secret_values_finds_every_string_under_a_secret_key() -> None:
    assert secret_values(
        {
            "user": "bob",
            "password": "pw",
            "opts": {"sipPassword": "sp", "title": "t"},
            "credentials": {"user": "u2", "list": ["c1", {"deep": "c2"}, 3]},
            "lines": [{"pin": "1234"}, {"name": "n"}],
            "token": "",
        }
    ) == ["pw", "sp", "u2", "c1", "c2", "1234"]
    assert secret_values(["plain", {"apiKey": "k"}]) == ["k"]
    assert secret_values("plain") == [] and secret_values(None) == []


def test_secret_values_walks_dataclasses_by_field_name() -> None:
    assert secret_values(UserCreate(username="bob", sip_password="sp")) == ["sp"]
    assert secret_values(TrunkCreate(name="t", username="u", password="pw")) == ["pw"]
    assert secret_values({"input": UserCreate(username="bob", display_name="Bob", sip_password="x")}) == ["x"]
    assert secret_values(UserCreate) == []  # a class, not a value

    @dataclass
    class Holder:
        secret: dict[str, object] = field(default_factory=dict)
        open: list[object] = field(default_factory=list)

    assert secret_values(Holder(secret={"anything": "a"}, open=["b", {"token": "c"}])) == ["a", "c"]


def test_secret_values_reads_six_levels_deep_and_no_deeper() -> None:
    def nested(levels: int) -> object:
        value: object = {"password": "found"}
        for _ in range(levels):
            value = {"x": value}
        return value

    assert secret_values(nested(5)) == ["found"]  # the string sits at depth 6
    assert secret_values(nested(6)) == []
    assert secret_values([[[[[{"pin": "p"}]]]]]) == ["p"]
    assert secret_values([[[[[[{"pin": "p"}]]]]]]) == []


def test_secret_values_counts_dataclass_levels_as_levels() -> None:
    @dataclass
    class Node:
        password: str
        child: object = None

    def chain(length: int) -> object:
        node: object = None
        for level in reversed(range(length)):
            node = Node(password=f"p{level}", child=node)
        return node

    assert secret_values(chain(6)) == [f"p{i}" for i in range(6)]  # the last one sits at depth 6
    assert secret_values(chain(8)) == [f"p{i}" for i in range(6)]


def test_redact_drops_secret_keys_at_every_level_and_keeps_the_rest() -> None:
    payload = {"login": "a", "pwd": "x", 3: "three", "opts": ({"title": "t", "sipPassword": "y"},)}
    assert redact(payload) == {"login": "a", 3: "three", "opts": [{"title": "t"}]}

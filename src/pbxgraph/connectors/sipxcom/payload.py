"""Reading and writing sipXconfig payloads, XML or JSON, into one tree shape.

An XML document becomes the same nested dicts a JSON document gives: an
element with children is a dict keyed by tag, a repeated tag a list, a leaf
its text (empty text is ``None``). Mapping code then reads one shape,
whichever format the server (or the configuration) chose, and uses
:func:`items` for list fields, which XML and JSON write differently.

Vendor XML is parsed with ``defusedxml`` only: DTDs, entity declarations and
external references are refused rather than expanded.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from xml.etree.ElementTree import Element, SubElement, tostring

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException


class PayloadError(ValueError):
    """A body that is not the XML or JSON it should be (or is unsafe XML)."""


def _tree(element: Any) -> Any:
    children = list(element)
    if not children:
        return element.text or None
    tree: dict[str, Any] = {}
    repeated: set[str] = set()
    for child in children:
        value = _tree(child)
        if child.tag not in tree:
            tree[child.tag] = value
        elif child.tag in repeated:
            tree[child.tag].append(value)
        else:
            tree[child.tag] = [tree[child.tag], value]
            repeated.add(child.tag)
    return tree


def parse_xml(body: bytes) -> tuple[str, Any]:
    """``(root tag, tree)``; PayloadError for malformed or unsafe XML."""
    try:
        root = SafeET.fromstring(body)
    except DefusedXmlException as exc:
        raise PayloadError(f"refused unsafe XML ({type(exc).__name__})") from None
    except SafeET.ParseError:
        raise PayloadError("not well-formed XML") from None
    return root.tag, _tree(root)


def _fill(element: Element, value: Any, item_tags: Mapping[str, str], key: str) -> None:
    if isinstance(value, Mapping):
        for child_key, child_value in value.items():
            if child_value is None:
                continue
            _fill(SubElement(element, child_key), child_value, item_tags, child_key)
    elif isinstance(value, list):
        for item in value:
            _fill(SubElement(element, item_tags[key]), item, item_tags, item_tags[key])
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    else:
        element.text = str(value)


def to_xml(root: str, value: Mapping[str, Any], item_tags: Mapping[str, str]) -> bytes:
    """An XML request body; ``None`` fields are left out (which the server reads as cleared)."""
    element = Element(root)
    _fill(element, value, item_tags, root)
    return tostring(element, encoding="unicode").encode("utf-8")


def unwrap(document: Any) -> Any:
    """The object inside a ``/rest`` JSON document (``{"user": {...}}`` -> ``{...}``)."""
    if isinstance(document, dict) and len(document) == 1:
        return next(iter(document.values()))
    return document


def items(value: Any, *tags: str) -> list[Any]:
    """The entries of a list field: a JSON list, or XML's ``{tag: item | [items]}``."""
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return list(value)
    if isinstance(value, Mapping):
        for tag in tags:
            if tag in value:
                inner = value[tag]
                return list(inner) if isinstance(inner, list) else [inner]
        return []
    return [value]


def entries(tree: Any, wrapper: str, *tags: str) -> list[dict[str, Any]]:
    """The items of a ``/rest`` listing, wrapped (``<users><user>``) or directly under the root."""
    if not isinstance(tree, Mapping):
        return []
    found = items(tree[wrapper], *tags) if wrapper in tree else items(tree, *tags)
    return [dict(entry) for entry in found if isinstance(entry, Mapping)]


def text(value: Any) -> str | None:
    """A scalar as text; empty and non-scalars are ``None``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, str)):
        result = str(value)
        return result if result.strip() != "" else None
    return None


def integer(value: Any) -> int | None:
    raw = text(value)
    if raw is None:
        return None
    raw = raw.strip()
    digits = raw[1:] if raw.startswith("-") else raw
    # ASCII digits only: int() would also take "²" or "١٢" (and "1_000").
    return int(raw) if digits.isascii() and digits.isdigit() and len(digits) <= 18 else None


def flag(value: Any) -> bool | None:
    raw = text(value)
    if raw is None:
        return None
    return raw.strip().lower() in ("true", "1", "yes")

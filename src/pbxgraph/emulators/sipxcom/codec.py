"""XML and JSON as sipXconfig writes and reads them.

Both APIs describe the same trees in either format, so the emulator keeps
one shape per object (plain dicts and lists) and renders it on the way out:

* XML: a dict is an element per key (``None`` leaves the element out, as the
  server's serialisers do), a list is the element repeated under a wrapper
  whose item tag comes from ``item_tags`` (``groups`` -> ``<group>``); a
  key may be written under another element name (``names``: the ``/api``
  beans write ``model`` as ``<Model>``, ``lines`` as ``<Lines><Line>``).
* JSON: the same tree; the ``/rest`` API wraps it in its root element name
  (``{"user": {...}}``, as the document's branch example shows), the ``/api``
  API does not wrap single objects and writes nulls explicitly.

Request bodies are parsed with ``defusedxml`` (entity and DTD tricks are
refused) into the same dicts, repeated elements becoming lists.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from xml.etree.ElementTree import Element, SubElement, tostring

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>'


class BodyError(ValueError):
    """A request body that is neither well-formed XML nor JSON of the expected shape."""


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class Flat(list):  # type: ignore[type-arg]
    """A list rendered as the key's element repeated, with no wrapper element."""


def _fill(element: Element, value: Any, item_tags: Mapping[str, str], key: str, names: Mapping[str, str]) -> None:
    if isinstance(value, Mapping):
        for child_key, child_value in value.items():
            if child_value is None:
                continue
            tag = names.get(child_key, child_key)
            if isinstance(child_value, Flat):
                for item in child_value:
                    _fill(SubElement(element, tag), item, item_tags, child_key, names)
                continue
            child = SubElement(element, tag)
            _fill(child, child_value, item_tags, child_key, names)
    elif isinstance(value, list):
        item_tag = item_tags.get(key, "item")
        for item in value:
            child = SubElement(element, item_tag)
            _fill(child, item, item_tags, item_tag, names)
    else:
        element.text = _scalar(value)


def to_xml(
    root: str,
    value: Any,
    item_tags: Mapping[str, str] | None = None,
    *,
    declaration: bool = False,
    names: Mapping[str, str] | None = None,
) -> bytes:
    element = Element(root)
    _fill(element, value, item_tags or {}, root, names or {})
    body = tostring(element, encoding="unicode").encode("utf-8")
    return XML_DECLARATION + body if declaration else body


def _to_tree(element: Any) -> Any:
    children = list(element)
    if not children:
        return element.text or None
    tree: dict[str, Any] = {}
    for child in children:
        value = _to_tree(child)
        if child.tag in tree:
            existing = tree[child.tag]
            if isinstance(existing, list) and getattr(existing, "_repeated", False):
                existing.append(value)
            else:
                repeated = _Repeated([existing, value])
                tree[child.tag] = repeated
        else:
            tree[child.tag] = value
    return tree


class _Repeated(list):  # type: ignore[type-arg]
    """A list made from repeated elements (as opposed to a value that is a list)."""

    _repeated = True


def parse_xml(body: bytes) -> tuple[str, Any]:
    try:
        root = SafeET.fromstring(body)
    except DefusedXmlException as exc:
        raise BodyError(f"refused XML construct: {type(exc).__name__}") from None
    except SafeET.ParseError as exc:
        raise BodyError(f"malformed XML: {exc}") from None
    return root.tag, _to_tree(root)


def parse_json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError as exc:
        raise BodyError(f"malformed JSON: {exc}") from None


def items(value: Any, *tags: str) -> list[Any]:
    """The entries of a list field, whichever format it came in.

    JSON gives a list; XML gives ``{tag: item}`` or ``{tag: [items]}``; an
    empty wrapper is ``None``.
    """
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


def text(value: Any) -> str | None:
    """A scalar field as text; empty means absent."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, str)):
        result = str(value)
        return result if result != "" else None
    return None


def flag(value: Any, default: bool = False) -> bool:
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("true", "1", "yes")


def integer(value: Any) -> int | None:
    raw = text(value)
    if raw is None:
        return None
    raw = raw.strip()
    digits = raw[1:] if raw.startswith("-") else raw
    # ASCII digits only: int() would also take "²" or "١٢" (and "1_000").
    return int(raw) if digits.isascii() and digits.isdigit() and len(digits) <= 18 else None


def dumps(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode("utf-8")

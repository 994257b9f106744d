"""Era's list parameters: ``filter``, ``order``, ``mask``, ``offset``, ``limit``, ``flat``.

The documents name the parameters and show one filter,
``["==",["property","phonenumber"],"201"]``; the rest of the grammar is this
emulator's reading of that prefix form:

* An expression is a JSON array whose first element is the operator.
  ``["property", "opts.title"]`` reads a field (dotted for sub-objects; a
  missing field reads as ``null``); any other JSON value is a literal.
* Comparisons: ``==``, ``!=``, ``>``, ``>=``, ``<``, ``<=``.
* ``["in", <expr>, [v1, v2, ...]]``: the value is one of the listed literals.
* ``["like", <expr>, "pattern"]``: SQL-style pattern (``%`` any run, ``_`` one
  character), case-insensitive; ``null`` never matches.
* ``["and", e1, e2, ...]``, ``["or", e1, e2, ...]``, ``["not", e]``.

``order`` is a JSON array of field names (ascending) or ``{"field": "asc"|"desc"}``
objects; ``null`` sorts last. ``mask`` is a comma-separated field list;
``flat`` turns sub-objects into dotted keys. Anything malformed is 1413.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from pbxgraph.emulators.era.errors import invalid_params
from pbxgraph.emulators.era.schema import SECRET_FIELDS

Predicate = Callable[[Mapping[str, Any]], bool]
_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    ">": lambda a, b: a is not None and b is not None and _comparable(a, b) and a > b,
    ">=": lambda a, b: a is not None and b is not None and _comparable(a, b) and a >= b,
    "<": lambda a, b: a is not None and b is not None and _comparable(a, b) and a < b,
    "<=": lambda a, b: a is not None and b is not None and _comparable(a, b) and a <= b,
}
_MAX_DEPTH = 32


def _comparable(a: Any, b: Any) -> bool:
    numbers = (int, float)
    return (isinstance(a, numbers) and isinstance(b, numbers)) or (isinstance(a, str) and isinstance(b, str))


def read_path(entity: Mapping[str, Any], path: str) -> Any:
    value: Any = entity
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def parse_json_param(name: str, text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        raise invalid_params(f"Parameter '{name}' is not valid JSON.", parameter=name) from None


def compile_filter(expression: Any) -> Predicate:
    return _compile(expression, 0)


def _operand(expression: Any, depth: int) -> Callable[[Mapping[str, Any]], Any]:
    if isinstance(expression, list):
        if len(expression) == 2 and expression[0] == "property":
            path = expression[1]
            if not isinstance(path, str) or not path:
                raise invalid_params("Filter: 'property' needs a field name.", parameter="filter")
            if path.split(".")[0] in SECRET_FIELDS:
                raise invalid_params(f"Filter: field '{path}' cannot be filtered on.", parameter="filter")
            return lambda entity: read_path(entity, path)
        return _compile(expression, depth + 1)
    if isinstance(expression, dict):
        raise invalid_params("Filter: objects are not expressions.", parameter="filter")
    return lambda entity: expression


def _like(pattern: str) -> re.Pattern[str]:
    parts = []
    for char in pattern:
        parts.append(".*" if char == "%" else "." if char == "_" else re.escape(char))
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL)


def _compile(expression: Any, depth: int) -> Predicate:
    if depth > _MAX_DEPTH:
        raise invalid_params("Filter: nested too deeply.", parameter="filter")
    if not isinstance(expression, list) or not expression or not isinstance(expression[0], str):
        raise invalid_params("Filter: an expression is an array starting with an operator.", parameter="filter")
    op, args = expression[0], expression[1:]
    if op in ("and", "or"):
        if not args:
            raise invalid_params(f"Filter: '{op}' needs operands.", parameter="filter")
        parts = [_compile(arg, depth + 1) for arg in args]
        if op == "and":
            return lambda entity: all(p(entity) for p in parts)
        return lambda entity: any(p(entity) for p in parts)
    if op == "not":
        if len(args) != 1:
            raise invalid_params("Filter: 'not' takes one operand.", parameter="filter")
        inner = _compile(args[0], depth + 1)
        return lambda entity: not inner(entity)
    if op in _COMPARE:
        if len(args) != 2:
            raise invalid_params(f"Filter: '{op}' takes two operands.", parameter="filter")
        left, right = _operand(args[0], depth), _operand(args[1], depth)
        compare = _COMPARE[op]
        return lambda entity: bool(compare(left(entity), right(entity)))
    if op == "in":
        if len(args) != 2 or not isinstance(args[1], list):
            raise invalid_params("Filter: 'in' takes an operand and an array of values.", parameter="filter")
        left = _operand(args[0], depth)
        hashable = all(isinstance(v, (str, int, float, bool)) or v is None for v in args[1])
        if not hashable:
            raise invalid_params("Filter: 'in' values must be plain values.", parameter="filter")
        values = set(args[1])
        return lambda entity: _in(left(entity), values)
    if op == "like":
        if len(args) != 2 or not isinstance(args[1], str):
            raise invalid_params("Filter: 'like' takes an operand and a pattern string.", parameter="filter")
        left = _operand(args[0], depth)
        pattern = _like(args[1])
        return lambda entity: _matches(pattern, left(entity))
    raise invalid_params(f"Filter: unknown operator '{op}'.", parameter="filter")


def _in(value: Any, values: set[Any]) -> bool:
    try:
        return value in values
    except TypeError:
        return False


def _matches(pattern: re.Pattern[str], value: Any) -> bool:
    if value is None or isinstance(value, (dict, list)):
        return False
    text = str(value).lower() if isinstance(value, bool) else str(value)
    return pattern.fullmatch(text) is not None


def parse_order(spec: Any) -> list[tuple[str, bool]]:
    if isinstance(spec, (str, dict)):
        spec = [spec]
    if not isinstance(spec, list):
        raise invalid_params("Parameter 'order' must be an array.", parameter="order")
    keys: list[tuple[str, bool]] = []
    for item in spec:
        if isinstance(item, str) and item:
            keys.append((item, False))
        elif isinstance(item, dict) and len(item) == 1:
            ((path, direction),) = item.items()
            if direction not in ("asc", "desc"):
                raise invalid_params("Parameter 'order': direction must be 'asc' or 'desc'.", parameter="order")
            keys.append((path, direction == "desc"))
        else:
            raise invalid_params("Parameter 'order': items are field names or {field: direction}.", parameter="order")
    return keys


def _sort_value(value: Any) -> tuple[int, Any]:
    if value is None:
        return (3, "")
    if isinstance(value, (bool, int, float)):
        return (0, value)
    if isinstance(value, str):
        return (1, value)
    return (2, json.dumps(value, sort_keys=True))


def apply_order(entities: list[dict[str, Any]], keys: list[tuple[str, bool]]) -> list[dict[str, Any]]:
    ordered = list(entities)
    for path, descending in reversed(keys):
        ordered.sort(key=lambda e: _sort_value(read_path(e, path)), reverse=descending)
        if descending:  # null still last
            ordered.sort(key=lambda e: read_path(e, path) is None)
    return ordered


def parse_mask(text: str, allowed: Iterable[str] | None) -> list[str]:
    fields = [f.strip() for f in text.split(",") if f.strip()]
    if not fields:
        raise invalid_params("Parameter 'mask' names no field.", parameter="mask")
    if allowed is not None:
        permitted = set(allowed)
        for name in fields:
            if name not in permitted and not any(p.startswith(name + ".") for p in permitted):
                raise invalid_params(f"Parameter 'mask': field '{name}' is not available for output.", parameter="mask")
    for name in fields:
        if name.split(".")[0] in SECRET_FIELDS:
            raise invalid_params(f"Parameter 'mask': field '{name}' is not available for output.", parameter="mask")
    return fields


def apply_mask(entity: Mapping[str, Any], fields: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for path in fields:
        parts = path.split(".")
        value: Any = entity
        for part in parts:
            if not isinstance(value, Mapping) or part not in value:
                break
            value = value[part]
        else:
            target = out
            for part in parts[:-1]:
                target = target.setdefault(part, {})
            target[parts[-1]] = value
    return out


def flatten(entity: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in entity.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            flat.update(flatten(value, name + "."))
        else:
            flat[name] = value
    return flat


def parse_int(name: str, text: str | None, *, minimum: int = 0) -> int | None:
    if text is None:
        return None
    if not (text.isascii() and text.lstrip("-").isdigit() and len(text) <= 19):
        raise invalid_params(f"Parameter '{name}' must be an integer.", parameter=name)
    value = int(text)
    if value < minimum:
        raise invalid_params(f"Parameter '{name}' must be at least {minimum}.", parameter=name)
    return value


def parse_bool(name: str, text: str | None) -> bool:
    if text is None:
        return False
    lowered = text.lower()
    if lowered in ("true", "1", "yes"):
        return True
    if lowered in ("false", "0", "no", ""):
        return False
    raise invalid_params(f"Parameter '{name}' must be true or false.", parameter=name)

"""Secret scrubbing for vendor payloads and vendor text, shared by every connector and the service.

Connectors drop secrets from ``raw`` with :func:`redact`; the GraphQL layer
runs every ``raw`` through it once more, so a vendor that starts sending a new
secret field cannot leak it before its connector learns about it.

Vendor *text* (error messages, error bodies) is free-form: a PBX may echo a
URL with user-info, an ``Authorization`` header or a ``password=`` pair.
:func:`scrub_text` and :func:`scrub_value` mask those, and any value known
to be secret, before the text goes to a client or a log; the service runs
every error a connector raises through them (see ``PbxError.scrub``).

A key names a secret when one of its words does: keys are split into words at
``_ - . /`` and at camelCase humps (``sipPassword`` is ``sip password``), so
``userPin`` and ``x-auth-token`` are secrets while ``passive`` or ``spinup``
are not.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote, quote_plus

_SECRET_WORDS = frozenset(
    {
        "pass",
        "password",
        "passwd",
        "passphrase",
        "pwd",
        "secret",
        "secrets",
        "token",
        "tokens",
        "credential",
        "credentials",
        "pin",
        "apikey",
        "authorization",
        "ha1",
        "privatekey",
    }
)
_SECRET_PAIRS = frozenset({("api", "key"), ("private", "key"), ("auth", "key"), ("ha", "1")})
_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")


def _words(key: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(key)]


def is_secret_key(key: str) -> bool:
    words = _words(key)
    if any(w in _SECRET_WORDS for w in words):
        return True
    return any(pair in _SECRET_PAIRS for pair in itertools.pairwise(words))


def redact(value: Any) -> Any:
    """A deep copy of ``value`` without any mapping entry whose key names a secret."""
    if isinstance(value, Mapping):
        return {k: redact(v) for k, v in value.items() if not (isinstance(k, str) and is_secret_key(k))}
    if isinstance(value, (list, tuple)):
        return [redact(v) for v in value]
    return value


# --- vendor text ------------------------------------------------------------------------

#: Longest piece of vendor text passed on (a message, one string of a vendor body).
MAX_VENDOR_TEXT = 500
#: Longest error message passed on (ours around the vendor's words).
MAX_MESSAGE = 1000
_MASK = "***"
_MAX_ITEMS = 20
_MAX_DEPTH = 6

#: ``scheme://user:password@host``: the user-info goes, whatever it holds (JSON may escape the slashes).
#: A scheme is read from the start of its word only, never giving characters back (linear in the text).
_URL_USERINFO = re.compile(r"(?i)(?<![a-z0-9+.\-])([0-9+.\-]*+[a-z][a-z0-9+.\-]*+:\\?/\\?/)[^\s/\\?#\"'<>@]*@")
#: Credentials after an authentication scheme; a Digest answer's parameters go to the end of the line.
_DIGEST = re.compile(r"(?i)\bDigest\s+[^\r\n]+")
_SCHEME = re.compile(r"(?i)\b(Bearer|Basic|ApiKey|Api-Key|Token|Negotiate|NTLM)(\s+|=)[^\s\"',;&<>]+")
#: ``key=value``, ``key: value``, ``"key": "value"``, ``key="value"``: the value goes when the key names a secret.
#: Quotes may come escaped (a JSON body inside a JSON string), and an escaped line break may precede the key.
#: A key is the part of a word from its first letter on (what the leftmost match found anyway), read from the
#: start of the word only and never giving characters back, so a long word is one failed try, not one per
#: letter (which took seconds for 20 000 letters).
_HEAD = re.compile(
    r"""(?:\\[nrt])*(?P<q>\\?["']?)(?:(?<![\w.\-])|(?<=\\[nrt]))[0-9.\-]*+(?P<key>[A-Za-z_][\w.\-]*+)(?P=q)\s*[:=]\s*"""
)
_QUOTED_VALUE = re.compile(r""""(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|\\"(?:(?!\\").)*\\"|\\'(?:(?!\\').)*\\'""")
_BARE_VALUE = re.compile(r"""[^\s,;&"'<>(){}\[\]\\]+""")
_QUOTES = ('\\"', "\\'", '"', "'")
#: ``<password>value</password>`` (any namespace prefix, any attributes).
_ELEMENT = re.compile(
    r"<(?P<tag>[A-Za-z_][\w.\-]*:)?(?P<name>[A-Za-z_][\w.\-]*)(?P<attrs>\s[^<>]*)?>"
    r"(?P<value>[^<]*)</(?P=tag)?(?P=name)\s*>"
)


def _mask_pairs(text: str) -> str:
    """``text`` with the value of every pair whose key names a secret masked.

    The value of an ordinary pair is searched too: a quoted one may hold a
    JSON body quoted inside a message, an unquoted one a URL or a query
    (``next=/login?password=...``), so the search goes on inside it rather
    than past it. An unquoted value is read only when it is to be masked,
    and every step moves forward, so the work grows with the text, not with
    its square.
    """
    out: list[str] = []
    pos = 0
    while (head := _HEAD.search(text, pos)) is not None:
        end = head.end()
        secret = is_secret_key(head.group("key"))
        quoted = _QUOTED_VALUE.match(text, end)
        value = quoted or _BARE_VALUE.match(text, end, len(text) if secret else end + 1)
        if value is None:
            # No value follows: not a pair; a later one may start inside this one.
            out.append(text[pos : head.start() + 1])
            pos = head.start() + 1
            continue
        out.append(text[pos:end])
        if secret:
            quote = next((q for q in _QUOTES if value.group().startswith(q)), "")
            out.append(f"{quote}{_MASK}{quote}")
            pos = value.end()
        elif quoted is not None:
            out.append(_mask_pairs(quoted.group()))
            pos = quoted.end()
        else:
            pos = end
    out.append(text[pos:])
    return "".join(out)


def _secret_element(match: re.Match[str]) -> str:
    if not is_secret_key(match.group("name")):
        return match.group(0)
    tag = match.group("tag") or ""
    return f"<{tag}{match.group('name')}{match.group('attrs') or ''}>{_MASK}</{tag}{match.group('name')}>"


def _variants(secret: str) -> set[str]:
    """How a configured secret may be spelled in a body: as is, URL-encoded, JSON-escaped, Basic-encoded."""
    spelled = {secret, quote(secret, safe=""), quote_plus(secret), json.dumps(secret)[1:-1]}
    return {s for s in spelled if s}


def scrub_text(text: str, secrets: Iterable[str] = (), *, limit: int = MAX_VENDOR_TEXT) -> str:
    """Vendor text fit to pass on: known secrets, URL user-info, credentials and secret pairs masked, then cut.

    ``secrets`` are values known to be secret wherever they appear (a
    backend's configured token or password, a password being set); longer
    ones are replaced first, so one secret inside another leaves no tail.
    Masking comes before cutting, so a cut can never leave half a secret.
    """
    for secret in sorted({v for s in secrets if s for v in _variants(s)}, key=len, reverse=True):
        text = text.replace(secret, _MASK)
    text = _URL_USERINFO.sub(rf"\1{_MASK}@", text)
    text = _DIGEST.sub(f"Digest {_MASK}", text)
    text = _SCHEME.sub(rf"\1\2{_MASK}", text)
    text = _ELEMENT.sub(_secret_element, text)
    text = _mask_pairs(text)
    return text if len(text) <= limit else text[:limit] + "..."


def scrub_value(value: Any, secrets: Iterable[str] = (), *, _depth: int = 0) -> Any:
    """A vendor body (or part of one) fit to pass on: secret keys dropped, strings scrubbed, sizes capped."""
    secrets = tuple(secrets)
    if isinstance(value, str):
        return scrub_text(value, secrets)
    if _depth >= _MAX_DEPTH:
        return "..."
    if isinstance(value, Mapping):
        kept = [(k, v) for k, v in value.items() if not (isinstance(k, str) and is_secret_key(k))]
        return {
            scrub_text(str(k), secrets, limit=100): scrub_value(v, secrets, _depth=_depth + 1)
            for k, v in kept[:_MAX_ITEMS]
        }
    if isinstance(value, (list, tuple)):
        return [scrub_value(v, secrets, _depth=_depth + 1) for v in value[:_MAX_ITEMS]]
    return value


def secret_values(value: Any) -> list[str]:
    """Every string held under a secret key, anywhere in a mapping or dataclass tree (e.g. a password being set)."""
    found: list[str] = []

    def walk(item: Any, secret: bool, depth: int) -> None:
        if depth > _MAX_DEPTH:
            return
        if isinstance(item, str):
            if secret and item:
                found.append(item)
        elif isinstance(item, Mapping):
            for k, v in item.items():
                walk(v, secret or (isinstance(k, str) and is_secret_key(k)), depth + 1)
        elif isinstance(item, (list, tuple)):
            for v in item:
                walk(v, secret, depth + 1)
        elif dataclasses.is_dataclass(item) and not isinstance(item, type):
            for f in dataclasses.fields(item):
                walk(getattr(item, f.name), secret or is_secret_key(f.name), depth + 1)

    walk(value, False, 0)
    return found

"""Reading the Config API's form parameters (create, update, membership calls).

Creates and updates take ``application/x-www-form-urlencoded`` bodies, array
parameters as ``name[]=...``. Parameters the route does not know are refused
(400) rather than ignored, so a client that misspells one finds out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import parse_qsl

from starlette.requests import Request

from pbxgraph.emulators.infinity.errors import VendorError, bad_request
from pbxgraph.emulators.infinity.listing import array_values

FORM_MEDIA_TYPE = "application/x-www-form-urlencoded"
_INTEGER = re.compile(r"-?[0-9]+")


class Form:
    """The parameters of one request, with checks that answer 400 naming the parameter."""

    def __init__(self, items: list[tuple[str, str]]) -> None:
        self.items = items
        self.names = {key.split("[", 1)[0] for key, _ in items}

    @classmethod
    async def read(cls, request: Request, *, include_query: bool = False) -> Form:
        body = await request.body()
        items: list[tuple[str, str]] = []
        if body:
            media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
            if media != FORM_MEDIA_TYPE:
                raise VendorError(415, f"parameters must be sent as {FORM_MEDIA_TYPE}")
            try:
                items = parse_qsl(body.decode("utf-8"), keep_blank_values=True)
            except (UnicodeDecodeError, ValueError):
                raise bad_request("the form body could not be read") from None
        if include_query:
            items += list(request.query_params.multi_items())
        return cls(items)

    def only(self, allowed: Iterable[str]) -> Form:
        unknown = sorted(self.names - set(allowed))
        if unknown:
            raise bad_request(f"unknown parameter '{unknown[0]}'")
        return self

    def has(self, name: str) -> bool:
        return name in self.names

    def text(self, name: str, *, required: bool = False, allow_empty: bool = True) -> str | None:
        """The last value sent for ``name``; None when absent."""
        values = [v for k, v in self.items if k == name]
        if not values:
            if required:
                raise bad_request(f"missing parameter '{name}'")
            return None
        value = values[-1].strip()
        if not value and (required or not allow_empty):
            raise bad_request(f"parameter '{name}' must not be empty")
        return value

    def integer(self, name: str, *, required: bool = False, minimum: int | None = None) -> str | None:
        value = self.text(name, required=required, allow_empty=False)
        if value is None:
            return None
        if not _INTEGER.fullmatch(value):
            raise bad_request(f"parameter '{name}' must be an integer, got '{value}'")
        if minimum is not None and int(value) < minimum:
            raise bad_request(f"parameter '{name}' must be at least {minimum}, got {value}")
        return str(int(value))

    def flag(self, name: str, *, required: bool = False) -> str | None:
        value = self.integer(name, required=required)
        if value is not None and value not in ("0", "1"):
            raise bad_request(f"parameter '{name}' must be 1 or 0, got {value}")
        return value

    def ids(self, name: str) -> list[int]:
        """An array of integer ids (``name[]=1&name[]=2``); at least one is required."""
        values = array_values(self.items, name)
        if not values:
            raise bad_request(f"missing parameter '{name}[]'")
        out: list[int] = []
        for value in values:
            if not (value.strip().isascii() and value.strip().isdigit()):
                raise bad_request(f"parameter '{name}[]' must hold integer ids, got '{value}'")
            out.append(int(value))
        return out

"""Which media type a response is sent in, from the request's ``Accept`` header.

GraphQL over HTTP defines two response types: ``application/graphql-response+json``
(status codes tell request errors apart) and ``application/json`` (the legacy
type, where every well-formed request answers 200). A browser asking for a page
gets GraphiQL instead. The choice follows RFC 9110: the quality of the most
specific range that matches a type applies to it, the highest quality wins,
and between equals a type the client named beats one it reached by a wildcard,
so ``*/*`` (curl, fetch's default) and a missing header get ``application/json``
while a client that names the new type first gets it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
HTML = "text/html"
#: The response types of GraphQL itself, in the server's order of preference on a tie.
GRAPHQL_TYPES = (JSON, GRAPHQL_RESPONSE)


@dataclass(frozen=True, slots=True)
class MediaRange:
    """One entry of an Accept header: ``type/subtype`` (either may be ``*``) and its quality."""

    type: str
    subtype: str
    q: float

    def specificity(self, media_type: str) -> int:
        """3 for an exact match, 2 for ``type/*``, 1 for ``*/*``, 0 for no match."""
        kind, _, sub = media_type.partition("/")
        if self.type == "*":
            return 1 if self.subtype == "*" else 0
        if self.type != kind:
            return 0
        if self.subtype == "*":
            return 2
        return 3 if self.subtype == sub else 0


def parse_accept(header: str) -> list[MediaRange]:
    """The ranges of an Accept header; malformed entries are skipped, never an error."""
    ranges = []
    for entry in header.split(","):
        media, *parameters = entry.split(";")
        kind, slash, sub = media.strip().lower().partition("/")
        if not slash or not kind or not sub:
            continue
        q = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value.strip()), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        ranges.append(MediaRange(kind, sub, q))
    return ranges


def quality(ranges: Sequence[MediaRange], media_type: str) -> tuple[float, int]:
    """The quality the client gives ``media_type`` and how specifically it named it."""
    best: tuple[int, float] = (0, 0.0)
    for media_range in ranges:
        specificity = media_range.specificity(media_type)
        if specificity > best[0]:
            best = (specificity, media_range.q)
    return best[1], best[0]


def choose(accept: str | None, offered: Sequence[str] = GRAPHQL_TYPES) -> str | None:
    """The offered type the client prefers, ``application/json`` without a header, None if none fits.

    Ties go to the type named most specifically; between two named alike, to
    ``application/graphql-response+json`` if the client named it exactly (it
    then reads the new type), else to the earlier in ``offered``.
    """
    if accept is None or not accept.strip():
        return JSON if JSON in offered else offered[0]
    ranges = parse_accept(accept)
    if not ranges:
        return JSON if JSON in offered else offered[0]
    scored = []
    for order, media_type in enumerate(offered):
        q, specificity = quality(ranges, media_type)
        if q > 0:
            named = media_type == GRAPHQL_RESPONSE and specificity == 3
            scored.append((q, specificity, named, -order, media_type))
    return max(scored)[4] if scored else None


def wants_page(accept: str | None) -> bool:
    """A browser's navigation: it names ``text/html`` and prefers it to both GraphQL types.

    ``*/*`` alone (curl) or ``application/json, text/html`` (an API client) is no page request.
    """
    if not accept:
        return False
    ranges = parse_accept(accept)
    q_html, specificity = quality(ranges, HTML)
    if specificity < 3 or q_html == 0:
        return False
    return all(quality(ranges, media_type) < (q_html, specificity) for media_type in GRAPHQL_TYPES)


__all__ = ["GRAPHQL_RESPONSE", "GRAPHQL_TYPES", "HTML", "JSON", "choose", "parse_accept", "quality", "wants_page"]

"""The keys of an Era backend, declared once (read by :func:`pbxgraph.config.read_options`)."""

from __future__ import annotations

from dataclasses import dataclass

from pbxgraph.config import setting
from pbxgraph.connectors.kit import HttpOptions, header_name, listing_snapshot, page_size


@dataclass(frozen=True, slots=True, kw_only=True)
class EraOptions(HttpOptions):
    """``url`` is the scheme, host and any path prefix before ``/rest/v1/uc``."""

    #: The API token (keep it in the environment or a file).
    token: str = setting()
    #: The header that carries the token.
    token_header: str = setting("Authorization", check=header_name)
    #: The prefix before the token: "Bearer" for Authorization and none for any other header
    #: when left out; "" sends the bare token.
    token_scheme: str | None = None
    #: SIP users, groups ... per list request when reading a whole collection.
    page_size: int = page_size()
    #: Seconds the pages after a listing's first may reuse the rows it read (0: read every page afresh).
    listing_snapshot_s: float = listing_snapshot()

    @property
    def headers(self) -> dict[str, str]:
        """What every request carries: the token as configured, and a wish for JSON."""
        header = self.token_header.strip()
        scheme = self.token_scheme
        if scheme is None:
            scheme = "Bearer" if header.lower() == "authorization" else ""
        return {header: f"{scheme} {self.token}" if scheme else self.token, "Accept": "application/json"}

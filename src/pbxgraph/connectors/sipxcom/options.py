"""The keys of a sipXcom backend, declared once (read by :func:`pbxgraph.config.read_options`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from pbxgraph.config import one_of, setting
from pbxgraph.connectors.kit import HttpOptions, page_size


@dataclass(frozen=True, slots=True, kw_only=True)
class SipxcomOptions(HttpOptions):
    """``url`` is the server; ``/sipxconfig`` is added (and may be given)."""

    #: An administrator, sent with HTTP Basic on every request.
    username: str = setting()
    password: str = setting()
    #: What ``/rest`` is spoken in.
    format: str = setting("xml", check=one_of("xml", "json"))
    #: Items per page when reading whole ``/rest`` lists and registrations.
    page_size: int = page_size()
    #: Fill users' and devices' registration from ``/api/registrations``.
    registrations: bool = True

    def __repr__(self) -> str:  # credentials stay out of logs and tracebacks
        return f"SipxcomOptions(url={self.url!r}, username={self.username!r})"

    @property
    def base_url(self) -> str:
        parts = urlsplit(self.url)
        path = parts.path.rstrip("/").removesuffix("/sipxconfig")
        return f"{parts.scheme}://{parts.netloc}{path}/sipxconfig"

    @property
    def wire_format(self) -> Literal["xml", "json"]:
        return "json" if self.format == "json" else "xml"

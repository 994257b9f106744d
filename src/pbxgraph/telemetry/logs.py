"""One log format for every logger in the process: pbxgraph's, uvicorn's and httpx's.

``text`` (for a terminal) is ``time level logger: message key=value ...``;
``json`` writes one JSON object per line with the same fields, for a log
collector. Structured fields travel in ``extra={"fields": {...}}``; a line
logged while a request is served carries that request's id.

Vendor URLs never reach a log with their query string intact: values of
parameters whose name says secret are replaced, wherever the URL is logged.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
from typing import Any, TextIO
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from pbxgraph.redaction import is_secret_key
from pbxgraph.telemetry.requests import current

FORMATS = ("text", "json")
LEVELS = ("debug", "info", "warning", "error")
_HANDLER_NAME = "pbxgraph"
_URL = re.compile(r"\bhttps?://[^\s\"'<>]+")


def scrub_url(url: str) -> str:
    """``url`` without user-info and with the values of secret-named query parameters masked."""
    parts = urlsplit(url)
    netloc = parts.netloc.rpartition("@")[2]
    query = urlencode(
        [(k, "***" if is_secret_key(k) else v) for k, v in parse_qsl(parts.query, keep_blank_values=True)], safe="*"
    )
    return urlunsplit((parts.scheme, netloc, parts.path, query, ""))


def scrub_text(text: str) -> str:
    return _URL.sub(lambda m: scrub_url(m.group(0)), text)


class _Context(logging.Filter):
    """Adds the current request's id to every record made while it is served."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            request = current()
            record.request_id = request.id if request is not None else None
        return True


class _VendorUrls(logging.Filter):
    """httpx logs each request at INFO with its full URL: DEBUG it is, and scrubbed."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno == logging.INFO and str(record.msg).startswith("HTTP Request"):
            if not logging.getLogger().isEnabledFor(logging.DEBUG):
                return False
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        if isinstance(record.args, tuple):
            record.args = tuple(scrub_url(str(a)) if _URL.match(str(a)) else a for a in record.args)
        return True


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    fields: dict[str, Any] = dict(getattr(record, "fields", None) or {})
    request_id = getattr(record, "request_id", None)
    if request_id and "request_id" not in fields:
        fields["request_id"] = request_id
    return fields


def _timestamp(record: logging.LogRecord) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z"


def _text_value(value: Any) -> str:
    if isinstance(value, str):
        return value if value and not re.search(r"[\s=\"]", value) else json.dumps(value)
    if isinstance(value, float):
        return f"{value:.1f}"
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = f"{_timestamp(record)} {record.levelname} {record.name}: {scrub_text(record.getMessage())}"
        fields = _fields(record)
        if fields:
            line += " " + " ".join(f"{k}={_text_value(v)}" for k, v in fields.items())
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": _timestamp(record),
            "level": record.levelname,
            "logger": record.name,
            "message": scrub_text(record.getMessage()),
        }
        for key, value in _fields(record).items():
            entry.setdefault(key, value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


class _Stderr(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is when a line is written, not when logging was set up."""

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, value: TextIO) -> None:
        pass


def setup_logging(level: str = "info", fmt: str = "text", stream: TextIO | None = None) -> None:
    """Route every logger through one handler on the root logger, in ``fmt``.

    uvicorn is started with ``log_config=None`` so it adds no handlers of its
    own; its loggers propagate here. Calling this again replaces the handler.
    """
    if fmt not in FORMATS:
        raise ValueError(f"log format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    root = logging.getLogger()
    for previous in list(root.handlers):
        if previous.get_name() == _HANDLER_NAME:
            root.removeHandler(previous)
    handler: logging.Handler = logging.StreamHandler(stream) if stream is not None else _Stderr()
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    handler.addFilter(_Context())
    root.addHandler(handler)
    numeric = getattr(logging, level.upper(), logging.INFO)
    root.setLevel(numeric)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "uvicorn.asgi"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    httpx_logger = logging.getLogger("httpx")
    if not any(isinstance(f, _VendorUrls) for f in httpx_logger.filters):
        httpx_logger.addFilter(_VendorUrls())
    # httpcore's DEBUG is a line per socket event; its warnings are enough.
    logging.getLogger("httpcore").setLevel(max(numeric, logging.INFO))

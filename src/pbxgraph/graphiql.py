"""The GraphiQL page, served with assets packaged inside pbxgraph.

Stock GraphiQL pages load React and GraphiQL from a public CDN and stay on
"Loading..." on a closed PBX admin network; this page names only files under
``/static/graphiql/`` on this server, and a Content-Security-Policy keeps it so.

The page is the same for every URL: ``init.js`` reads ``query``,
``variables`` and ``operationName`` from the address into the editors, keeps
the address in step with them, and offers a "copy link" button, so a query is
shared by its link. Nothing from the URL is written into the HTML. With API
tokens configured the header editor starts with an ``Authorization: Bearer``
line to complete.
"""

from __future__ import annotations

from html import escape
from importlib.resources import files
from pathlib import Path

ASSETS_DIR = Path(str(files("pbxgraph") / "static" / "graphiql"))
STATIC_PREFIX = "/static/graphiql"

SCRIPTS = ("react.production.min.js", "react-dom.production.min.js", "graphiql.min.js", "init.js")
STYLES = ("graphiql.min.css",)
#: The page's icon (SVG, which every current browser takes); /favicon.ico serves the ICO beside it.
FAVICON = "favicon.svg"
FAVICON_ICO = ASSETS_DIR / "favicon.ico"

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)


def graphiql_html(endpoint: str, root_path: str = "", *, bearer_tokens: bool = False) -> str:
    """The page; ``bearer_tokens``: the API needs ``Authorization: Bearer``, so the headers start with it."""
    prefix = f"{root_path}{STATIC_PREFIX}"
    styles = "\n".join(f'    <link rel="stylesheet" href="{prefix}/{name}">' for name in STYLES)
    scripts = "\n".join(f'    <script src="{prefix}/{name}"></script>' for name in SCRIPTS)
    auth = "bearer" if bearer_tokens else "none"
    return f"""<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>pbxgraph · GraphiQL</title>
    <link rel="icon" type="image/svg+xml" href="{prefix}/{FAVICON}">
{styles}
    <style>html, body, #graphiql {{ height: 100%; margin: 0; }}</style>
  </head>
  <body>
    <div id="graphiql" data-endpoint="{escape(endpoint)}" data-auth="{auth}">Loading GraphiQL…</div>
{scripts}
  </body>
</html>
"""

"""The GraphiQL page, served with assets packaged inside pbxgraph.

Stock GraphiQL pages load React and GraphiQL from a public CDN and stay on
"Loading..." on a closed PBX admin network; this page names only files under
``/static/graphiql/`` on this server, and a Content-Security-Policy keeps it so.
"""

from __future__ import annotations

from html import escape
from importlib.resources import files
from pathlib import Path

ASSETS_DIR = Path(str(files("pbxgraph") / "static" / "graphiql"))
STATIC_PREFIX = "/static/graphiql"

SCRIPTS = ("react.production.min.js", "react-dom.production.min.js", "graphiql.min.js", "init.js")
STYLES = ("graphiql.min.css",)

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)


def graphiql_html(endpoint: str, root_path: str = "") -> str:
    prefix = f"{root_path}{STATIC_PREFIX}"
    styles = "\n".join(f'    <link rel="stylesheet" href="{prefix}/{name}">' for name in STYLES)
    scripts = "\n".join(f'    <script src="{prefix}/{name}"></script>' for name in SCRIPTS)
    return f"""<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>pbxgraph · GraphiQL</title>
{styles}
    <style>html, body, #graphiql {{ height: 100%; margin: 0; }}</style>
  </head>
  <body>
    <div id="graphiql" data-endpoint="{escape(endpoint)}">Loading GraphiQL…</div>
{scripts}
  </body>
</html>
"""

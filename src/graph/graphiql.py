"""GraphiQL served by the service itself (scripts and styles included), so it works offline.

The assets are GraphiQL 2 with React 17, as shipped by the PyPI package
``graphene-django-graphiql-static``; only its files are used. They are served under a path that
carries the package version, so browsers may cache them for a year.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import metadata, resources
from typing import Final

from fastapi import FastAPI, HTTPException, Response

ASSET_PACKAGE: Final = "graphene_django_graphiql_static"
ASSET_VERSION: Final = metadata.version("graphene-django-graphiql-static")
ASSETS_PATH: Final = f"/graphiql/static/{ASSET_VERSION}"
CACHE_FOREVER: Final = "public, max-age=31536000, immutable"

ASSET_TYPES: Final = {
    "graphiql.min.css": "text/css; charset=utf-8",
    "react.production.min.js": "text/javascript; charset=utf-8",
    "react-dom.production.min.js": "text/javascript; charset=utf-8",
    "graphiql.min.js": "text/javascript; charset=utf-8",
}
STYLES: Final = ("graphiql.min.css",)
SCRIPTS: Final = ("react.production.min.js", "react-dom.production.min.js", "graphiql.min.js")

DEFAULT_QUERY: Final = """\
# Run with ▶ or Ctrl-Enter. Every request needs, in the
# Headers tab below: {"Authorization": "Bearer <token>"}
query DemoShop {
  shop {
    name
    timezone
  }
  viewer {
    name
    role
  }
  customers(first: 5) {
    totalCount
    pageInfo {
      hasNextPage
      endCursor
    }
    nodes {
      id
      fullName
      phone
      province
      ordersCount
      totalSpent
    }
  }
}
"""

HINT: Final = (
    "Set your API token in the <b>Headers</b> tab below: "
    '<code>{"Authorization": "Bearer &lt;token&gt;"}</code>. '
    "<code>make run</code> prints a demo token; <code>customer-hub token</code> creates one."
)

PAGE: Final = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="robots" content="noindex">
  <meta name="referrer" content="no-referrer">
  <title>customer-hub · GraphiQL</title>
  <link rel="icon" href="data:,">
{styles}
  <style>
    html, body {{ height: 100%; margin: 0; }}
    body {{ display: flex; flex-direction: column; }}
    #graphiql {{ flex: 1; min-height: 0; }}
    #hint {{ font: 14px/1.4 system-ui, sans-serif; padding: 6px 12px;
             background: #fff7d6; border-bottom: 1px solid #e8d98a; }}
  </style>
</head>
<body>
{hint}
  <div id="graphiql">Loading GraphiQL…</div>
{scripts}
  <script id="graphiql-config" type="application/json">{config}</script>
  <script>
    (function () {{
      var config = JSON.parse(document.getElementById("graphiql-config").textContent);
      var props = {{
        fetcher: GraphiQL.createFetcher({{ url: config.endpoint }}),
        defaultQuery: config.defaultQuery,
        defaultEditorToolsVisibility: "headers",
        isHeadersEditorEnabled: true,
        shouldPersistHeaders: false
      }};
      if (config.headers) {{
        props.defaultHeaders = config.headers;
        props.headers = config.headers;
      }}
      ReactDOM.render(
        React.createElement(GraphiQL, props),
        document.getElementById("graphiql")
      );
    }})();
  </script>
</body>
</html>
"""


@dataclass(frozen=True, slots=True)
class Asset:
    body: bytes
    media_type: str


@cache
def asset(name: str) -> Asset | None:
    """One of the bundled files, read once; None for anything not on the list."""
    media_type = ASSET_TYPES.get(name)
    if media_type is None:
        return None
    files = resources.files(ASSET_PACKAGE) / "static" / ASSET_PACKAGE / name
    return Asset(body=files.read_bytes(), media_type=media_type)


def _script_safe_json(value: object) -> str:
    """JSON that cannot close the surrounding <script> element."""
    return (
        json.dumps(value, ensure_ascii=False)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
    )


def graphiql_page(*, endpoint: str, default_token: str | None) -> str:
    """The HTML page; with ``default_token`` the headers editor starts with that token set."""
    headers = (
        json.dumps({"Authorization": f"Bearer {default_token}"}, indent=2)
        if default_token
        else None
    )
    config = {"endpoint": endpoint, "defaultQuery": DEFAULT_QUERY, "headers": headers}
    return PAGE.format(
        styles="\n".join(f'  <link rel="stylesheet" href="{ASSETS_PATH}/{n}">' for n in STYLES),
        scripts="\n".join(f'  <script src="{ASSETS_PATH}/{n}"></script>' for n in SCRIPTS),
        hint="" if default_token else f'  <div id="hint">{HINT}</div>',
        config=_script_safe_json(config),
    )


def install_graphiql_assets(app: FastAPI) -> None:
    """Serve GraphiQL's scripts and styles from the service, cacheable for a year."""

    @app.get(ASSETS_PATH + "/{name}", include_in_schema=False)
    async def graphiql_asset(name: str) -> Response:
        found = asset(name)
        if found is None:
            raise HTTPException(status_code=404, detail="No such GraphiQL asset.")
        return Response(
            content=found.body,
            media_type=found.media_type,
            headers={"Cache-Control": CACHE_FOREVER, "X-Content-Type-Options": "nosniff"},
        )

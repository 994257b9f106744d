"""The HTTP surface: GraphiQL served from pbxgraph itself, probes, metrics."""

from __future__ import annotations

import re

from pbxgraph.testing.graphql import GraphQLTestClient


async def test_graphiql_page_and_everything_it_loads_come_from_pbxgraph(client: GraphQLTestClient) -> None:
    page = await client.http.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assets = re.findall(r'<(?:script src|link rel="stylesheet" href)="([^"]+)"', page.text)
    assert len(assets) == 5
    for asset in assets:
        assert asset.startswith("/static/graphiql/"), asset  # never a CDN: closed networks must work
        response = await client.http.get(asset)
        assert response.status_code == 200, asset
        assert len(response.content) > 100
    scripts = " ".join(a for a in assets if a.endswith(".js"))
    assert "react.production" in scripts and "react-dom.production" in scripts and "graphiql.min.js" in scripts
    init = await client.http.get("/static/graphiql/init.js")
    assert "createFetcher" in init.text
    assert "http://" not in init.text and "https://" not in init.text


async def test_graphql_over_get_for_queries(client: GraphQLTestClient) -> None:
    response = await client.http.get("/graphql", params={"query": "{ users(first: 1) { totalCount } }"})
    assert response.status_code == 200 and response.json()["data"]["users"]["totalCount"] == 64


async def test_probes_and_metrics(client: GraphQLTestClient) -> None:
    assert (await client.http.get("/healthz")).json() == {"status": "ok"}
    ready = await client.http.get("/readyz")
    assert ready.status_code == 200 and ready.json()["ready"] is True
    await client.data("{ users(first: 1) { totalCount } }")
    metrics = (await client.http.get("/metrics")).text
    assert 'pbxgraph_backend_calls_total{backend="east",operation="user.list",outcome="ok"}' in metrics
    assert "pbxgraph_graphql_requests_total" in metrics

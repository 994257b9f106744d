"""/metrics: latency histograms, errors by code, backend readiness, and a token when tokens exist."""

from __future__ import annotations

from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from pbxgraph.config import ApiToken, AuthConfig, BackendConfig, Config
from pbxgraph.errors import BackendTimeout
from pbxgraph.telemetry.metrics import MAX_OPERATIONS, METRICS
from pbxgraph.testing.graphql import GraphQLTestClient
from tests.core.conftest import Env, local

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def scrape(client: GraphQLTestClient, **headers: str) -> Samples:
    response = await client.http.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


async def test_request_latency_histogram_by_operation(env: Env) -> None:
    before = await scrape(env.client)
    for _ in range(3):
        await env.client.data("query MetricsUsers { users(first: 2) { totalCount } }")
    await env.client.data("{ backends { name } }")
    after = await scrape(env.client)
    name = "pbxgraph_graphql_request_duration_seconds"
    for operation, count in (("MetricsUsers", 3), ("anonymous", 1)):
        assert (
            value(after, f"{name}_count", operation=operation) - value(before, f"{name}_count", operation=operation)
            == count
        )
        assert (
            value(after, f"{name}_bucket", operation=operation, le="+Inf")
            - value(before, f"{name}_bucket", operation=operation, le="+Inf")
            == count
        )
    assert value(after, f"{name}_sum", operation="MetricsUsers") > value(
        before, f"{name}_sum", operation="MetricsUsers"
    )
    buckets = [
        le
        for (metric, labels), _ in after.items()
        if metric == f"{name}_bucket" and ("operation", "MetricsUsers") in labels
        for key, le in labels
        if key == "le"
    ]
    assert {"0.005", "0.1", "1.0", "10.0", "+Inf"} <= set(buckets)


async def test_backend_call_latency_by_backend_and_outcome(env: Env) -> None:
    env.spies["west"].behaviour.failures["user.page"] = BackendTimeout("slow")
    before = await scrape(env.client)
    env.reset_calls()
    await env.client.execute("{ users(first: 2) { totalCount } }")
    after = await scrape(env.client)
    name = "pbxgraph_backend_call_duration_seconds_count"
    assert (
        value(after, name, backend="east", outcome="ok") - value(before, name, backend="east", outcome="ok")
        == sum(env.spies["east"].calls.values())
        == 1
    )
    assert (
        value(after, name, backend="west", outcome="backend_timeout")
        - value(before, name, backend="west", outcome="backend_timeout")
        == 1
    )
    calls = "pbxgraph_backend_calls_total"
    assert (
        value(after, calls, backend="west", operation="user.list", outcome="backend_timeout")
        - value(before, calls, backend="west", operation="user.list", outcome="backend_timeout")
        == 1
    )


async def test_errors_by_code(env: Env) -> None:
    before = await scrape(env.client)
    await env.client.execute('{ node(id: "not-an-id") { id } }')
    await env.client.execute('{ a: node(id: "x") { id } b: node(id: "y") { id } }')
    env.spies["west"].behaviour.failures["user.page"] = BackendTimeout("slow")
    await env.client.execute("{ users(first: 1) { totalCount } }")
    after = await scrape(env.client)
    name = "pbxgraph_graphql_errors_total"
    assert value(after, name, code="BAD_USER_INPUT") - value(before, name, code="BAD_USER_INPUT") == 3
    assert value(after, name, code="BACKEND_TIMEOUT") - value(before, name, code="BACKEND_TIMEOUT") == 1


async def test_readiness_per_backend(tmp_path: Path) -> None:
    unreachable = BackendConfig(
        name="gone", vendor="era", timeout_s=2, options={"url": "http://127.0.0.1:9", "token": "t"}
    )
    config = Config(backends=(local("east", tmp_path / "east.sqlite3"), unreachable))
    async with GraphQLTestClient.running(config) as client:
        ready = await client.http.get("/readyz")
        assert ready.status_code == 503
        samples = await scrape(client)
    assert value(samples, "pbxgraph_backend_up", backend="east") == 1
    assert value(samples, "pbxgraph_backend_up", backend="gone") == 0


def test_client_chosen_operation_names_cannot_grow_the_series_without_bound() -> None:
    assert METRICS.operation_label(None) == "anonymous"
    assert METRICS.operation_label('bad name{x="1"}') == "other"
    assert METRICS.operation_label("Users\n") == "other"  # a whole match, not a prefix
    names = {METRICS.operation_label(f"Generated{i}") for i in range(MAX_OPERATIONS + 50)}
    assert "other" in names and len(names) <= MAX_OPERATIONS + 1


async def test_metrics_need_a_token_once_tokens_are_configured(tmp_path: Path) -> None:
    auth = AuthConfig(
        tokens=(ApiToken("dashboard", "reader-token-0123456789", "reader"),), metrics_token="scraper-token-0123456789"
    )
    config = Config(backends=(local("east", tmp_path / "east.sqlite3"),), auth=auth)
    async with GraphQLTestClient.running(config) as client:
        denied = await client.http.get("/metrics")
        assert denied.status_code == 401 and denied.headers["www-authenticate"] == "Bearer"
        assert "pbxgraph_" not in denied.text
        wrong = await client.http.get("/metrics", headers={"Authorization": "Bearer not-a-token-at-all"})
        assert wrong.status_code == 401
        await scrape(client, Authorization="Bearer reader-token-0123456789")
        await scrape(client, Authorization="Bearer scraper-token-0123456789")
        # The metrics token opens /metrics only.
        body = await client.execute(
            "{ backends { name } }", headers={"Authorization": "Bearer scraper-token-0123456789"}
        )
        assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_metrics_token_alone_guards_metrics_and_leaves_the_api_open(tmp_path: Path) -> None:
    config = Config(
        backends=(local("east", tmp_path / "east.sqlite3"),), auth=AuthConfig(metrics_token="scraper-token-0123456789")
    )
    async with GraphQLTestClient.running(config) as client:
        assert (await client.http.get("/metrics")).status_code == 401
        await scrape(client, Authorization="Bearer scraper-token-0123456789")
        assert (await client.data("{ backends { name } }"))["backends"] == [{"name": "east"}]


async def test_openmetrics_when_the_scraper_asks_for_it(env: Env) -> None:
    response = await env.client.http.get("/metrics", headers={"Accept": "application/openmetrics-text"})
    assert response.headers["content-type"].startswith("application/openmetrics-text; version=1.0.0")
    assert (
        response.text.endswith("# EOF\n")
        and "# TYPE pbxgraph_graphql_request_duration_seconds histogram" in response.text
    )

"""OpenTelemetry tracing (the ``otel`` extra): a span per request, per backend call, per vendor request."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("opentelemetry.sdk", reason='tracing needs the otel extra: pip install "pbxgraph[otel]"')

from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from pbxgraph.config import Config, TracingConfig
from pbxgraph.emulators.era import create_emulator
from pbxgraph.emulators.toolkit import LoopbackServer
from pbxgraph.telemetry.tracing import Tracing
from pbxgraph.testing.graphql import GraphQLTestClient
from tests.core.conftest import local
from tests.era.conftest import era_config


@pytest.fixture
def spans() -> tuple[TracerProvider, InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider, exporter


@pytest.fixture(scope="module")
def era_server() -> Iterator[tuple[Any, LoopbackServer]]:
    emulator = create_emulator()
    with emulator.serve() as server:
        yield emulator, server


async def test_a_span_per_request_backend_call_and_vendor_request(
    tmp_path: Path, spans: tuple[TracerProvider, InMemorySpanExporter], era_server: tuple[Any, LoopbackServer]
) -> None:
    provider, exporter = spans
    emulator, server = era_server
    config = Config(backends=(local("office", tmp_path / "office.sqlite3"), era_config(server.url, name="hq")))
    parent_trace = "4bf92f3577b34da6a3ce929d0e0e4736"
    async with GraphQLTestClient.running(config, tracer_provider=provider) as client:
        emulator.recorder.clear()
        response = await client.http.post(
            "/graphql",
            json={"query": "query Traced { users(first: 2) { totalCount } }"},
            headers={"X-Request-ID": "trace-me", "traceparent": f"00-{parent_trace}-00f067aa0ba902b7-01"},
        )
        assert response.status_code == 200 and "errors" not in response.json()
    finished = exporter.get_finished_spans()
    (request,) = [s for s in finished if s.kind is SpanKind.SERVER]
    assert request.name == "query Traced"
    assert request.attributes["pbxgraph.request_id"] == "trace-me"
    assert request.attributes["graphql.operation.name"] == "Traced"
    assert request.attributes["http.response.status_code"] == 200
    assert format(request.context.trace_id, "032x") == parent_trace  # joins the caller's trace
    calls = {s.name: s for s in finished if s.name.startswith("backend ")}
    assert set(calls) == {"backend office user.list", "backend hq user.list"}
    for span in calls.values():
        assert span.parent.span_id == request.context.span_id and span.attributes["pbxgraph.outcome"] == "ok"
    vendor = [s for s in finished if s.name.startswith("HTTP ")]
    assert len(vendor) == len(emulator.recorder.requests) > 0  # one span per vendor request, exactly
    for span in vendor:
        assert span.parent.span_id == calls["backend hq user.list"].context.span_id
        assert span.attributes["pbxgraph.backend"] == "hq" and span.attributes["http.response.status_code"] == 200


def test_the_tracing_table_builds_an_exporting_provider_and_nothing_by_default() -> None:
    assert Tracing.from_config(TracingConfig()) is None
    tracing = Tracing.from_config(TracingConfig(exporter="console", service_name="pbx-test", sample_ratio=0.5))
    assert tracing is not None
    try:
        assert tracing.provider.resource.attributes["service.name"] == "pbx-test"
        assert "0.5" in tracing.provider.sampler.get_description()
    finally:
        tracing.shutdown()
    otlp = Tracing.from_config(TracingConfig(exporter="otlp", endpoint="http://127.0.0.1:4318/v1/traces"))
    assert otlp is not None
    otlp.shutdown()

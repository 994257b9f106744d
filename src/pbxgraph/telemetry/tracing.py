"""OpenTelemetry tracing, from the optional ``otel`` extra; off unless configured.

A span per HTTP request (joined to the caller's trace when it sends a W3C
``traceparent``), a child span per backend call and per vendor HTTP request.
Nothing here is imported unless ``[tracing] exporter`` is set (or a tracer
provider is handed to the app), so pbxgraph runs without the extra installed.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from typing import Any

from pbxgraph.config import ConfigError, TracingConfig

INSTRUMENTATION = "pbxgraph"


class Tracing:
    """A tracer and, when pbxgraph built its provider, the duty to flush it at shutdown."""

    def __init__(self, provider: Any, *, owned: bool) -> None:
        self.provider = provider
        self.tracer = provider.get_tracer(INSTRUMENTATION)
        self._owned = owned

    @classmethod
    def from_config(cls, config: TracingConfig) -> Tracing | None:
        if not config.enabled:
            return None
        try:
            from opentelemetry.sdk.resources import Resource
            from opentelemetry.sdk.trace import TracerProvider
            from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter
            from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased
        except ImportError:
            raise ConfigError('tracing.exporter: tracing needs the otel extra: pip install "pbxgraph[otel]"') from None
        exporter: SpanExporter
        if config.exporter == "console":
            exporter = ConsoleSpanExporter()
        else:
            try:
                from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
            except ImportError:
                raise ConfigError(
                    'tracing.exporter: the OTLP exporter needs the otel extra: pip install "pbxgraph[otel]"'
                ) from None
            exporter = OTLPSpanExporter(endpoint=config.endpoint) if config.endpoint else OTLPSpanExporter()
        provider = TracerProvider(
            resource=Resource.create({"service.name": config.service_name}),
            sampler=ParentBased(TraceIdRatioBased(config.sample_ratio)),
        )
        provider.add_span_processor(BatchSpanProcessor(exporter))
        return cls(provider, owned=True)

    @contextlib.contextmanager
    def request_span(self, name: str, headers: Mapping[str, str], attributes: Mapping[str, Any]) -> Iterator[Any]:
        """The server span of one HTTP request, continuing the caller's trace if it sent one."""
        from opentelemetry import propagate, trace

        parent = propagate.extract(dict(headers))
        with self.tracer.start_as_current_span(
            name, context=parent, kind=trace.SpanKind.SERVER, attributes=dict(attributes)
        ) as span:
            yield span

    def shutdown(self) -> None:
        if self._owned:
            self.provider.shutdown()

"""The request deadline, set for the execution of every query.

Set here, around execution, it is inherited by every resolver, dataloader
batch and fan-out of the request (see :mod:`pbxgraph.deadline`), so each
vendor call the service makes is bounded by what is left of it. Mutations
run without one: a write cut short half-way would leave half an object, so
each of their vendor calls keeps only its backend's own timeout.
"""

from __future__ import annotations

from collections.abc import Iterator

from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from pbxgraph import deadline


class RequestDeadline(SchemaExtension):
    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        service = getattr(context.context, "service", None)
        seconds = None
        if service is not None and context.operation_type is OperationType.QUERY:
            seconds = service.request_timeout_s
        with deadline.within(seconds):
            yield

"""Safe retries: a mutation sent again with the same idempotency key answers as the first time.

The key comes in the ``Idempotency-Key`` header, or in the ``idempotencyKey``
argument every mutation field takes (over a WebSocket, the argument is the
only way). It names one whole mutation operation of one caller (token name):

* within ``[state] idempotency_window_s`` of the first use, the same key with
  the same operation and variables answers with the first answer, ``data``
  and ``errors`` alike, and calls no backend (``extensions.idempotency``
  says ``replayed: true``);
* the same key with a different operation or variables is ``CONFLICT``;
* the same key while the first request still runs is ``CONFLICT`` at once,
  with ``extensions.idempotency: "IN_PROGRESS"``: retry a little later.

An operation that wrote nothing to any backend (refused as bad input, a dry
run, a token that may only read) frees its key: there is nothing to protect,
and the corrected request may be sent under the same key.

The argument is added to every field of ``Mutation`` when the schema is built
(:func:`idempotent_mutations`), so a new mutation takes it without a line of
its own. Queries ignore the header: they change nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from graphql import ExecutionResult, GraphQLError, GraphQLString, print_ast, value_from_ast
from graphql.language import FieldNode, OperationDefinitionNode, SourceLocation
from strawberry.annotation import StrawberryAnnotation
from strawberry.extensions import FieldExtension, SchemaExtension
from strawberry.types.arguments import StrawberryArgument
from strawberry.types.field import StrawberryField
from strawberry.types.graphql import OperationType

from pbxgraph.errors import BadUserInput, Conflict, PbxError
from pbxgraph.schema.errors import Replayed, coded
from pbxgraph.state import Claim, State, acting_as, counting_writes
from pbxgraph.state.idempotency import MAX_KEY_LENGTH

HEADER = "idempotency-key"
ARGUMENT = "idempotencyKey"
_PYTHON_NAME = "idempotency_key"
DESCRIPTION = (
    "Makes a retry safe: the same key sent again by the same token within the configured window, "
    "with the same operation and variables, answers with the first answer and changes nothing again; "
    "with other ones it is CONFLICT. The `Idempotency-Key` header does the same for the whole request."
)


class TakesIdempotencyKey(FieldExtension):
    """Drops the ``idempotencyKey`` argument before the resolver: :class:`Idempotency` has read it."""

    def resolve(self, next_: Callable[..., Any], source: Any, info: Any, **kwargs: Any) -> Any:
        kwargs.pop(_PYTHON_NAME, None)
        return next_(source, info, **kwargs)

    async def resolve_async(self, next_: Callable[..., Awaitable[Any]], source: Any, info: Any, **kwargs: Any) -> Any:
        kwargs.pop(_PYTHON_NAME, None)
        return await next_(source, info, **kwargs)


def idempotent_mutations(mutation: type) -> None:
    """Give every field of ``mutation`` the ``idempotencyKey`` argument (once, however often it is called)."""
    for field in mutation.__strawberry_definition__.fields:  # type: ignore[attr-defined]
        if any(isinstance(e, TakesIdempotencyKey) for e in field.extensions):
            continue
        _add_argument(field)
        field.extensions.append(TakesIdempotencyKey())


def _add_argument(field: StrawberryField) -> None:
    argument = StrawberryArgument(
        python_name=_PYTHON_NAME,
        graphql_name=ARGUMENT,
        type_annotation=StrawberryAnnotation(str | None),
        description=DESCRIPTION,
        default=None,
    )
    field.arguments = [*field.arguments, argument]


def _operation(document: Any, name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        return operations[0] if len(operations) == 1 else None
    return next((o for o in operations if o.name is not None and o.name.value == name), None)


def _argument_keys(operation: OperationDefinitionNode, variables: dict[str, Any] | None) -> set[str]:
    keys: set[str] = set()
    for selection in operation.selection_set.selections:
        if not isinstance(selection, FieldNode):
            continue
        for argument in selection.arguments or ():
            if argument.name.value == ARGUMENT:
                value = value_from_ast(argument.value, GraphQLString, variables)
                if isinstance(value, str):
                    keys.add(value)
    return keys


def _checked(key: str, field: str) -> str:
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise BadUserInput(f"{field}: an idempotency key is 1 to {MAX_KEY_LENGTH} printable characters", field=field)
    return key


def fingerprint(document: Any, operation_name: str | None, variables: dict[str, Any] | None) -> str:
    """What makes two requests the same: the operation as parsed (spacing aside) and its variables."""
    body = json.dumps(
        {"document": print_ast(document), "operation": operation_name, "variables": variables or {}},
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(body.encode()).hexdigest()


def _failed(error: PbxError) -> ExecutionResult:
    return ExecutionResult(data=None, errors=[coded(GraphQLError(error.message, original_error=error))])


def _replayed(outcome: dict[str, Any]) -> ExecutionResult:
    errors = []
    for stored in outcome.get("errors") or []:
        error = GraphQLError(
            stored.get("message", ""),
            path=stored.get("path"),
            extensions=stored.get("extensions"),
            original_error=Replayed(),
        )
        if stored.get("locations"):
            error.locations = [SourceLocation(loc["line"], loc["column"]) for loc in stored["locations"]]
        errors.append(error)
    return ExecutionResult(data=outcome.get("data"), errors=errors or None)


class Idempotency(SchemaExtension):
    """Claims the key before a mutation runs, stores its answer after, and replays it on a repeat.

    It comes first among the schema's extensions, so it stores the answer as
    the client got it (errors with their codes) and sets the caller for
    everything the operation does (its audit entries are the token's).
    """

    _key: str | None = None
    _caller: str = ""
    _replayed: bool = False

    def _state(self) -> State | None:
        context = self.execution_context.context
        service = getattr(context, "service", None)
        return getattr(service, "state", None)

    async def on_operation(self) -> AsyncIterator[None]:
        context = self.execution_context.context
        with acting_as(getattr(context, "token", None)), counting_writes() as writes:
            yield
        state = self._state()
        if self._key is None or self._replayed or state is None:
            return
        result = self.execution_context.result
        if result is None or not writes[0]:
            # Nothing reached a backend (bad input, a dry run, a token that may only read): nothing to
            # protect, and the caller may correct the request and send it again under the same key.
            await state.keys.release(self._caller, self._key)
            return
        errors = [e.formatted for e in result.errors or []]
        await state.keys.finish(self._caller, self._key, {"data": result.data, "errors": errors})

    async def on_execute(self) -> AsyncIterator[None]:
        state = self._state()
        try:
            if state is not None and self.execution_context.operation_type is OperationType.MUTATION:
                await self._claim(state)
        except PbxError as error:
            self.execution_context.result = _failed(error)
        yield

    async def _claim(self, state: State) -> None:
        context = self.execution_context.context
        document = self.execution_context.graphql_document
        operation = _operation(document, self.execution_context.operation_name)
        if document is None or operation is None:
            return
        variables = self.execution_context.variables
        keys = {_checked(k, ARGUMENT) for k in _argument_keys(operation, variables)}
        request = getattr(context, "request", None)
        header = request.headers.get(HEADER) if request is not None and hasattr(request, "headers") else None
        if header is not None:
            keys.add(_checked(header.strip(), "Idempotency-Key"))
        if not keys:
            return
        if len(keys) > 1:
            raise BadUserInput(
                f"{ARGUMENT}: one operation takes one idempotency key (header and arguments agree)", field=ARGUMENT
            )
        key = keys.pop()
        caller = getattr(context, "token", None) or "anonymous"
        claimed = await state.keys.claim(
            caller, key, fingerprint(document, self.execution_context.operation_name, variables)
        )
        if claimed.claim is Claim.NEW:
            self._key, self._caller = key, caller
        elif claimed.claim is Claim.DONE:
            self._replayed = True
            self.execution_context.result = _replayed(claimed.outcome or {})
        elif claimed.claim is Claim.MISMATCH:
            raise _conflict("this idempotency key was used for a different operation or variables", "MISMATCH")
        else:
            raise _conflict(
                "a request with this idempotency key is still running; retry once it has answered", "IN_PROGRESS"
            )

    def get_results(self) -> dict[str, Any]:
        if self._replayed:
            return {"idempotency": {"replayed": True}}
        return {}


class IdempotencyConflict(Conflict):
    """CONFLICT with ``extensions.idempotency``: ``MISMATCH`` or ``IN_PROGRESS``."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason

    def extensions(self) -> dict[str, Any]:
        return {**super().extensions(), "idempotency": self.reason}


def _conflict(message: str, reason: str) -> Conflict:
    return IdempotencyConflict(message, reason)

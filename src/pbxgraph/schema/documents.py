"""Each distinct document is parsed and validated once, not on every request.

Validation was the largest fixed cost of a small query (more than a quarter of
its time), and clients send the same few documents again and again. So the
schema keeps two bounded LRU caches keyed by the query text:

* the parsed document, parsed with the token limit (a document over it is
  refused with the same syntax error every time: failures are not cached);
* the validation errors of that document under the schema's rules: GraphQL's
  own, the depth and alias limits and, in production, no introspection. The
  limit rules are built once with the schema, so the key (text and rules) is
  the same on every request and the limits apply exactly as before.

Validation depends on the document and the schema alone, never on variables
or the operation chosen, so a cached answer is the answer. The cost limit
(:mod:`pbxgraph.schema.cost`) depends on variables and still runs on every
request, after validation.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator, Sequence
from typing import Any

from graphql import ASTValidationRule, DocumentNode, GraphQLError, GraphQLSchema, parse
from strawberry.extensions import MaxAliasesLimiter, QueryDepthLimiter, SchemaExtension
from strawberry.schema.schema import validate_document

#: Distinct documents kept parsed and validated (a client's own queries number in the tens).
CACHED_DOCUMENTS = 512


@functools.lru_cache(maxsize=CACHED_DOCUMENTS)
def parsed(query: str, max_tokens: int) -> DocumentNode:
    """The document of ``query``; a GraphQLSyntaxError (never cached) when it does not parse."""
    return parse(query, max_tokens=max_tokens)


@functools.lru_cache(maxsize=CACHED_DOCUMENTS)
def _validated(
    schema: GraphQLSchema, query: str, max_tokens: int, rules: tuple[type[ASTValidationRule], ...]
) -> tuple[GraphQLError, ...]:
    return tuple(validate_document(schema, parsed(query, max_tokens), rules))


class Documents:
    """The limits one schema validates with, as rule classes built once."""

    def __init__(self, *, max_depth: int, max_aliases: int, max_tokens: int, extra: Sequence[Any] = ()) -> None:
        self.max_tokens = max_tokens
        rules: list[type[ASTValidationRule]] = []
        for limiter in (QueryDepthLimiter(max_depth=max_depth), MaxAliasesLimiter(max_alias_count=max_aliases), *extra):
            rules.extend(limiter.validation_rules)
        self.rules = tuple(rules)

    def extension(self) -> type[SchemaExtension]:
        """The schema extension applying these limits with the caches (one instance per request, as usual)."""
        documents = self

        class CachedDocuments(SchemaExtension):
            def on_operation(self) -> Iterator[None]:
                context = self.execution_context
                context.validation_rules = context.validation_rules + documents.rules
                context.parse_options["max_tokens"] = documents.max_tokens
                yield

            def on_parse(self) -> Iterator[None]:
                context = self.execution_context
                if context.query and context.graphql_document is None:
                    # A document that does not parse is left to strawberry, which answers its syntax error.
                    with contextlib.suppress(GraphQLError):
                        context.graphql_document = parsed(context.query, documents.max_tokens)
                yield

            def on_validate(self) -> Iterator[None]:
                context = self.execution_context
                if context.query and context.pre_execution_errors is None:
                    errors = _validated(
                        context.schema._schema, context.query, documents.max_tokens, context.validation_rules
                    )
                    context.pre_execution_errors = list(errors)
                yield

        return CachedDocuments


__all__ = ["CACHED_DOCUMENTS", "Documents", "parsed"]

"""Who owns the numbers a batch wants, on every backend the caller sees: the directory, in bulk.

For a few numbers this asks the directory once per number (each look-up
filters every backend's users, groups and queues by that extension). For
more, it costs fewer vendor calls to read each backend's users, groups and
queues once, page by page, and pick the owners out; a 500-user onboarding
then costs a few pages per backend instead of thousands of look-ups. A
backend that does not answer is named with its error, so the plan can say
which numbers it could not check there.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Never

from pbxgraph.domain import Filter, Kind, ListQuery, Operation, Record, record_extension, record_name
from pbxgraph.errors import PbxError
from pbxgraph.service.changes.model import Subject
from pbxgraph.service.kinds import KindService
from pbxgraph.service.listing import MAX_PAGE
from pbxgraph.service.service import PbxService

#: Up to this many numbers are looked up one by one; more are found by reading the listings whole.
LOOK_UP_AT_MOST = 8
OWNER_KINDS = (Kind.USER, Kind.GROUP, Kind.QUEUE)


@dataclass(frozen=True, slots=True)
class Owner:
    subject: Subject
    name: str


@dataclass(slots=True)
class Numbering:
    owners: dict[str, list[Owner]] = field(default_factory=dict)
    #: Backends that could not be asked, with why.
    failed: dict[str, PbxError] = field(default_factory=dict)

    def add(self, backend: str, kind: Kind, record: Record) -> None:
        number = record_extension(record)
        if number is None:
            return
        owner = Owner(Subject(kind, backend, record.id), record_name(record))
        found = self.owners.setdefault(number, [])
        if owner not in found:
            found.append(owner)


async def owners_of(service: PbxService, numbers: Collection[str]) -> Numbering:
    """The users, groups and queues owning ``numbers``, on every backend this caller sees."""
    numbering = Numbering()
    if not numbers:
        return numbering
    if len(numbers) <= LOOK_UP_AT_MOST:
        answers = await asyncio.gather(*(service.directory(n) for n in sorted(numbers)))
        for answer in answers:
            for entry in answer.entries:
                numbering.add(entry.backend, entry.kind, entry.record)
            for error in answer.errors:
                if error.backend is not None:
                    numbering.failed.setdefault(error.backend, error)
        return numbering
    wanted = set(numbers)
    kinds: dict[Kind, KindService[Record, Never, Never]] = {kind: service.kind(kind) for kind in OWNER_KINDS}
    asks = [
        (backend, kind)
        for backend in service.backends.names
        for kind in OWNER_KINDS
        if service.capabilities(backend).supports(kind, Operation.LIST)
    ]

    async def read_all(backend: str, kind: Kind) -> None:
        offset = 0
        while True:
            page = await kinds[kind].page_of(backend, ListQuery(filter=Filter(), offset=offset, limit=MAX_PAGE))
            for record in page.items:
                if record_extension(record) in wanted:
                    numbering.add(backend, kind, record)
            offset += len(page.items)
            if not page.has_more or not page.items:
                return

    results = await asyncio.gather(*(read_all(b, k) for b, k in asks), return_exceptions=True)
    for (backend, _), result in zip(asks, results, strict=True):
        if isinstance(result, PbxError):
            numbering.failed.setdefault(backend, result.with_backend(backend))
        elif isinstance(result, BaseException):
            raise result
    return numbering

"""Refs, the object each item acts on, and the order items apply in.

An item's ``ref`` names the object it acts on (for a create, the object it
creates), and any id of a later or earlier item may be ``ref:NAME`` instead.
Items then depend on each other three ways, and each way is an edge here:

* a ref is used only after the item that defines it;
* two items on the same object keep the order they were given in, when one
  of them writes it (a delete waits for the items that add the object
  somewhere, a second update waits for the first): the classic hazards,
  taken along the order the refs allow;
* on one backend, an item that takes a number (or a username, or a MAC)
  waits for the item that frees it (see :mod:`.planning`).

The order is a topological one that keeps the given order wherever the
edges allow. Edges that form a cycle make every item in it a
``BAD_USER_INPUT`` problem naming the others, since no order can satisfy
them (two users swapping extensions in one step is one).
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Collection, Iterable, Mapping, Sequence

from pbxgraph.errors import BadUserInput, shown
from pbxgraph.service.changes.model import Action, Change, Ref, Subject, Target

#: What a ref may be called: like a username, at most 64 characters.
REF_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@+-]{0,63}")

Edges = dict[int, set[int]]


def describe(index: int, changes: Sequence[Change]) -> str:
    """``changes[3] (ref 'alice')``: how messages name an item."""
    ref = changes[index].ref
    return f"changes[{index}]" + (f" (ref '{ref}')" if ref else "")


class Refs:
    """The batch's refs, and the object every item and every target names."""

    def __init__(self, changes: Sequence[Change], problems: Mapping[int, list[Exception]]) -> None:
        self._changes = changes
        self._problems = problems
        self.defined: dict[str, int] = {}
        for change in changes:
            if change.ref is None:
                continue
            if not REF_NAME.fullmatch(change.ref):
                self._add(
                    change.index,
                    BadUserInput(
                        f"ref: {shown(change.ref)} is not a ref name (a letter or digit, then letters, digits "
                        "and . _ @ + -, at most 64 characters)",
                        field="ref",
                    ),
                )
            elif change.ref in self.defined:
                self._add(
                    change.index,
                    BadUserInput(
                        f"ref: '{change.ref}' is already the ref of {describe(self.defined[change.ref], changes)}",
                        field="ref",
                    ),
                )
            else:
                self.defined[change.ref] = change.index
        self._subjects: dict[int, Subject | None] = {}

    def _add(self, index: int, error: Exception) -> None:
        self._problems[index].append(error)

    def subject(self, index: int, visiting: tuple[int, ...] = ()) -> Subject | None:
        """The object item ``index`` acts on; None while it cannot be told (a bad ref, a broken item)."""
        if index in self._subjects:
            return self._subjects[index]
        change = self._changes[index]
        found: Subject | None = None
        if change.action is Action.CREATE:
            if change.backend is not None:
                found = Subject(change.kind, change.backend, created_by=index)
        elif isinstance(change.target, Ref):
            defining = self.defined.get(change.target.name)
            if defining is not None and defining not in visiting and defining != index:
                found = self.subject(defining, (*visiting, index))
        elif change.target is not None:
            found = Subject.of(change.target)
        if not visiting:
            self._subjects[index] = found
        return found

    def target(self, target: Target) -> Subject | None:
        """The object a target names (None for an unknown ref, reported where it is used)."""
        if isinstance(target, Ref):
            defining = self.defined.get(target.name)
            return None if defining is None else self.subject(defining)
        return Subject.of(target)

    def uses(self, change: Change) -> list[tuple[Ref, str]]:
        """Every ref an item uses, with where it is written."""
        found: list[tuple[Ref, str]] = []
        if isinstance(change.target, Ref):
            found.append((change.target, change.target_field))
        found += [(m.target, m.field) for m in change.members if isinstance(m.target, Ref)]
        if isinstance(change.user, Ref):
            found.append((change.user, change.user_field))
        return found

    def ref_edges(self) -> Edges:
        """Each item after the items whose refs it uses; unknown refs and self-references are problems."""
        edges: Edges = {change.index: set(change.after) for change in self._changes}
        for change in self._changes:
            for ref, where in self.uses(change):
                defining = self.defined.get(ref.name)
                if defining is None:
                    known = ", ".join(sorted(self.defined)[:10]) or "none"
                    self._add(
                        change.index,
                        BadUserInput(
                            f"{where}: no item of the batch has the ref {shown(ref.name)} (refs: {known})",
                            field=where,
                        ),
                    )
                elif defining == change.index:
                    self._add(
                        change.index,
                        BadUserInput(f"{where}: '{ref}' names this very item", field=where),
                    )
                else:
                    edges[change.index].add(defining)
        return edges


def hazard_edges(
    order: Sequence[int], writes: Mapping[int, Collection[Subject]], reads: Mapping[int, Collection[Subject]]
) -> Edges:
    """Items on one object keep ``order`` when one of them writes it: read after write, write after both."""
    edges: Edges = {index: set() for index in order}
    last_writer: dict[Subject, int] = {}
    readers: dict[Subject, list[int]] = {}
    for index in order:
        for subject in reads.get(index, ()):
            if subject in last_writer and last_writer[subject] != index:
                edges[index].add(last_writer[subject])
            readers.setdefault(subject, []).append(index)
        for subject in writes.get(index, ()):
            if subject in last_writer:
                edges[index].add(last_writer[subject])
            edges[index].update(r for r in readers.get(subject, ()) if r != index)
            last_writer[subject] = index
            readers[subject] = []
    return edges


def merged(*parts: Edges) -> Edges:
    edges: Edges = {}
    for part in parts:
        for index, before in part.items():
            edges.setdefault(index, set()).update(before)
    return edges


def topological(count: int, edges: Mapping[int, Iterable[int]]) -> tuple[list[int], list[list[int]]]:
    """Every index, each after those it depends on, otherwise in index order; and the cycles found.

    Items caught in or behind a cycle come last, in index order, so the
    plan still lists them.
    """
    waiting = {index: set(edges.get(index, ())) & set(range(count)) for index in range(count)}
    dependents: dict[int, list[int]] = {index: [] for index in range(count)}
    for index, before in waiting.items():
        for other in before:
            dependents[other].append(index)
    ready = [index for index, before in waiting.items() if not before]
    heapq.heapify(ready)
    order: list[int] = []
    while ready:
        index = heapq.heappop(ready)
        order.append(index)
        for other in dependents[index]:
            waiting[other].discard(index)
            if not waiting[other]:
                heapq.heappush(ready, other)
    left = sorted(set(range(count)) - set(order))
    cycles = _cycles(left, {index: waiting[index] for index in left}) if left else []
    return order + left, cycles


def _cycles(nodes: list[int], edges: Mapping[int, set[int]]) -> list[list[int]]:
    """Strongly connected components of more than one item, or with a self-loop (Tarjan, iterative)."""
    index_of: dict[int, int] = {}
    low: dict[int, int] = {}
    on_stack: set[int] = set()
    stack: list[int] = []
    found: list[list[int]] = []
    counter = 0
    for root in nodes:
        if root in index_of:
            continue
        work: list[tuple[int, list[int]]] = [(root, sorted(edges.get(root, ())))]
        index_of[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, pending = work[-1]
            if pending:
                nxt = pending.pop(0)
                if nxt not in index_of:
                    index_of[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, sorted(edges.get(nxt, ()))))
                elif nxt in on_stack:
                    low[node] = min(low[node], index_of[nxt])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index_of[node]:
                component: list[int] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in edges.get(node, ()):
                    found.append(sorted(component))
    return found


def cycle_problem(cycle: list[int], changes: Sequence[Change]) -> BadUserInput:
    """The problem each item of a cycle gets: which items, in a loop, must each come first."""
    loop = " → ".join(describe(index, changes) for index in [*cycle, cycle[0]])
    return BadUserInput(
        f"these items each need another of them applied first, so no order applies them: {loop} "
        "(for numbers swapped between objects, go through a free number)",
    )

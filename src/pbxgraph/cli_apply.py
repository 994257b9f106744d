"""``pbxgraph apply FILE``: a provisioning file's rows, planned whole, then applied with a progress bar.

The whole file is first sent as one dry run: every problem of every row is
printed (with its row number) and nothing is written while there is one.
``--dry-run`` stops there and prints the plan. Otherwise the changes are
applied in the plan's order, in slices (``--chunk-size``), so the progress
bar moves as each slice is done: refs to objects created by an earlier
slice are sent as the ids they got, and a change that depends on one that
did not apply is not sent. ``--on-error rollback`` sends the whole batch in
one request instead (a rollback can only take back what one batch did).
At the end a table sums up, per backend, what was created, updated,
deleted and so on, and every change that failed or was skipped is listed.

Exit codes: 0 when every change applied (or had nothing to do; for
``--dry-run``, when the plan has no problem), 1 when not, 2 when the file,
the command line or the configuration is wrong.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

from pbxgraph.cli_client import Client, ClientError, connect
from pbxgraph.cli_rows import Changes, RowError, format_of, read_rows, to_changes

RESULT = """
  index ref operation action backend id status dependsOn
  fields { field before after secret }
  problems { code message field }
  error { code message }
  note
  undo { undone message }
"""
PLAN = (
    "mutation Plan($input: ApplyChangesInput!) { applyChanges(input: $input) { status order "
    "changes {" + RESULT + "} warnings { code message backend } } }"
)
APPLY = "mutation Apply($input: ApplyChangesInput!) { applyChanges(input: $input) { status changes {" + RESULT + "} } }"
_DONE = frozenset({"APPLIED", "UNCHANGED"})
_ID_KEYS = frozenset({"id", "deviceId", "userId"})
_COLUMNS = (
    "create",
    "update",
    "delete",
    "members",
    "devices",
    "unchanged",
    "failed",
    "skipped",
    "undone",
    "not undone",
)
_ACTION_COLUMN = {
    "CREATE": "create",
    "UPDATE": "update",
    "DELETE": "delete",
    "ADD_MEMBERS": "members",
    "REMOVE_MEMBERS": "members",
    "SET_MEMBERS": "members",
    "ASSIGN": "devices",
    "UNASSIGN": "devices",
}


class Progress:
    """A one-line bar on a terminal (redrawn in place), a line per step elsewhere (logs, CI)."""

    WIDTH = 30

    def __init__(self, total: int, stream: TextIO, *, enabled: bool) -> None:
        self.total = total
        self.stream = stream
        self.enabled = enabled and total > 0
        self.terminal = stream.isatty()
        self.started = time.monotonic()

    def show(self, done: int, what: str = "applied") -> None:
        if not self.enabled:
            return
        elapsed = time.monotonic() - self.started
        if self.terminal:
            filled = round(self.WIDTH * done / self.total)
            bar = "#" * filled + "." * (self.WIDTH - filled)
            self.stream.write(f"\r[{bar}] {done}/{self.total} changes {what}  {elapsed:6.1f} s")
        else:
            self.stream.write(f"pbxgraph: {done}/{self.total} changes {what} ({elapsed:.1f} s)\n")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled and self.terminal:
            self.stream.write("\n")
            self.stream.flush()


def _row(rows: Sequence[int], index: int, changes: Sequence[Mapping[str, Any]]) -> str:
    ref = changes[index].get("ref")
    return f"row {rows[index]}" + (f" (ref {ref})" if ref else "")


def _shown(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, list):
        return "[" + ", ".join(_shown(v) for v in value) + "]"
    if isinstance(value, dict):
        return f"{value.get('id')}" + (f"={value['priority']}" if value.get("priority") is not None else "")
    return str(value)


def _fields(result: Mapping[str, Any]) -> str:
    parts = []
    for change in result.get("fields") or []:
        if change["secret"]:
            parts.append(f"{change['field']}: changed")
        else:
            parts.append(f"{change['field']}: {_shown(change['before'])} -> {_shown(change['after'])}")
    return "; ".join(parts)


def _substituted(value: Any, ids: Mapping[str, str], key: str | None = None) -> Any:
    """A change with ``ref:NAME`` ids of objects made by earlier slices written as those objects' ids."""
    if isinstance(value, dict):
        return {k: _substituted(v, ids, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_substituted(v, ids, key) for v in value]
    if isinstance(value, str) and key in (*_ID_KEYS, "memberIds") and value.startswith("ref:"):
        return ids.get(value[4:], value)
    return value


class Run:
    """One ``apply``: the plan, the slices, the results by change index, and the report."""

    def __init__(self, client: Client, found: Changes, args: argparse.Namespace, out: TextIO, err: TextIO) -> None:
        self.client = client
        self.changes = found.changes
        self.rows = found.rows
        self.args = args
        self.out = out
        self.err = err
        self.results: dict[int, dict[str, Any]] = {}
        self.started = time.monotonic()

    async def _ask(self, query: str, changes: list[Any], dry_run: bool) -> dict[str, Any]:
        body = await self.client.execute(
            query, {"input": {"changes": changes, "dryRun": dry_run, "onError": self.args.on_error.upper()}}
        )
        data = body.get("data") or {}
        answer = data.get("applyChanges")
        if answer is None:
            messages = "; ".join(str(e.get("message")) for e in body.get("errors") or []) or "no answer"
            raise ClientError(f"the batch was refused: {messages}")
        result: dict[str, Any] = answer
        return result

    def line(self, text: str) -> None:
        self.out.write(text + "\n")

    async def run(self) -> int:
        self.err.write(f"pbxgraph: planning {len(self.changes)} changes\n")
        plan = await self._ask(PLAN, self.changes, True)
        for change in plan["changes"]:
            self.results[change["index"]] = change
        for warning in plan.get("warnings") or []:
            self.err.write(f"pbxgraph: warning: {warning['message']}\n")
        if plan["status"] == "INVALID":
            for change in plan["changes"]:
                for problem in change["problems"]:
                    self.line(
                        f"{_row(self.rows, change['index'], self.changes)}: {problem['code']}: {problem['message']}"
                    )
            self.summary("planned")
            self.line(f"the plan has problems: nothing was applied ({len(self.changes)} changes)")
            return 1
        if self.args.dry_run:
            for index in plan["order"]:
                result = self.results[index]
                what = result["action"] or "nothing to do"
                self.line(
                    f"{_row(self.rows, index, self.changes)}: {result['operation']} on {result['backend']}: "
                    f"{what}{': ' + _fields(result) if result['fields'] and result['action'] else ''}"
                )
            self.summary("planned")
            self.line(f"dry run: {len(self.changes)} changes planned, nothing written")
            return 0
        await self.apply(plan)
        return self.report()

    def slices(self, order: list[int]) -> list[list[int]]:
        size = self.args.chunk_size
        if self.args.on_error == "rollback" or len(order) <= size:
            return [order]
        return [order[start : start + size] for start in range(0, len(order), size)]

    async def apply(self, plan: Mapping[str, Any]) -> None:
        order: list[int] = plan["order"]
        ids = {c["ref"]: c["id"] for c in plan["changes"] if c.get("ref") and c.get("id") and c["action"] != "CREATE"}
        progress = Progress(len(order), self.err, enabled=not self.args.no_progress)
        done = 0
        stopped: str | None = None
        progress.show(0)
        for part in self.slices(order):
            inside = set(part)
            sent: list[int] = []
            for index in part:
                result = self.results[index]
                if stopped is not None:
                    result.update(status="SKIPPED", note=stopped)
                    continue
                blocked = [d for d in result["dependsOn"] if d not in inside and self.results[d]["status"] not in _DONE]
                if blocked:
                    result.update(
                        status="SKIPPED",
                        note=f"not sent: it depends on {_row(self.rows, blocked[0], self.changes)}, which did not apply",
                    )
                    continue
                sent.append(index)
            if sent:
                answer = await self._ask(APPLY, [_substituted(self.changes[i], ids) for i in sent], False)
                for position, index in enumerate(sent):
                    outcome = answer["changes"][position]
                    outcome["index"] = index
                    self.results[index] = {**self.results[index], **outcome}
                    ref = self.changes[index].get("ref")
                    if ref and outcome.get("id"):
                        ids[ref] = outcome["id"]
                if answer["status"] not in ("APPLIED",) and self.args.on_error == "stop":
                    failed = next((i for i in sent if self.results[i]["status"] in ("FAILED", "INVALID")), sent[0])
                    stopped = f"not sent: the run stopped when {_row(self.rows, failed, self.changes)} failed"
            done += len(part)
            progress.show(done)
        progress.close()

    def summary(self, what: str) -> None:
        table: dict[str, dict[str, int]] = {}
        for result in self.results.values():
            counts = table.setdefault(result.get("backend") or "-", dict.fromkeys(_COLUMNS, 0))
            status = result["status"]
            if status in ("APPLIED", "PLANNED") and result["action"]:
                counts[_ACTION_COLUMN[result["action"]]] += 1
            elif status == "UNCHANGED":
                counts["unchanged"] += 1
            elif status in ("FAILED", "INVALID"):
                counts["failed"] += 1
            elif status == "SKIPPED":
                counts["skipped"] += 1
            elif status == "UNDONE":
                counts["undone"] += 1
            elif status == "NOT_UNDONE":
                counts["not undone"] += 1
        names = sorted(table)
        width = max([len("backend"), len("total"), *(len(n) for n in names)])
        self.line(f"{'backend':<{width}}  " + "  ".join(f"{c:>10}" for c in _COLUMNS) + f"   ({what})")
        totals = dict.fromkeys(_COLUMNS, 0)
        for name in names:
            self.line(f"{name:<{width}}  " + "  ".join(f"{table[name][c]:>10}" for c in _COLUMNS))
            for column in _COLUMNS:
                totals[column] += table[name][column]
        self.line(f"{'total':<{width}}  " + "  ".join(f"{totals[c]:>10}" for c in _COLUMNS))

    def report(self) -> int:
        bad = 0
        for index in sorted(self.results):
            result = self.results[index]
            where = f"{_row(self.rows, index, self.changes)}: {result['operation']} on {result.get('backend') or '-'}"
            status = result["status"]
            if status in _DONE:
                continue
            bad += 1
            if result.get("error"):
                self.line(f"{where}: {status}: {result['error']['code']}: {result['error']['message']}")
            elif result.get("problems"):
                problem = result["problems"][0]
                self.line(f"{where}: {status}: {problem['code']}: {problem['message']}")
            else:
                self.line(f"{where}: {status}" + (f": {result['note']}" if result.get("note") else ""))
            if result.get("undo"):
                self.line(f"    rollback: {result['undo']['message']}")
        self.summary("applied")
        elapsed = time.monotonic() - self.started
        unchanged = sum(1 for r in self.results.values() if r["status"] == "UNCHANGED")
        applied = len(self.results) - bad - unchanged
        self.line(
            f"{len(self.results)} changes in {elapsed:.1f} s: {applied} applied, {unchanged} with nothing to do, "
            f"{bad} not applied"
        )
        return 0 if bad == 0 else 1


async def _apply(args: argparse.Namespace, found: Changes) -> int:
    async with connect(url=args.url, token=args.token, config=args.config) as client:
        return await Run(client, found, args, sys.stdout, sys.stderr).run()


def run(args: argparse.Namespace) -> int:
    """The ``apply`` command."""
    path = Path(args.file)
    try:
        fmt = format_of(path, args.format)
        text = path.read_text(encoding="utf-8-sig")
        found = to_changes(read_rows(text, fmt), args.backend)
    except OSError as error:
        print(f"pbxgraph: cannot read {path}: {error.strerror}", file=sys.stderr)
        return 2
    except RowError as error:
        for line in str(error).splitlines():
            print(f"pbxgraph: {path}: {line}", file=sys.stderr)
        return 2
    if not found.changes:
        print(f"pbxgraph: {path}: no rows to apply", file=sys.stderr)
        return 2
    try:
        return asyncio.run(_apply(args, found))
    except ClientError as error:
        print(f"pbxgraph: {error}", file=sys.stderr)
        return error.code


def add_parser(commands: Any, connection: Any) -> None:
    apply = commands.add_parser("apply", help="apply a CSV, JSON or YAML file of changes (plan first)")
    apply.add_argument("file", help="the rows: .csv, .json, .yaml or .yml (see --format)")
    apply.add_argument("--dry-run", action="store_true", help="only plan: print the plan and every problem")
    apply.add_argument(
        "--on-error",
        choices=("stop", "continue", "rollback"),
        default="stop",
        help="what a failed change does (default stop); rollback sends one batch",
    )
    apply.add_argument("--format", choices=("csv", "json", "yaml"), help="the file's format (default: by its name)")
    apply.add_argument("--backend", help="the backend of rows that create without naming one")
    apply.add_argument(
        "--chunk-size", type=_positive, default=200, help="changes per request while applying (default 200)"
    )
    apply.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    connection(apply)
    apply.set_defaults(handler=run)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value

"""The benchmark suite: pbxgraph beside its floor and its references, in one run.

    .venv/bin/python bench/run.py [--quick] [--rounds 30] [--memory-minutes 0.25] [--src PATH] [--only NAME]

Every case is measured side by side with interleaved rounds (each round runs
every variant once, in rotating order) and reported as medians:

* **direct**: httpx making the vendor calls itself: the floor. For the flat
  list it is the one REST call; for nested shapes it replays the distinct
  requests pbxgraph made, wave by wave as they depend on each other (waves
  found by timing them under injected latency), so it is the floor of that
  plan without its duplicates and without GraphQL.
* **bare**: plain strawberry answering the same shape from memory: GraphQL's own cost.
* **naive**: strawberry resolvers calling the Era emulator directly, no loaders: the N+1 reference.
* **pbxgraph**: the app as shipped (``create_app`` from a configuration), in
  process through httpx's ASGITransport; the vendor emulators listen on
  loopback HTTP in threads of the same process.

It prints one table and writes ``bench.json``. Only pbxgraph's public surface
is used (configuration, ``create_app``, GraphQL, the emulators), so the same
command measures an older checkout: run it with that checkout's Python, or
pass ``--src`` pointing at the checkout.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _early_src() -> None:
    """``--src PATH`` must reach ``sys.path`` before pbxgraph is imported."""
    if "--src" in sys.argv:
        where = Path(sys.argv[sys.argv.index("--src") + 1]).resolve()
        sys.path.insert(0, str(where / "src" if (where / "src").is_dir() else where))


_early_src()

import asyncio  # noqa: E402
import contextlib  # noqa: E402
import gc  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import sqlite3  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
from collections import Counter  # noqa: E402
from collections.abc import AsyncIterator, Awaitable, Callable  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from typing import Any  # noqa: E402

import httpx  # noqa: E402
import shapes  # noqa: E402
from starlette.types import ASGIApp, Receive, Scope, Send  # noqa: E402

import pbxgraph  # noqa: E402
from pbxgraph.app import create_app  # noqa: E402
from pbxgraph.config import BackendConfig, Config  # noqa: E402
from pbxgraph.emulators.registry import emulated_vendors  # noqa: E402

try:
    from pbxgraph.serving import settle_heap
except ImportError:  # an older pbxgraph, whose server left the heap as it was

    def settle_heap() -> None:
        return None


from pbxgraph.emulators.toolkit import Fault, FaultKind  # noqa: E402
from pbxgraph.emulators.toolkit.server import LoopbackServer  # noqa: E402

Run = Callable[[], Awaitable[Any]]
ERA = "era-demo"
PAGE = (
    "{ edges { cursor node { id username displayName extension email enabled } } pageInfo { hasNextPage endCursor } }"
)
Q_TRUNKS = '{ trunks(first: 50, backends: ["era-demo"]) { edges { cursor node { id name host port enabled } } } }'
Q_QUEUES = (
    '{ queues(first: 50, backends: ["era-demo"]) { edges { node { id name extension members { position priority '
    "member { __typename ... on User { id username extension } } } } } } }"
)
Q_USERS_ALL = "{ users(first: 100) { edges { node { id username extension devices { mac model } groups { name } } } } }"
Q_PAGE = 'query($n: Int!) { users(first: $n, backends: ["office"]) ' + PAGE + " }"
Q_STORE_PAGE = (
    'query($after: String, $f: ListFilter) { users(first: 50, after: $after, backends: ["store"], filter: $f) '
)
Q_STORE_PAGE += "{ edges { cursor node { id username extension } } pageInfo { hasNextPage endCursor } } }"
Q_STORE_COUNT = '{ users(first: 0, backends: ["store"]) { totalCount } }'
Q_UPDATE = "mutation($id: ID!, $name: String!) { updateUser(id: $id, input: {displayName: $name}) { id displayName } }"
Q_UPDATE_BARE = "mutation($id: ID!, $name: String!) { updateUser(id: $id, displayName: $name) { id displayName } }"


# --- measuring -----------------------------------------------------------------


@dataclass
class Samples:
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    def summary(self) -> dict[str, float]:
        wall = sorted(self.wall)
        quartiles = statistics.quantiles(wall, n=4) if len(wall) > 1 else [wall[0]] * 3
        p50 = statistics.median(wall)
        return {
            "p50_ms": p50 * 1000,
            "p95_ms": wall[min(len(wall) - 1, round(0.95 * (len(wall) - 1)))] * 1000,
            "spread_pct": (quartiles[2] - quartiles[0]) / p50 * 100 if p50 else 0.0,
            "cpu_ms": statistics.median(self.cpu) * 1000,
            "n": len(wall),
        }


async def interleaved(variants: dict[str, Run], rounds: int, warmup: int = 2) -> dict[str, dict[str, float]]:
    """Each round runs every variant once, the order rotating; CPU is this thread's (the app's, not the emulators')."""
    names = list(variants)
    for _ in range(warmup):
        for name in names:
            await variants[name]()
    samples = {name: Samples() for name in names}
    for round_ in range(rounds):
        order = names[round_ % len(names) :] + names[: round_ % len(names)]
        for name in order:
            cpu, wall = time.thread_time(), time.perf_counter()
            await variants[name]()
            samples[name].wall.append(time.perf_counter() - wall)
            samples[name].cpu.append(time.thread_time() - cpu)
    return {name: s.summary() for name, s in samples.items()}


class Timed:
    """ASGI middleware noting when each vendor request arrived (to find the waves of a plan)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.arrivals: list[tuple[float, str, str, str, dict[str, str]]] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope["path"].startswith("/_emulator/"):
            headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
            query = scope.get("query_string", b"").decode("latin-1")
            self.arrivals.append((time.perf_counter(), scope["method"], scope["path"], query, headers))
        await self.app(scope, receive, send)


@dataclass
class Vendor:
    name: str
    emulator: Any
    timed: Timed
    server: LoopbackServer


class Environment:
    """The three vendor emulators on loopback, the local stores, pbxgraph and the reference servers."""

    def __init__(self, store_users: int, office_users: int, workdir: Path) -> None:
        self.workdir = workdir
        self.store_users = store_users
        self.office_users = office_users
        self.vendors: dict[str, Vendor] = {}
        for vendor, emulated in emulated_vendors().items():
            emulator = emulated.create(seed=True)
            timed = Timed(emulator.app)
            server = LoopbackServer(timed).start()
            self.vendors[f"{vendor}-demo"] = Vendor(f"{vendor}-demo", emulator, timed, server)
        self.options = {
            name: emulated_vendors()[name.removesuffix("-demo")].options(v.server.url)
            for name, v in self.vendors.items()
        }

    def config(self, *, store: bool) -> Config:
        backends = [BackendConfig(name="office", vendor="local", options={"path": ":memory:", "demo": True})]
        if store:
            backends.append(BackendConfig(name="store", vendor="local", options={"path": str(self.store_path)}))
        for name, options in self.options.items():
            backends.append(BackendConfig(name=name, vendor=name.removesuffix("-demo"), options=options))
        return Config(backends=tuple(backends))

    @property
    def store_path(self) -> Path:
        return self.workdir / f"store-{self.store_users}.sqlite3"

    async def build_store(self) -> None:
        """A local store file of ``store_users`` users: migrated by pbxgraph, filled with plain SQL."""
        if self.store_path.exists():
            return
        config = Config(backends=(BackendConfig(name="store", vendor="local", options={"path": str(self.store_path)}),))
        app = create_app(config)
        async with app.router.lifespan_context(app):
            pass
        db = sqlite3.connect(self.store_path)
        firsts = ["Anna", "Boris", "Chen", "Dana", "Emil", "Fatima", "Goran", "Hana", "Ivan", "Julia"]
        db.executemany(
            "INSERT INTO users (username, display_name, extension, email, enabled, sip_password) VALUES (?,?,?,?,?,?)",
            (
                (f"u{n:06d}", f"{firsts[n % 10]} Person{n:06d}", str(100000 + n), f"u{n:06d}@example.com", 1, "x")
                for n in range(self.store_users)
            ),
        )
        db.executemany(
            "INSERT INTO numbers (number, kind, owner_id) SELECT extension, 'user', id FROM users WHERE id = ?",
            ((n + 1,) for n in range(self.store_users)),
        )
        db.commit()
        db.close()

    def clear(self) -> None:
        for vendor in self.vendors.values():
            vendor.emulator.recorder.clear()
            vendor.timed.arrivals.clear()

    def latency(self, delays: dict[str, float]) -> None:
        for name, vendor in self.vendors.items():
            vendor.emulator.faults.clear()
            if delays.get(name):
                vendor.emulator.faults.add(Fault(FaultKind.LATENCY, delay_s=delays[name] / 1000))

    def calls(self) -> dict[str, dict[str, int]]:
        """Vendor requests per backend since the last clear, and how many repeated one already made."""
        found = {}
        for name, vendor in self.vendors.items():
            keys = Counter((r.method, r.path, r.query) for r in vendor.emulator.recorder.requests)
            found[name] = {"calls": sum(keys.values()), "duplicates": sum(keys.values()) - len(keys)}
        return found

    def stop(self) -> None:
        for vendor in self.vendors.values():
            vendor.server.signal_stop()
        for vendor in self.vendors.values():
            vendor.server.stop()


@contextlib.asynccontextmanager
async def asgi_client(app: Any, *, lifespan: bool = True) -> AsyncIterator[httpx.AsyncClient]:
    context = app.router.lifespan_context(app) if lifespan else contextlib.nullcontext()
    async with context:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench.test", timeout=60) as client:
            yield client


def graphql(client: httpx.AsyncClient, query: str, variables: dict[str, Any] | None = None) -> Run:
    body = {"query": query, "variables": variables or {}}

    async def run() -> Any:
        answer = await client.post("/graphql", json=body)
        data = answer.json()
        if data.get("errors"):
            raise SystemExit(f"errors from {query[:60]}...: {data['errors'][:2]}")
        return data

    return run


class Plan:
    """The distinct vendor requests of one query, in waves: ``direct`` replays them with httpx."""

    def __init__(self, env: Environment, http: httpx.AsyncClient) -> None:
        self.env = env
        self.http = http
        self.waves: list[list[tuple[str, str, str, str, dict[str, str]]]] = []

    async def capture(self, run: Run) -> None:
        self.env.latency(dict.fromkeys(self.env.vendors, 20.0))
        self.env.clear()
        await run()
        self.env.latency({})
        arrivals = []
        for name, vendor in self.env.vendors.items():
            arrivals += [(t, name, m, p, q, h) for t, m, p, q, h in vendor.timed.arrivals if m == "GET"]
        arrivals.sort()
        seen: set[tuple[str, str, str]] = set()
        last = -1.0
        for at, name, method, path, query, headers in arrivals:
            if at - last > 0.010:
                self.waves.append([])
            last = at
            if (name, path, query) in seen:
                continue
            seen.add((name, path, query))
            auth = {k: v for k, v in headers.items() if k in ("authorization", "x-api-key", "x-auth-token")}
            self.waves[-1].append((name, method, path, query, auth))
        self.waves = [w for w in self.waves if w]

    async def replay(self) -> None:
        for wave in self.waves:
            answers = await asyncio.gather(
                *(
                    self.http.get(f"{self.env.vendors[n].server.url}{p}{'?' + q if q else ''}", headers=h)
                    for n, _, p, q, h in wave
                )
            )
            for answer in answers:
                answer.read()
                if answer.status_code >= 400:
                    raise SystemExit(f"direct replay: {answer.status_code} {answer.request.url}")


# --- the cases -----------------------------------------------------------------


@dataclass
class Row:
    case: str
    variant: str
    figures: dict[str, Any]


@dataclass
class Suite:
    env: Environment
    rounds: int
    rows: list[Row] = field(default_factory=list)
    notes: dict[str, Any] = field(default_factory=dict)

    def add(
        self, case: str, results: dict[str, dict[str, float]], calls: dict[str, dict[str, Any]] | None = None
    ) -> None:
        for variant, figures in results.items():
            extra = (calls or {}).get(variant, {})
            self.rows.append(Row(case, variant, {**figures, **extra}))
        shown = "  ".join(f"{v} {f['p50_ms']:.2f}" for v, f in results.items())
        print(f"  {case:38s} p50 ms: {shown}", flush=True)


async def calls_of(env: Environment, run: Run) -> dict[str, Any]:
    env.clear()
    await run()
    per_backend = env.calls()
    return {
        "vendor_calls": sum(c["calls"] for c in per_backend.values()),
        "duplicate_keys": sum(c["duplicates"] for c in per_backend.values()),
        "calls_by_backend": {n: c["calls"] for n, c in per_backend.items() if c["calls"]},
    }


async def vendor_cases(suite: Suite, pbx: httpx.AsyncClient, bare: httpx.AsyncClient, naive: httpx.AsyncClient) -> None:
    env = suite.env
    async with httpx.AsyncClient(timeout=60) as http:
        era = env.vendors[ERA]
        token = env.options[ERA].get("token", "")

        async def direct_trunks() -> None:
            answer = await http.get(
                f"{era.server.url}/rest/v1/uc/providers",
                params={"limit": 50},
                headers={"Authorization": f"Bearer {token}"},
            )
            answer.json()

        variants: dict[str, Run] = {
            "direct": direct_trunks,
            "bare": graphql(bare, Q_TRUNKS),
            "naive": graphql(naive, Q_TRUNKS),
            "pbxgraph": graphql(pbx, Q_TRUNKS),
        }
        results = await interleaved(variants, suite.rounds * 2)
        calls = {"direct": {"vendor_calls": 1, "duplicate_keys": 0}}
        calls["naive"] = await calls_of(env, variants["naive"])
        calls["pbxgraph"] = await calls_of(env, variants["pbxgraph"])
        suite.add("era trunks list", results, calls)
        suite.notes["era_trunks_overhead_ms"] = results["pbxgraph"]["p50_ms"] - results["direct"]["p50_ms"]

        for case, query, naive_too in (
            ("queues -> members -> user (era)", Q_QUEUES, True),
            ("users + devices + groups, all backends", Q_USERS_ALL, False),
        ):
            plan = Plan(env, http)
            await plan.capture(graphql(pbx, query))
            for label, delays in (
                ("0 ms", {}),
                ("5 ms", dict.fromkeys(env.vendors, 5.0)),
                ("20 ms", dict.fromkeys(env.vendors, 20.0)),
                ("mixed 0/5/20 ms", dict(zip(env.vendors, (5.0, 20.0, 0.0), strict=False))),
            ):
                if label != "0 ms" and suite.rounds < 10:
                    continue
                env.latency(delays)
                variants = {"direct": plan.replay, "pbxgraph": graphql(pbx, query)}
                if naive_too:
                    variants["naive"] = graphql(naive, query)
                if label == "0 ms":
                    variants["bare"] = graphql(bare, query)
                rounds = suite.rounds if label == "0 ms" else max(5, suite.rounds // 4)
                results = await interleaved(variants, rounds, warmup=1)
                env.latency({})
                calls = {
                    "direct": {
                        "vendor_calls": sum(len(w) for w in plan.waves),
                        "duplicate_keys": 0,
                        "waves": len(plan.waves),
                    }
                }
                calls["pbxgraph"] = await calls_of(env, variants["pbxgraph"])
                if naive_too:
                    calls["naive"] = await calls_of(env, variants["naive"])
                suite.add(f"{case}, {label}", results, calls)

        # A mutation: rename an Era user and back.
        users = await graphql(pbx, '{ users(first: 1, backends: ["era-demo"]) { edges { node { id nativeId } } } }')()
        node = users["data"]["users"]["edges"][0]["node"]
        flip = {"n": 0}

        def renamed() -> str:
            flip["n"] += 1
            return f"Bench Name {flip['n'] % 2}"

        async def direct_update() -> None:
            answer = await http.patch(
                f"{era.server.url}/rest/v1/uc/sipusers/{node['nativeId']}",
                json={"name": renamed()},
                headers={"Authorization": f"Bearer {token}"},
            )
            answer.json()

        def mutation(client: httpx.AsyncClient, query: str, gid: str) -> Run:
            async def run() -> Any:
                return await graphql(client, query, {"id": gid, "name": renamed()})()

            return run

        variants = {
            "direct": direct_update,
            "bare": mutation(bare, Q_UPDATE_BARE, "user-office-0"),
            "naive": mutation(naive, Q_UPDATE_BARE, node["nativeId"]),
            "pbxgraph": mutation(pbx, Q_UPDATE, node["id"]),
        }
        results = await interleaved(variants, suite.rounds)
        calls = {"direct": {"vendor_calls": 1, "duplicate_keys": 0}}
        calls["naive"] = await calls_of(env, variants["naive"])
        calls["pbxgraph"] = await calls_of(env, variants["pbxgraph"])
        suite.add("mutation: updateUser (era)", results, calls)


async def memory_pages(suite: Suite, pbx: httpx.AsyncClient, bare: httpx.AsyncClient) -> None:
    for size in (10, 100, 500):
        variants = {"bare": graphql(bare, Q_PAGE, {"n": size}), "pbxgraph": graphql(pbx, Q_PAGE, {"n": size})}
        results = await interleaved(variants, suite.rounds)
        suite.add(f"users page of {size}, from memory", results)
        suite.notes[f"page_{size}_ratio"] = results["pbxgraph"]["p50_ms"] / results["bare"]["p50_ms"]


async def throughput(suite: Suite, pbx: httpx.AsyncClient, bare: httpx.AsyncClient, seconds: float) -> None:
    """16 clients asking ``users(first: 20)`` without pause; rounds alternate the two servers."""
    figures: dict[str, list[float]] = {"bare": [], "pbxgraph": []}
    cpu: dict[str, list[float]] = {"bare": [], "pbxgraph": []}
    for round_ in range(4):
        for name in ("bare", "pbxgraph") if round_ % 2 == 0 else ("pbxgraph", "bare"):
            run = graphql(pbx if name == "pbxgraph" else bare, Q_PAGE, {"n": 20})
            done = 0
            deadline = time.perf_counter() + seconds / 4

            async def client(run: Run = run, deadline: float = deadline) -> None:
                nonlocal done
                while time.perf_counter() < deadline:
                    await run()
                    done += 1

            started, cpu0 = time.perf_counter(), time.thread_time()
            await asyncio.gather(*(client() for _ in range(16)))
            elapsed = time.perf_counter() - started
            figures[name].append(done / elapsed)
            cpu[name].append((time.thread_time() - cpu0) / max(done, 1))
    for name in figures:
        rps = statistics.median(figures[name])
        suite.rows.append(
            Row(
                "users(first: 20), 16 clients",
                name,
                {"req_per_s": rps, "cpu_ms": statistics.median(cpu[name]) * 1000, "p50_ms": 1000 / rps * 16},
            )
        )
    ratio = statistics.median(figures["pbxgraph"]) / statistics.median(figures["bare"])
    suite.notes["throughput_ratio"] = ratio
    print(
        f"  users(first: 20), 16 clients: bare {statistics.median(figures['bare']):.0f} req/s, "
        f"pbxgraph {statistics.median(figures['pbxgraph']):.0f} req/s ({ratio:.2f}x)",
        flush=True,
    )


async def store_cases(suite: Suite, pbx: httpx.AsyncClient, label: str) -> None:
    """The local store file of ``label`` users: first page, a deep cursor, filters, the count alone."""
    env = suite.env
    half = env.store_users // 2
    after = None
    walked = 0
    while walked < half:  # the cursor of the item half-way through, reached by paging
        page = await graphql(pbx, Q_STORE_PAGE.replace("first: 50", "first: 500"), {"after": after})()
        after = page["data"]["users"]["pageInfo"]["endCursor"]
        walked += 500
    count_db = sqlite3.connect(env.store_path)

    async def count_alone() -> None:
        count_db.execute("SELECT count(*) FROM users").fetchone()

    cases = {
        "first page": graphql(pbx, Q_STORE_PAGE, {}),
        "deep cursor page": graphql(pbx, Q_STORE_PAGE, {"after": after}),
        "extension filter": graphql(pbx, Q_STORE_PAGE, {"f": {"extension": str(100000 + half + 7)}}),
        "search": graphql(pbx, Q_STORE_PAGE, {"f": {"search": f"Person{half + 3:06d}"}}),
        "totalCount, first: 0": graphql(pbx, Q_STORE_COUNT),
    }
    results = await interleaved({**cases, "count(*) alone": count_alone}, max(5, suite.rounds // 2), warmup=1)
    count_db.close()
    for name, figures in results.items():
        suite.rows.append(Row(f"store {label}: {name}", "direct" if name == "count(*) alone" else "pbxgraph", figures))
        suite.notes[f"store_{label}_{name}"] = figures["p50_ms"]
        print(f"  store {label}: {name:28s} p50 {figures['p50_ms']:.2f} ms", flush=True)


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


async def memory(suite: Suite, pbx: httpx.AsyncClient, minutes: float) -> None:
    """RSS over a mixed load (4 clients), and what one 500-user page adds.

    The emulators run in this process and record every request they answer; their
    records are cleared each second, so the RSS measured is pbxgraph's, not theirs.
    """
    mix = [graphql(pbx, Q_PAGE, {"n": 100}), graphql(pbx, Q_TRUNKS), graphql(pbx, Q_USERS_ALL), graphql(pbx, Q_QUEUES)]
    samples: list[tuple[float, float]] = []
    started = time.perf_counter()
    deadline = started + minutes * 60
    done = 0

    async def client(offset: int) -> None:
        nonlocal done
        while time.perf_counter() < deadline:
            await mix[(done + offset) % len(mix)]()
            done += 1

    async def sampler() -> None:
        while time.perf_counter() < deadline:
            suite.env.clear()
            samples.append((time.perf_counter() - started, rss_mb()))
            await asyncio.sleep(1.0)

    await asyncio.gather(sampler(), *(client(i) for i in range(4)))
    third = max(1, len(samples) // 3)
    first = statistics.median(r for _, r in samples[:third])
    last = statistics.median(r for _, r in samples[-third:])
    page = graphql(pbx, Q_PAGE, {"n": 500})
    await page()
    gc.collect()
    before = rss_mb()
    for _ in range(5):
        await page()
    gc.collect()
    after = rss_mb()
    tracemalloc.start()
    await page()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    figures = {
        "minutes": minutes,
        "requests": done,
        "rss_first_third_mb": first,
        "rss_last_third_mb": last,
        "rss_growth_mb": last - first,
        "page_500_rss_added_mb": after - before,
        "page_500_peak_alloc_mb": peak / 2**20,
    }
    suite.notes["memory"] = figures
    print(
        f"  memory: {done} mixed requests in {minutes:g} min, RSS {first:.1f} -> {last:.1f} MB; a 500-user page adds "
        f"{after - before:.2f} MB RSS (peak allocations {peak / 2**20:.1f} MB)",
        flush=True,
    )


# --- the run -------------------------------------------------------------------


def version() -> str:
    where = Path(pbxgraph.__file__).resolve().parents[2]
    try:
        found = subprocess.run(  # noqa: S603 - our own git
            ["git", "-C", str(where), "log", "-1", "--format=%h %s"],  # noqa: S607
            capture_output=True,
            text=True,
            check=False,
        )
        return f"{where}: {found.stdout.strip()[:80]}"
    except OSError:
        return str(where)


def table(suite: Suite) -> str:
    lines = [
        f"{'case':46s} {'variant':9s} {'p50 ms':>8s} {'p95 ms':>8s} {'spread':>7s} {'x ref':>6s} {'req/s':>7s} "
        f"{'CPU ms':>7s} {'calls':>5s} {'dup':>4s}"
    ]
    by_case: dict[str, dict[str, Row]] = {}
    for row in suite.rows:
        by_case.setdefault(row.case, {})[row.variant] = row
    for case, variants in by_case.items():
        reference = variants.get("direct") or variants.get("bare")
        for variant, row in variants.items():
            f = row.figures
            ratio = ""
            if variant == "pbxgraph" and reference is not None and reference is not row:
                if "req_per_s" in f:
                    ratio = f"{f['req_per_s'] / reference.figures['req_per_s']:.2f}"
                else:
                    ratio = f"{f['p50_ms'] / reference.figures['p50_ms']:.2f}"
            rps = f.get("req_per_s") or (1000 / f["p50_ms"] if f.get("p50_ms") else 0)
            lines.append(
                f"{case[:46]:46s} {variant:9s} {f.get('p50_ms', 0):8.2f} {f.get('p95_ms', 0):8.2f} "
                f"{(str(round(f['spread_pct'])) + '%') if 'spread_pct' in f else '':>7s} {ratio:>6s} {rps:7.0f} "
                f"{f.get('cpu_ms', 0):7.2f} {f.get('vendor_calls', '')!s:>5s} {f.get('duplicate_keys', '')!s:>4s}"
            )
    return "\n".join(lines)


async def main(args: argparse.Namespace) -> None:
    store_sizes = (2_000, 20_000) if args.quick else (10_000, 100_000)
    rounds = args.rounds or (10 if args.quick else 30)
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="pbxgraph-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 - before anything runs
    print(f"pbxgraph {version()}; {os.cpu_count()} CPUs; rounds {rounds}", flush=True)
    env = Environment(store_sizes[0], 0, workdir)
    suite = Suite(env, rounds)
    try:
        naive_app, naive_http = shapes.naive_app(env.vendors[ERA].server.url, env.options[ERA].get("token", ""))
        bare_app = shapes.bare_app(shapes.memory(600))
        wanted = set(args.only.split(",")) if args.only else {"vendors", "pages", "throughput", "store", "memory"}
        app = create_app(env.config(store=False))
        async with (
            asgi_client(app) as pbx,
            asgi_client(bare_app, lifespan=False) as bare,
            asgi_client(naive_app, lifespan=False) as naive,
        ):
            # The office store in memory holds the demo's users plus enough for a 500-user page.
            for n in range(600 - 30):
                await graphql(
                    pbx,
                    'mutation($u: String!, $e: String!) { createUser(backend: "office", input: {username: $u, '
                    "displayName: $u, extension: $e}) { id } }",
                    {"u": f"bench{n:04d}", "e": str(30000 + n)},
                )()
            # As `pbxgraph serve` does once the app has started (pbxgraph.serving.settle_heap).
            settle_heap()
            if "vendors" in wanted:
                print("vendor cases (Era, Infinity, sipXcom emulators over loopback HTTP):", flush=True)
                await vendor_cases(suite, pbx, bare, naive)
            if "pages" in wanted:
                print("pages from memory:", flush=True)
                await memory_pages(suite, pbx, bare)
            if "throughput" in wanted:
                await throughput(suite, pbx, bare, args.throughput_seconds)
            if "memory" in wanted:
                await memory(suite, pbx, args.memory_minutes)
        await naive_http.aclose()
        if "store" in wanted:
            for size in store_sizes:
                env.store_users = size
                label = f"{size // 1000}k"
                print(f"local store, {label} users (SQLite file):", flush=True)
                await env.build_store()
                store_app = create_app(env.config(store=True))
                async with asgi_client(store_app) as pbx:
                    await store_cases(suite, pbx, label)
            small, large = (f"{s // 1000}k" for s in store_sizes)
            for name in ("first page", "deep cursor page", "extension filter", "search", "totalCount, first: 0"):
                a, b = suite.notes.get(f"store_{small}_{name}"), suite.notes.get(f"store_{large}_{name}")
                if a and b:
                    suite.notes[f"store_growth_{name}"] = b / a
    finally:
        env.stop()
    print()
    print(table(suite))
    print()
    for key, value in suite.notes.items():
        if isinstance(value, float):
            print(f"  {key}: {value:.2f}")
    Path(args.output).write_text(  # noqa: ASYNC240 - after everything ran
        json.dumps(
            {
                "pbxgraph": version(),
                "cpus": os.cpu_count(),
                "transport": "httpx.ASGITransport (in process); emulators on loopback HTTP",
                "rows": [{"case": r.case, "variant": r.variant, **r.figures} for r in suite.rows],
                "notes": suite.notes,
            },
            indent=1,
        )
    )
    print(f"wrote {args.output}")


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smaller stores (2k/20k users) and fewer rounds")
    parser.add_argument("--rounds", type=int, default=0, help="rounds per case (default 30, 10 with --quick)")
    parser.add_argument("--memory-minutes", type=float, default=0.25, help="length of the mixed load (default 0.25)")
    parser.add_argument("--throughput-seconds", type=float, default=8.0, help="per server, over 4 rounds (default 8)")
    parser.add_argument("--only", help="comma-separated: vendors,pages,throughput,store,memory")
    parser.add_argument("--src", help="a pbxgraph checkout to measure instead of the installed one")
    parser.add_argument("--workdir", help="where the store files go (kept; default: a new temporary directory)")
    parser.add_argument("--output", default="bench.json")
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(parse()))

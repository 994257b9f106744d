"""Onboarding benchmark: a 500-user CSV applied from the CLI across two vendor emulators and the local store.

Writes a provisioning file of 500 new people spread over the local store
(SQLite file), an Era emulator and a sipXcom emulator (both seeded, on
loopback ports): each person a user with an extension and a SIP password,
and a desk phone assigned to them by ref; and per backend one group made of
that backend's new people, by ref. Then it runs, as an operator would,

    pbxgraph apply onboarding.csv --config bench.toml

in its own process (the configured app inside the CLI's process), times it,
counts every HTTP request each emulator received (by method), and checks
that every user and phone exists afterwards.

    python bench/onboarding.py [--users 500] [--chunk-size 200] [--on-error stop|rollback]
                               [--change-concurrency 4] [--keep DIR]
"""

from __future__ import annotations

import argparse
import collections
import csv
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from pbxgraph.demo import backend_snippet
from pbxgraph.emulators.registry import emulated_vendors

BACKENDS = ("office", "era", "sipxcom")
COLUMNS = ["type", "ref", "backend", "username", "displayName", "extension", "sipPassword", "mac", "model", "userId"]
COLUMNS += ["name", "members"]
#: A model every backend takes (sipXcom knows its phone models; the others take any).
MODEL = "Polycom VVX 450"


def write_csv(path: Path, users: int) -> int:
    """The onboarding file; returns how many changes it holds."""
    rows: list[dict[str, Any]] = []
    members: dict[str, list[str]] = {b: [] for b in BACKENDS}
    for n in range(users):
        backend = BACKENDS[n % len(BACKENDS)]
        ref = f"p{n:04d}"
        members[backend].append(f"ref:{ref}")
        rows.append(
            {
                "type": "user",
                "ref": ref,
                "backend": backend,
                "username": f"new.person{n:04d}",
                "displayName": f"New Person {n:04d}",
                "extension": str(80000 + n),
                "sipPassword": f"Onboard-{n:04d}-pw",
            }
        )
        rows.append(
            {
                "type": "device",
                "backend": backend,
                "mac": f"00:0b:82:{n // 65536:02x}:{n // 256 % 256:02x}:{n % 256:02x}",
                "model": MODEL,
                "userId": f"ref:{ref}",
            }
        )
    for number, backend in enumerate(BACKENDS):
        group = {
            "type": "group",
            "backend": backend,
            "name": f"Onboarded {backend}",
            "members": " ".join(members[backend]),
        }
        if backend != "sipxcom":  # sipXcom groups have no extension
            group["extension"] = str(89900 + number)
        rows.append(group)
    with path.open("w", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)


def main(users: int, chunk_size: int, on_error: str, keep: str | None, concurrency: int) -> None:
    vendors = emulated_vendors()
    emulators = {name: vendors[name].create(seed=True) for name in ("era", "sipxcom")}
    servers = {name: emulator.serve() for name, emulator in emulators.items()}
    workdir = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="pbxgraph-onboarding-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        config = workdir / "bench.toml"
        tables = [backend_snippet("office", {"vendor": "local", "path": str(workdir / "office.sqlite3"), "demo": True})]
        tables += [
            backend_snippet(name, {"vendor": name, **vendors[name].options(server.url)})
            for name, server in servers.items()
        ]
        limits = f"[limits]\nchange_concurrency = {concurrency}\n\n"
        config.write_text(limits + "\n\n".join(tables) + "\n")
        changes = write_csv(workdir / "onboarding.csv", users)
        for emulator in emulators.values():
            emulator.recorder.clear()
        command = [sys.executable, "-m", "pbxgraph.cli", "apply", "onboarding.csv", "--config", str(config)]
        command += ["--chunk-size", str(chunk_size), "--on-error", on_error]
        print(f"$ pbxgraph apply onboarding.csv --config bench.toml --chunk-size {chunk_size} --on-error {on_error}")
        print(f"  ([limits] change_concurrency = {concurrency})")
        started = time.perf_counter()
        done = subprocess.run(command, cwd=workdir, capture_output=True, text=True, check=False)  # noqa: S603 - our own CLI
        elapsed = time.perf_counter() - started
        print(done.stdout.rstrip())
        if done.returncode != 0:
            print(done.stderr, file=sys.stderr)
            raise SystemExit(f"apply exited {done.returncode}")
        print()
        print(f"{users} users, {users} phones, {len(BACKENDS)} groups: {changes} changes in {elapsed:.1f} s")
        print(f"  ({changes / elapsed:.0f} changes/s, the CLI process's start and the dry run included)")
        total = 0
        for name, emulator in emulators.items():
            methods = collections.Counter(r.method for r in emulator.recorder.requests)
            total += sum(methods.values())
            shown = ", ".join(f"{m} {c}" for m, c in sorted(methods.items()))
            print(f"  {name:8} vendor requests: {sum(methods.values()):5}  ({shown})")
        print(f"  vendor requests in all: {total}")
        era_logins = {row["login"] for row in emulators["era"].state.collections["sipusers"].values()}
        sipx_users = {user.user_name for user in emulators["sipxcom"].state.users.values()}
        wanted = {f"new.person{n:04d}" for n in range(users)}
        assert {u for u in wanted if int(u[-4:]) % 3 == 1} <= era_logins
        assert {u for u in wanted if int(u[-4:]) % 3 == 2} <= sipx_users
        print(f"  checked: every new Era and sipXcom user exists; files in {workdir}")
    finally:
        for server in servers.values():
            server.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--chunk-size", type=int, default=200)
    parser.add_argument("--on-error", choices=("stop", "continue", "rollback"), default="stop")
    parser.add_argument("--keep", help="directory for the files (default: a new temporary one)")
    parser.add_argument("--change-concurrency", type=int, default=4, help="[limits] change_concurrency (default 4)")
    args = parser.parse_args()
    main(args.users, args.chunk_size, args.on_error, args.keep, args.change_concurrency)

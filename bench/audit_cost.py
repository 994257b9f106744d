"""What the audit trail adds to a write: the same creates and updates with and without it.

Builds the local store (a SQLite file, so writes reach the disk as in
production) behind the service, once with the state (audit entries and the
change feed, in a SQLite file of their own) and once without, and times the
same writes through the service's write path, interleaved. Prints the mean
per write and the difference.

    python bench/audit_cost.py [--writes 300] [--state file|memory]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from pbxgraph.config import BackendConfig, LimitsConfig
from pbxgraph.domain import UserCreate, UserUpdate
from pbxgraph.service import Backends, PbxService
from pbxgraph.state import State


async def run(writes: int, audited: bool, folder: Path, state_in: str) -> tuple[float, float]:
    tag = "audited" if audited else "plain"
    config = BackendConfig(name="office", vendor="local", options={"path": str(folder / f"{tag}.sqlite3")})
    backends = Backends.from_config((config,), None)
    url = "sqlite+aiosqlite:///:memory:" if state_in == "memory" else f"sqlite+aiosqlite:///{folder / 'state.sqlite3'}"
    state = State(url) if audited else None
    await backends.open()
    if state is not None:
        await state.open()
    service = PbxService(backends, LimitsConfig(), state)
    try:
        started = time.perf_counter()
        ids = []
        for n in range(writes):
            user = await service.users.create("office", UserCreate(username=f"u{n}", extension=f"{5000 + n}"))
            ids.append(user.id)
        created = (time.perf_counter() - started) / writes
        started = time.perf_counter()
        for n, native_id in enumerate(ids):
            await service.users.update("office", native_id, UserUpdate(display_name=f"User {n}"))
        updated = (time.perf_counter() - started) / writes
        return created, updated
    finally:
        if state is not None:
            await state.aclose()
        await backends.aclose()


async def main(writes: int, state_in: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        plain = await run(writes, False, Path(folder), state_in)
        audited = await run(writes, True, Path(folder), state_in)
    for label, index in (("create", 0), ("update", 1)):
        extra = (audited[index] - plain[index]) * 1000
        print(
            f"{label}: {plain[index] * 1000:.2f} ms without the audit, {audited[index] * 1000:.2f} ms with it "
            f"(+{extra:.2f} ms per write, {writes} writes, local store in a SQLite file, state in {state_in})"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--writes", type=int, default=300)
    parser.add_argument("--state", choices=("file", "memory"), default="file", help="where the audit is written")
    args = parser.parse_args()
    asyncio.run(main(args.writes, args.state))

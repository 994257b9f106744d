"""Two runs of ``bench/run.py`` side by side, as a Markdown table (before and after a change).

python bench/compare.py before.json after.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def rows(path: str) -> dict[tuple[str, str], dict[str, Any]]:
    data = json.loads(Path(path).read_text())
    return {(row["case"], row["variant"]): row for row in data["rows"]}


def shown(row: dict[str, Any] | None, reference: dict[str, Any] | None) -> str:
    if row is None:
        return "-"
    if "req_per_s" in row:
        text = f"{row['req_per_s']:.0f} req/s"
        if reference:
            text += f" ({row['req_per_s'] / reference['req_per_s']:.2f}x)"
        return text + f"; CPU {row['cpu_ms']:.2f} ms"
    text = f"{row['p50_ms']:.2f} ms"
    if reference and reference is not row:
        text += f" ({row['p50_ms'] / reference['p50_ms']:.2f}x)"
    if row.get("cpu_ms"):
        text += f"; CPU {row['cpu_ms']:.2f} ms"
        if reference and reference is not row and reference.get("cpu_ms"):
            text += f" ({row['cpu_ms'] / reference['cpu_ms']:.2f}x)"
    if row.get("vendor_calls") is not None:
        text += f", {row['vendor_calls']} calls/{row.get('duplicate_keys', 0)} dup"
    return text


def main(before_path: str, after_path: str) -> None:
    before, after = rows(before_path), rows(after_path)
    print("| case | reference | pbxgraph before | pbxgraph after |")
    print("|---|---|---|---|")
    for case in dict.fromkeys(case for case, _ in after):
        ref_name = "direct" if (case, "direct") in after else "bare"
        ref_after = after.get((case, ref_name))
        ref_before = before.get((case, ref_name))
        if (case, "pbxgraph") not in after:
            continue
        ref = f"{ref_name} {shown(ref_after, None)}" if ref_after else "-"
        print(
            f"| {case} | {ref} | {shown(before.get((case, 'pbxgraph')), ref_before)} "
            f"| {shown(after.get((case, 'pbxgraph')), ref_after)} |"
        )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

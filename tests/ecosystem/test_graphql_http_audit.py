"""graphql-http's audit suite (npm ``graphql-http``) against a live pbxgraph: every MUST and SHOULD."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from tests.ecosystem.conftest import SCRIPTS, demo_config, run_node, serving


def test_the_graphql_over_http_audit_passes_every_must_and_should(tmp_path: Path) -> None:
    with serving(demo_config(tmp_path)) as (url, _):
        result = run_node(SCRIPTS / "audit.mjs", f"{url}/graphql")
    assert result.returncode == 0, result.stderr
    audits = json.loads(result.stdout)
    passed: Counter[str] = Counter()
    total: Counter[str] = Counter()
    failures = []
    for audit in audits:
        level = audit["name"].split(" ", 1)[0]
        total[level] += 1
        if audit["status"] == "ok":
            passed[level] += 1
        elif level in ("MUST", "SHOULD"):
            failures.append(f"{audit['id']} {audit['name']}: {audit['reason']}")
    print(
        f"graphql-http audit: MUST {passed['MUST']}/{total['MUST']}, SHOULD {passed['SHOULD']}/{total['SHOULD']}, "
        f"MAY {passed['MAY']}/{total['MAY']}"
    )
    assert failures == []
    assert (passed["MUST"], total["MUST"]) == (13, 13)
    assert (passed["SHOULD"], total["SHOULD"]) == (23, 23)

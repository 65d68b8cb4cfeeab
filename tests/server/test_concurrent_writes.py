"""Issue 11 item 2, the server's side: concurrent writers lose nothing, and the audit says
exactly what happened.

40 parallel `PUT /api/v1/pipelines/raceN` as admin against a real `flext serve` (each a
read-modify-write of flext.toml): 40 x 200, 40 pipelines kept, the user's comments kept,
40 audit entries `pipeline create raceN ok`. Before the locked writer, 5-9 were kept while
the audit said `ok` for all 40.
"""

from __future__ import annotations

import tomllib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from tests.server.conftest import Server, http

pytestmark = pytest.mark.slow  # a real server
V1 = "/api/v1"
COUNT = 40


def test_forty_parallel_puts_keep_forty_pipelines(workspace: Path, server: Server) -> None:
    toml = workspace / "flext.toml"
    toml.write_text("# the team's notes: keep me\n" + toml.read_text())

    def put(n: int) -> tuple[int, Any]:
        status, body, _ = http("PUT", f"{server.url}{V1}/pipelines/race{n}", token=server.token,
                               body={"tap": "tap-jsonl", "target": "target-jsonl",
                                     "tap_config": {"path": f"data/{n}.jsonl"}}, timeout=120)
        return status, body

    with ThreadPoolExecutor(max_workers=COUNT) as pool:
        replies = list(pool.map(put, range(COUNT)))
    assert [status for status, _ in replies] == [200] * COUNT, [r for r in replies if r[0] != 200][:3]
    text = toml.read_text()
    assert text.startswith("# the team's notes: keep me\n")
    pipelines = tomllib.loads(text)["pipelines"]
    assert sorted(pipelines) == sorted(f"race{n}" for n in range(COUNT))
    assert all(pipelines[f"race{n}"]["tap_config"] == {"path": f"data/{n}.jsonl"} for n in range(COUNT))
    status, listed, _ = http("GET", f"{server.url}{V1}/pipelines", token=server.token)
    assert status == 200 and sorted(p["name"] for p in listed) == sorted(pipelines)
    status, audit, _ = http("GET", f"{server.url}{V1}/audit", token=server.token)
    assert status == 200
    puts = [e for e in audit if e.get("method") == "PUT"]
    assert sorted((e["action"], e["target"], e["result"], e["status"]) for e in puts) == sorted(
        ("pipeline create", f"race{n}", "ok", 200) for n in range(COUNT))


def test_parallel_edits_of_one_pipeline_each_keep_their_key(workspace: Path, server: Server) -> None:
    """Five PATCHes of different keys of one pipeline at once: each reads the table under the
    lock, so all five keys are there at the end (and the settings nobody named)."""
    status, body, _ = http("PUT", f"{server.url}{V1}/pipelines/shared", token=server.token,
                           body={"tap": "tap-jsonl", "target": "target-jsonl", "tap_config": {"path": "data/x.jsonl"}})
    assert status == 200, body
    changes = [{"retries": 4}, {"timeout": "10m"}, {"retry_backoff": "30s"}, {"description": "nightly"},
               {"select": ["orders"]}]

    def patch(change: dict[str, Any]) -> tuple[int, Any]:
        got, doc, _ = http("PATCH", f"{server.url}{V1}/pipelines/shared", token=server.token, body={"set": change},
                           timeout=120)
        return got, doc

    with ThreadPoolExecutor(max_workers=len(changes)) as pool:
        replies = list(pool.map(patch, changes))
    assert [status for status, _ in replies] == [200] * len(changes), replies
    kept = tomllib.loads((workspace / "flext.toml").read_text())["pipelines"]["shared"]
    assert kept == {"tap": "tap-jsonl", "target": "target-jsonl", "tap_config": {"path": "data/x.jsonl"},
                    "retries": 4, "timeout": "10m", "retry_backoff": "30s", "description": "nightly",
                    "select": ["orders"]}
    status, audit, _ = http("GET", f"{server.url}{V1}/audit", token=server.token)
    assert status == 200
    assert [(e["action"], e["target"], e["result"]) for e in audit if e.get("method") == "PATCH"] == [
        ("pipeline edit", "shared", "ok")] * len(changes)

"""A remote profile answers from the server, never from this machine's files (issue 10).

The server and the client each have their own user directories and their own
workspaces; each holds a log line the other does not. Everything the client asks with
`-p remote` must come from the server: log search and export, the service registry,
connectivity, the server's own metrics.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.server.conftest import Client, Server


def _run_log(root: Path, pipeline: str, run_id: str, message: str) -> None:
    folder = root / ".flext" / "runs" / pipeline
    folder.mkdir(parents=True, exist_ok=True)
    line = {"ts": "2026-11-27T10:00:00.000Z", "level": "info", "source": "tap", "run_id": run_id, "message": message}
    (folder / f"{run_id}.log").write_text(json.dumps(line) + "\n")


def _setup(workspace: Path, client: Client) -> None:
    _run_log(workspace, "orders", "20261127T100000Z-000aaa", "needle seen only by the server")
    local = client.home / "cwd"
    (local / "flext.toml").write_text('[workspace]\nname = "client"\n')
    _run_log(local, "orders", "20261127T100000Z-000bbb", "needle seen only by the client")


def test_log_search_and_export_read_the_servers_logs(workspace: Path, server: Server, client: Client) -> None:
    _setup(workspace, client)
    found = client("logs", "search", "needle", "-o", "json")
    assert found.code == 0, found
    assert [r["message"] for r in json.loads(found.out)] == ["needle seen only by the server"]
    count = client("logs", "search", "needle", "--count")
    assert (count.code, count.out) == (0, "1\n")
    out = client.home / "export.jsonl"
    exported = client("logs", "export", "--out", str(out))
    assert exported.code == 0, exported
    text = out.read_text()
    assert "only by the server" in text and "only by the client" not in text
    local = client("-p", "default", "logs", "search", "needle", "-o", "json")  # the same machine, local profile
    assert [r["message"] for r in json.loads(local.out)] == ["needle seen only by the client"]


def test_services_added_remotely_live_on_the_server(workspace: Path, server: Server, client: Client,
                                                    env: dict[str, str]) -> None:
    added = client("service", "add", "team-api", "--url", "http://127.0.0.1:9", "--description", "shared")
    assert added.code == 0, added
    listed = client("service", "list", "-o", "json")
    assert "team-api" in [r["name"] for r in json.loads(listed.out)]
    assert "team-api" in (Path(env["FLEXT_CONFIG_DIR"]) / "config.toml").read_text()  # the server's config
    mine = client("-p", "default", "service", "list", "-o", "json")
    assert "team-api" not in [r["name"] for r in json.loads(mine.out)]
    removed = client("service", "remove", "team-api", "--yes")
    assert removed.code == 0, removed
    assert "team-api" not in [r["name"] for r in json.loads(client("service", "list", "-o", "json").out)]


def test_connectivity_names_the_server_the_version_and_the_user(server: Server, client: Client) -> None:
    from flext import __version__

    got = client("debug", "connectivity", "-o", "json")
    assert got.code == 0, got
    doc = json.loads(got.out)
    assert {k: doc[k] for k in ("profile", "backend", "url", "reachable", "version", "user", "role")} == {
        "profile": "remote", "backend": "http", "url": server.url, "reachable": True, "version": __version__,
        "user": "admin", "role": "admin"}
    assert isinstance(doc["latency_ms"], float)


def test_connectivity_exits_3_unreachable_and_4_refused(server: Server, client: Client, env: dict[str, str],
                                                       tmp_path: Path) -> None:
    refused = client.with_token("not-a-token")("debug", "connectivity")
    assert refused.code == 4, refused
    dead = Client(tmp_path / "dead", "http://127.0.0.1:9", server.token, env)
    gone = dead("debug", "connectivity", extra_env={"FLEXT_RETRIES": "0"})
    assert gone.code == 3, gone
    assert gone.err.startswith("error: cannot reach http://127.0.0.1:9")


def test_monitor_metrics_without_a_service_is_the_servers_own(server: Server, client: Client) -> None:
    got = client("monitor", "metrics", "-o", "json")
    assert got.code == 0, got
    names = {r["metric"] for r in json.loads(got.out)}
    assert {"flext_server_start_time_seconds", "flext_build_info"} <= names
    local = client("-p", "default", "monitor", "metrics")
    assert local.code == 2
    assert local.err.startswith("error: the local engine serves no metrics of its own: name a service\n")


def test_completion_offers_the_servers_names(workspace: Path, server: Server, client: Client) -> None:
    made = client("pipeline", "create", "team-orders", "--tap", "tap-jsonl", "--target", "target-jsonl")
    assert made.code == 0, made
    local = client.home / "cwd"
    (local / "flext.toml").write_text('[workspace]\nname = "client"\n\n[pipelines.mine-only]\ntap = "tap-jsonl"\n'
                                      'target = "target-jsonl"\n')
    remote = client("__complete", "pipeline", "start", "")
    assert remote.code == 0, remote
    offered = [line.split("\t")[0] for line in remote.out.splitlines()]
    assert "team-orders" in offered and "mine-only" not in offered
    services = client("__complete", "service", "health", "")
    assert "flexcore" in [line.split("\t")[0] for line in services.out.splitlines()]  # the server's registry

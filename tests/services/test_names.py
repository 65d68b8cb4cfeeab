"""Completion sources: registered service names and log sources, read from files only."""

from __future__ import annotations

from pathlib import Path

from flext.core.paths import Scope
from flext.services.builtin import BUILTIN
from flext.services.names import log_sources, services


def test_services_merge_builtins_config_and_workspace(env: dict[str, str], tmp_path: Path) -> None:
    config = Path(env["FLEXT_CONFIG_DIR"]) / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('[services.billing]\nurl = "http://h:1"\n[services.grafana]\nenabled = false\n')
    ws = tmp_path / "ws"
    (ws / "sub").mkdir(parents=True)
    (ws / "flext.toml").write_text('[services.local-api]\nurl = "http://h:2"\n')
    names = services(Scope(env, str(ws / "sub")))
    assert names == sorted((set(BUILTIN) - {"grafana"}) | {"billing", "local-api"})


def test_services_survive_a_broken_config(env: dict[str, str], tmp_path: Path) -> None:
    config = Path(env["FLEXT_CONFIG_DIR"]) / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text("[services.x\n")
    assert services(Scope(env, str(tmp_path))) == sorted(BUILTIN)


def test_log_sources(env: dict[str, str], tmp_path: Path) -> None:
    logs = Path(env["FLEXT_STATE_DIR"]) / "logs" / "services"
    logs.mkdir(parents=True)
    (logs / "app.jsonl").write_text("")
    ws = tmp_path / "ws"
    (ws / ".flext" / "runs" / "orders").mkdir(parents=True)
    (ws / "flext.toml").write_text('[services.ext]\nurl = "http://h:1"\nlog_file = "ext.log"\n')
    assert log_sources(Scope(env, str(ws))) == ["app", "ext", "orders"]

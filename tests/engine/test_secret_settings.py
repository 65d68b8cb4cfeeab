"""`secret:NAME` in tap settings, end to end through a real keyring and a real tap."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.engine.conftest import add_pipeline, write_jsonl
from tests.keyring.service import clean_keyring, private_service, secret_service

pytestmark = [pytest.mark.slow, pytest.mark.keyring, pytest.mark.usefixtures("secret_service", "clean_keyring")]
_ = (clean_keyring, private_service, secret_service)
VALUE = "streamname-7f3a9c"


def test_secret_reaches_the_tap_and_nothing_else(workspace: Path, flext: Callable[..., Any]) -> None:
    stored = flext("secret", "set", "orders_stream", "--from-stdin", stdin=VALUE)
    assert stored.code == 0, stored
    write_jsonl(workspace / "data" / "o.jsonl", 1, 5)
    add_pipeline(workspace, "orders", 'tap = "tap-jsonl"\n'
                 'tap_config = { path = "data/*.jsonl", stream_name = "secret:orders_stream" }\n'
                 'target = "target-jsonl"\ntarget_config = { destination_path = "out" }')
    result = flext("pipeline", "run", "orders", "-o", "json")
    assert result.code == 0, result
    record = result.json()
    assert record["records"] == 5
    assert [p.name.split("-")[0] for p in (workspace / "out").iterdir()] == ["streamname"]  # the tap got the value
    for path in (workspace / "flext.toml", Path(record["log"]),
                 workspace / ".flext" / "runs" / "orders" / f"{record['id']}.json"):
        assert VALUE not in path.read_text(), path
    assert "••••••" in Path(record["log"]).read_text()  # the tap logged it; the log masks it
    assert VALUE not in result.out + result.err
    assert os.listdir(workspace / ".flext" / "tmp") == []
    missing = flext("pipeline", "create", "other", "--tap", "tap-jsonl", "--target", "target-jsonl")
    assert missing.code == 0
    add_pipeline(workspace, "nosecret", 'tap = "tap-jsonl"\ntap_config = { path = "secret:nope" }\ntarget = "target-jsonl"')
    failed = flext("pipeline", "run", "nosecret")
    assert failed.code == 6, failed
    assert failed.err.startswith("error: pipelines.nosecret.tap_config.path: ")


"""What processes cost (flext/engine/resources.py), read from /proc of real processes, and
what a real run keeps of it (peak memory and CPU seconds of its tap and target)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from flext.core.output import cell
from flext.engine import resources
from tests.engine.conftest import add_pipeline, plugin_cache, poll, workspace, write_jsonl

__all__ = ["plugin_cache", "workspace"]  # fixtures

linux = pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="reads /proc (Linux)")

HOLDER = """
import sys, time
block = bytearray(int(sys.argv[1]) * 1024 * 1024)
for i in range(0, len(block), 4096):
    block[i] = 1
del block  # the peak stays: VmHWM
print("ready", flush=True)
time.sleep(60)
"""


@pytest.fixture
def holder() -> Iterator[Callable[[int], subprocess.Popen[str]]]:
    """A real process that touched N MiB once and then holds little."""
    started: list[subprocess.Popen[str]] = []

    def start(mib: int) -> subprocess.Popen[str]:
        proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(mib)], stdout=subprocess.PIPE, text=True)
        started.append(proc)
        assert proc.stdout is not None and proc.stdout.readline() == "ready\n"
        return proc

    yield start
    for proc in started:
        proc.kill()
        proc.wait()


@linux
def test_sample_reads_peak_memory_cpu_files_and_uptime(holder: Callable[[int], subprocess.Popen[str]]) -> None:
    proc = holder(64)
    row = resources.sample(proc.pid)
    assert row is not None
    assert row["peak_rss_bytes"] >= 64 * 1024 * 1024 > row["rss_bytes"]  # the peak is kept after the memory went
    assert row["cpu_s"] > 0 and row["open_files"] >= 3 and not row["zombie"]
    assert row["started"] is not None and 0 <= row["uptime_s"] < 600
    assert resources.sample(2**22 + 13) is None  # no such process


@linux
def test_usage_sums_a_process_tree_and_measures_cpu_percent(holder: Callable[[int], subprocess.Popen[str]]) -> None:
    one, two = holder(8), holder(8)
    meter = resources.CpuMeter()
    both = resources.usage([one.pid, two.pid], meter, window=0.05)
    assert both is not None and both["processes"] == 2
    assert both["cpu_percent"] is not None and both["cpu_percent"] >= 0  # sleeping: next to nothing
    assert both["peak_rss_mb"] >= 8 and both["open_files"] >= 6
    assert resources.usage([2**22 + 13]) is None
    me = os.getpid()
    assert one.pid in resources.children(me) and one.pid in resources.tree(me)


def test_cpu_meter_compares_two_looks_with_the_clock_given() -> None:
    now = [100.0]
    meter = resources.CpuMeter(clock=lambda: now[0])
    row = {"pid": 7, "started": 5.0, "cpu_s": 1.0}
    assert meter.percent(row) is None  # nothing to compare with yet
    now[0] = 102.0
    assert meter.percent({**row, "cpu_s": 2.5}) == 75.0  # 1.5 s of CPU in 2 s
    assert meter.percent({**row, "started": 6.0, "cpu_s": 9.0}) is None  # the pid was reused: a new process


@linux
def test_the_sampler_keeps_each_roles_peak_and_cpu(holder: Callable[[int], subprocess.Popen[str]]) -> None:
    tap = holder(32)
    sampler = resources.Sampler(every=0.05, others="dbt")
    sampler.watch("tap", tap.pid)
    sampler.start()
    dbt = holder(48)  # not watched: a child of this process, so it counts as dbt
    poll(lambda: "dbt" in sampler.result(), timeout=10, what="a look at the other child")
    figures = sampler.stop()
    assert figures["tap"]["peak_rss_mb"] >= 32 and figures["tap"]["cpu_s"] > 0
    assert figures["dbt"]["peak_rss_mb"] >= 48
    assert dbt.pid != tap.pid
    merged = resources.merge({"tap": {"cpu_s": 1.0, "peak_rss_mb": 99999.0}}, figures)  # a peak no holder reaches
    assert merged["tap"]["peak_rss_mb"] == 99999.0 and merged["tap"]["cpu_s"] == round(1.0 + figures["tap"]["cpu_s"], 2)
    cpu, peak = resources.totals(merged)
    assert peak == 99999.0 and cpu == round(sum(f["cpu_s"] for f in merged.values()), 2)


def test_disk_and_the_size_of_a_folder(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "big").write_bytes(b"x" * 300_000)
    (tmp_path / "small").write_bytes(b"y" * 10)
    (tmp_path / "link").symlink_to("/usr")  # not followed
    size = resources.tree_size(str(tmp_path))
    assert 300_000 <= size < 400_000
    found = resources.disk(str(tmp_path))
    assert found is not None and found["total_gb"] >= found["free_gb"] > 0 and 0 <= found["used_percent"] <= 100


@pytest.mark.slow
@linux
def test_a_run_record_keeps_peak_memory_and_cpu_of_tap_and_target(workspace: Path, flext: Callable[..., Any]) -> None:
    write_jsonl(workspace / "data" / "orders.jsonl", 1, 20000, pad=200)
    add_pipeline(workspace, "orders", 'tap = "tap-jsonl"\n'
                 'tap_config = { path = "data/*.jsonl", stream_name = "orders", primary_keys = ["id"] }\n'
                 'target = "target-jsonl"\ntarget_config = { destination_path = "out" }')
    run = flext("pipeline", "run", "orders", "-o", "json")
    assert run.code == 0, run
    record = run.json()
    assert isinstance(record, dict) and record["status"] == "succeeded"
    roles = record["resources"]
    assert set(roles) == {"tap", "target"}
    for role in ("tap", "target"):  # python interpreters with singer-sdk: tens of MiB, some CPU
        assert roles[role]["peak_rss_mb"] > 10 and roles[role]["cpu_s"] > 0
    assert record["peak_rss_mb"] == max(r["peak_rss_mb"] for r in roles.values())
    assert record["cpu_s"] == round(sum(r["cpu_s"] for r in roles.values()), 2)
    listed = flext("pipeline", "runs", "orders", "-o", "json").json()
    assert isinstance(listed, list) and (listed[0]["cpu_s"], listed[0]["peak_rss_mb"]) == (record["cpu_s"],
                                                                                             record["peak_rss_mb"])
    table = flext("pipeline", "runs", "orders")
    assert "PEAK_RSS_MB" in table.out and cell(record["peak_rss_mb"]) in table.out

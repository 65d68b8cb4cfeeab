#!/usr/bin/env python3
"""What a flext run costs over the bare `tap | target` shell pipe, measured in the same run.

    python bench/pipeline.py              # dist/flext (make build first; make bench does)
    python bench/pipeline.py --checkout   # `python -m flext` from this checkout instead

One pipeline, the same real tap and target on both sides (tap-jsonl | target-jsonl,
installed from the package index into the bench workspace, or linked from the test
plugin cache). Cases, each run once per round, rounds interleaved, medians:

- 100k generated records: `flext pipeline run` / raw `sh -c 'tap | target'`  (goal <= 1.03)
- empty input: `flext pipeline run` minus the raw pipe = fixed overhead        (goal <= 0.15 s)
- if `meltano` is on PATH: `meltano run tap-jsonl target-jsonl` / raw pipe (same records)

The raw pipe writes both stderrs and the target's stdout to files, as flext keeps them.
The interpreter running flext is a package-free venv of the real interpreter (no shim).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, clean_python, isolated_env, run_checked, time_interleaved

TAP, TARGET = "tap-jsonl", "target-jsonl"


def plugins(ws: Path) -> dict[str, str]:
    """Install (or link from the test cache) the tap and target; name -> executable."""
    sys.path.insert(0, str(ROOT))
    from flext.engine import catalog
    from flext.engine import plugins as engine_plugins
    from flext.engine.workspace import Workspace

    cache = Path(os.environ.get("FLEXT_TEST_PLUGINS") or Path.home() / ".cache" / "flext-test-plugins") / ".flext" / "plugins"
    found = {}
    target_dir = ws / ".flext" / "plugins"
    target_dir.mkdir(parents=True, exist_ok=True)
    for name in (TAP, TARGET):
        if (cache / name / "plugin.json").exists() and not (target_dir / name).exists():
            (target_dir / name).symlink_to(cache / name, target_is_directory=True)
        manifest = engine_plugins.install(Workspace(str(ws)), catalog.lookup(name))
        found[name] = manifest["executable"]
    return found


def write_records(path: Path, count: int) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for i in range(count):
            fh.write(json.dumps({"id": i, "customer": f"c{i % 997}", "amount": i % 1000 + 0.25, "status": "paid"}) + "\n")


def workspace(where: Path, name: str, records: int) -> Path:
    ws = where / name
    (ws / "data").mkdir(parents=True)
    write_records(ws / "data" / "orders.jsonl", records)
    (ws / "tap.json").write_text(json.dumps({"path": str(ws / "data" / "*.jsonl"), "stream_name": "orders"}))
    (ws / "target.json").write_text(json.dumps({"destination_path": str(ws / "out")}))
    (ws / "flext.toml").write_text(
        '[workspace]\nname = "bench"\n\n[pipelines.orders]\n'
        f'tap = "{TAP}"\ntarget = "{TARGET}"\ntap_config_file = "tap.json"\ntarget_config_file = "target.json"\n')
    return ws


def meltano_project(ws: Path, exes: dict[str, str], env: dict[str, str]) -> list[str] | None:
    meltano = shutil.which("meltano", path=env.get("PATH"))
    if not meltano:
        return None
    tap_cfg = json.loads((ws / "tap.json").read_text())
    target_cfg = json.loads((ws / "target.json").read_text())
    project = ws / "meltano"
    project.mkdir()
    (project / "meltano.yml").write_text(json.dumps({
        "version": 1, "default_environment": "dev", "project_id": "flext-bench",
        "environments": [{"name": "dev"}],
        "send_anonymous_usage_stats": False,
        "plugins": {
            "extractors": [{"name": TAP, "namespace": "tap_jsonl", "executable": exes[TAP],
                            "capabilities": ["discover", "catalog", "state"], "config": tap_cfg}],
            "loaders": [{"name": TARGET, "namespace": "target_jsonl", "executable": exes[TARGET],
                         "config": target_cfg}],
        },
    }))
    return [meltano, "--cwd", str(project), "run", "--full-refresh", TAP, TARGET]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5, help="rounds of the 100k case")
    parser.add_argument("--empty-runs", type=int, default=9, help="rounds of the empty case")
    parser.add_argument("--checkout", action="store_true", help="time `python -m flext` from the checkout")
    parser.add_argument("--zipapp", default=str(ROOT / "dist" / "flext"))
    parser.add_argument("--keep", action="store_true", help="keep the bench directory")
    args = parser.parse_args(argv)
    where = Path(tempfile.mkdtemp(prefix="flext-bench-pipeline-"))
    try:
        env = isolated_env(where / "home")
        env["PATH"] = os.environ.get("PATH", "")
        python = clean_python(where)
        if args.checkout:
            env["PYTHONPATH"] = str(ROOT)
            flext = [python, "-m", "flext"]
        else:
            if not Path(args.zipapp).exists():
                raise SystemExit(f"error: {args.zipapp} does not exist; run `make build` first")
            flext = [python, args.zipapp]
        lines = []
        for label, records, runs in (("100k records", args.records, args.runs), ("empty input", 0, args.empty_runs)):
            ws = workspace(where, label.split()[0], records)
            exes = plugins(ws)
            raw = ["/bin/sh", "-c",
                   f"'{exes[TAP]}' --config tap.json 2>tap.err | '{exes[TARGET]}' --config target.json >state.out 2>target.err"]
            run = [*flext, "-C", str(ws), "-q", "pipeline", "run", "orders", "--full-refresh"]
            run_checked(run, env)  # warm: zipapp extracted, .pyc written, plugins' .pyc too
            run_checked(raw, env, cwd=str(ws))
            commands = {"raw": raw, "flext": run}
            melt = meltano_project(ws, exes, env) if records else None
            if melt:
                run_checked(melt, env)
                commands["meltano"] = melt
            samples = time_interleaved(commands, env, runs, cwd=str(ws))
            med = {k: statistics.median(v) / 1e9 for k, v in samples.items()}
            if records:
                ratio = med["flext"] / med["raw"]
                lines.append(f"pipeline {records // 1000}k records: raw pipe {med['raw']:.2f} s, flext {med['flext']:.2f} s, "
                             f"ratio {ratio:.3f}x (goal <= 1.03x)" + ("" if ratio <= 1.03 else "  MISSED"))
                if "meltano" in med:
                    lines.append(f"pipeline {records // 1000}k records: meltano run {med['meltano']:.2f} s, "
                                 f"ratio {med['meltano'] / med['raw']:.3f}x")
                else:
                    lines.append("pipeline meltano: not installed, skipped")
            else:
                overhead = med["flext"] - med["raw"]
                lines.append(f"pipeline empty input: raw pipe {med['raw']:.3f} s, flext {med['flext']:.3f} s, "
                             f"overhead {overhead:.3f} s (goal <= 0.15 s)" + ("" if overhead <= 0.15 else "  MISSED"))
            shutil.rmtree(ws / "out", ignore_errors=True)
        for line in lines:
            print(line)
    finally:
        if args.keep:
            print(f"kept {where}", file=sys.stderr)
        else:
            shutil.rmtree(where, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The one TOML writer: locked read-modify-write that keeps comments and loses nothing."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import tomllib
from pathlib import Path

import pytest

from flext.core import tomlfile
from flext.core.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]


def test_edits_keep_comments_order_and_formatting(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('# mine\n[defaults]\ntimeout = 5  # seconds\n\n[profiles.prod]\napi_url = "x"\n')
    tomlfile.edit(str(path), lambda d: tomlfile.set_value(d, ["profiles", "staging"], "api_url", "http://s"))
    tomlfile.edit(str(path), lambda d: tomlfile.set_value(d, ["defaults"], "retries", 2))
    tomlfile.edit(str(path), lambda d: tomlfile.remove_table(d, ["profiles", "prod"]))
    assert path.read_text() == ('# mine\n[defaults]\ntimeout = 5  # seconds\nretries = 2\n\n'
                                '[profiles.staging]\napi_url = "http://s"\n')


def test_replace_and_unset(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    tomlfile.edit(str(path), lambda d: tomlfile.replace_table(d, ["services", "a"], {"url": "u", "timeout": 2}))
    tomlfile.edit(str(path), lambda d: tomlfile.replace_table(d, ["services", "a"], {"url": "v"}))
    assert tomllib.loads(path.read_text()) == {"services": {"a": {"url": "v"}}}
    removed: list[bool] = []
    tomlfile.edit(str(path), lambda d: removed.append(tomlfile.unset_value(d, ["services", "a"], "nope")))
    assert removed == [False]


@pytest.mark.parametrize(("content", "message"), [
    (b'[a]\nx = "unclosed\n', "invalid TOML"),
    (b"[a]\nx = 1\n\xff\xfe = 2\n", ":3: not UTF-8 text"),
])
def test_a_corrupt_file_is_reported_and_never_rewritten(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "c.toml"
    path.write_bytes(content)
    with pytest.raises(ConfigError) as raised:
        tomlfile.edit(str(path), lambda d: tomlfile.set_value(d, ["a"], "y", 1))
    assert message in raised.value.message and str(path) in raised.value.message
    assert path.read_bytes() == content


def test_a_refused_check_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text("x = 1\n")

    def refuse(data: dict[str, object]) -> None:
        raise ConfigError("no")

    with pytest.raises(ConfigError):
        tomlfile.edit(str(path), lambda d: tomlfile.set_value(d, [], "y", 2), check=refuse)
    assert path.read_text() == "x = 1\n"


def test_threads_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    path = str(tmp_path / "c.toml")

    def write(k: int) -> None:
        tomlfile.edit(path, lambda d: tomlfile.set_value(d, ["aliases"], f"a{k}", f"x {k}"))

    threads = [threading.Thread(target=write, args=(k,)) for k in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(tomllib.loads(Path(path).read_text())["aliases"]) == 40


def test_four_shells_setting_25_aliases_each_keep_100(env: dict[str, str], tmp_path: Path) -> None:
    """Issue 11: 4 x 25 concurrent `flext alias set` used to keep 39-62 of 100."""
    script = ("import sys\nfrom flext.cli import main\nfor k in range(25):\n"
              "    assert main(['alias', 'set', f'a{sys.argv[1]}x{k}', 'pipeline status']) == 0\n")
    run_env = {**env, "PYTHONPATH": str(ROOT), "FLEXT_NO_HISTORY": "1"}
    procs = [subprocess.Popen([sys.executable, "-c", script, str(n)], env=run_env, stderr=subprocess.PIPE)
             for n in range(4)]
    for proc in procs:
        _, err = proc.communicate(timeout=240)
        assert proc.returncode == 0, err.decode()
    config = Path(env["FLEXT_CONFIG_DIR"]) / "config.toml"
    aliases = tomllib.loads(config.read_text())["aliases"]
    assert len(aliases) == 100
    assert oct(os.stat(config).st_mode & 0o777) == "0o600"

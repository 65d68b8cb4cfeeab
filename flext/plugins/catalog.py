"""Where plugins can be installed from by name: the bundled index and `plugins.index_url`.

An index is JSON: `{"plugins": [{"name", "version", "description", "keywords": [...],
"requires": [...], and one source: "bundled": NAME | "path": folder-or-wheel (relative
to the index file) | "url": a wheel | "pip": "pkg==1.0"}]}`. The URL may be a local
path, `file://...` or `http(s)://...`.
"""

from __future__ import annotations

import os

from flext.core.errors import ConfigError, Unreachable
from flext.plugins import index as _index
from flext.plugins.version import key

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from flext.core.context import Context


class Entry:
    __slots__ = ("description", "index", "keywords", "kind", "name", "requires", "target", "version")

    def __init__(self, data: dict[str, Any], index: str, base: str | None) -> None:
        self.name = str(data["name"])
        self.version = str(data.get("version", "0"))
        self.description = str(data.get("description", ""))
        self.keywords = [str(k) for k in data.get("keywords", [])]
        self.requires = [str(r) for r in data.get("requires", [])]
        self.index = index
        for kind in ("bundled", "path", "url", "pip"):
            if kind in data:
                self.kind, self.target = kind, str(data[kind])
                break
        else:
            self.kind, self.target = "pip", f"{self.name}=={self.version}"
        if self.kind == "path" and base is not None and not os.path.isabs(self.target):
            if base.startswith(("http://", "https://")):
                from urllib.parse import urljoin

                self.kind, self.target = "url", urljoin(base, self.target)
            else:
                self.target = os.path.normpath(os.path.join(base, self.target))

    @property
    def source(self) -> str:
        return f"{self.kind}:{self.target}"

    def row(self) -> dict[str, Any]:
        return {"name": self.name, "version": self.version, "description": self.description,
                "index": self.index, "source": self.source}


def bundled_index_file() -> str:
    return os.path.join(_index.bundled_dir(), "index.json")


def _parse(text: str, where: str, base: str | None) -> list[Entry]:
    import json

    try:
        data = json.loads(text)
        items = data["plugins"] if isinstance(data, dict) else data
        return [Entry(item, where, base) for item in items]
    except (ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"plugin index {where} is not valid: {exc}",
                          hint='expected {"plugins": [{"name": ..., "version": ..., "path"|"pip"|"url": ...}]}') from None


def bundled() -> list[Entry]:
    with open(bundled_index_file(), encoding="utf-8") as fh:
        return _parse(fh.read(), "bundled", _index.bundled_dir())


def index_url(ctx: Context) -> str | None:
    settings = ctx.settings.get("plugins") or {}
    value = ctx.env.get("FLEXT_PLUGINS__INDEX_URL") or settings.get("index_url")
    return str(value) if value else None


def remote(ctx: Context) -> list[Entry]:
    """Entries of the configured index (none when unset)."""
    url = index_url(ctx)
    if not url:
        return []
    if url.startswith(("http://", "https://")):
        import httpx

        try:
            response = httpx.get(url, timeout=float(ctx.settings.get("timeout") or 10), follow_redirects=True)
            response.raise_for_status()
        except httpx.HTTPError as exc:
            raise Unreachable(f"cannot read the plugin index {url}: {exc}",
                              hint="check plugins.index_url (`flext config get plugins.index_url`)") from None
        return _parse(response.text, url, url.rsplit("/", 1)[0] + "/")
    path = url.removeprefix("file://")
    path = os.path.expanduser(path)
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except OSError as exc:
        raise ConfigError(f"cannot read the plugin index {path}: {exc.strerror}",
                          hint="check plugins.index_url (`flext config get plugins.index_url`)") from None
    return _parse(text, url, os.path.dirname(os.path.abspath(path)))


def entries(ctx: Context) -> list[Entry]:
    return bundled() + remote(ctx)


def find(ctx: Context, name: str) -> list[Entry]:
    """Entries named `name`, newest version first, bundled before remote at equal versions."""
    found = [e for e in entries(ctx) if e.name == name]
    return sorted(found, key=lambda e: key(e.version), reverse=True)


def search(ctx: Context, query: str) -> list[Entry]:
    words = query.lower().split()
    out = []
    for entry in entries(ctx):
        text = " ".join([entry.name, entry.description, *entry.keywords]).lower()
        if all(w in text for w in words):
            out.append(entry)
    return out


__all__ = ["Entry", "bundled", "bundled_index_file", "entries", "find", "index_url", "remote", "search"]

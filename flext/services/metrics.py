"""Read a service's metrics: Prometheus text, or a JSON body flattened to dotted names."""

from __future__ import annotations

import json

from flext.core.errors import OperationFailed, Unreachable
from flext.services import prom
from flext.services.http import get

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

MAX_BODY = 32 * 1024 * 1024
COLUMNS = ["metric", "type", "labels", "value"]


def flatten_json(data: Any, prefix: str = "") -> list[prom.Family]:
    """Numeric leaves of a JSON document as untyped families named by their dotted path."""
    out: list[prom.Family] = []

    def walk(node: Any, path: str) -> None:
        if isinstance(node, bool):
            fam = prom.Family(path or "value", "gauge")
            fam.samples.append(prom.Sample(fam.name, {}, 1.0 if node else 0.0, None, 0))
            out.append(fam)
        elif isinstance(node, (int, float)):
            fam = prom.Family(path or "value", "gauge")
            fam.samples.append(prom.Sample(fam.name, {}, float(node), None, 0))
            out.append(fam)
        elif isinstance(node, dict):
            for key, value in node.items():
                walk(value, f"{path}.{key}" if path else str(key))
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, f"{path}.{index}" if path else str(index))

    walk(data, prefix)
    return out


def parse_body(body: bytes, content_type: str, where: str) -> list[prom.Family]:
    """Families from a metrics body; OperationFailed with the line number when it is malformed."""
    text = body.decode("utf-8", "replace")
    stripped = text.lstrip()
    if "json" in content_type or stripped[:1] in ("{", "["):
        try:
            return flatten_json(json.loads(text))
        except ValueError as exc:
            raise OperationFailed(f"{where}: invalid JSON metrics: {exc}") from None
    try:
        return prom.parse(text)
    except prom.ParseError as exc:
        raise OperationFailed(f"{where}: not valid Prometheus text: {exc}",
                              hint="the exporter must follow the Prometheus text exposition format") from None


def fetch(url: str, timeout: float) -> list[prom.Family]:
    reply = get(url, timeout, max_body=MAX_BODY)
    if reply.error is not None:
        raise Unreachable(f"cannot read metrics from {url}: {reply.error}",
                          hint="is the service running? see `flext service health`")
    if reply.status is None or reply.status >= 400:
        raise OperationFailed(f"{url} answered HTTP {reply.status}",
                              hint="check the service's metrics_path (`flext service list -o json`)")
    return parse_body(reply.body, reply.content_type, url)


def rows(families: list[prom.Family], match: str | None = None) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for family in families:
        if match and match not in family.name:
            continue
        for sample in family.samples:
            out.append({"metric": sample.name, "type": family.type, "labels": prom.format_labels(sample.labels),
                        "value": prom.format_value(sample.value), "help": family.help})
    return out


def matching(samples: list[dict[str, Any]], match: str | None) -> list[dict[str, Any]]:
    """Sample rows whose metric name contains `match` (all without one)."""
    return [r for r in samples if not match or match in str(r.get("metric"))]


__all__ = ["COLUMNS", "fetch", "flatten_json", "matching", "parse_body", "rows"]

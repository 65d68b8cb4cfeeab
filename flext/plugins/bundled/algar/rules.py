"""The migration's rules, as data: how entries are categorised, which schema is custom,
which attributes are left behind, which carry OID access control.

The default set is `rules.json` beside this module; `algar migrate --rules FILE` reads a
JSON file whose top-level keys replace the defaults' (a key it does not give keeps the
default). Categories are tried in CATEGORIES order (hierarchy, policies, groups, users,
roles, resources); within a category, its rules in file order; the first rule that
matches wins and an entry no rule matches is `other`. A rule matches when every
condition it gives holds: `objectclass` (the entry has one of them), `dn` (a regular
expression found in the lower-cased DN), `attribute` (the entry has one of them).
"""

from __future__ import annotations

import fnmatch
import json
import os
import re

from flext.core.errors import ConfigError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

CATEGORIES = ("hierarchy", "policies", "groups", "users", "roles", "resources", "other")
ENTRY_PHASES = ("hierarchy", "users", "groups", "other")
_KEYS = {"version", "source_base_dn", "categories", "phases", "schema_oids", "acl_attributes", "drop_attributes"}
_RULE_KEYS = {"category", "objectclass", "dn", "attribute"}


def default_file() -> str:
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "rules.json")


class Rule:
    __slots__ = ("attributes", "category", "dn", "objectclasses")

    def __init__(self, category: str, objectclasses: set[str] | None, dn: re.Pattern[str] | None,
                 attributes: set[str] | None) -> None:
        self.category = category
        self.objectclasses = objectclasses
        self.dn = dn
        self.attributes = attributes

    def matches(self, dn: str, objectclasses: set[str], attributes: set[str]) -> bool:
        if self.objectclasses is not None and not (self.objectclasses & objectclasses):
            return False
        if self.attributes is not None and not (self.attributes & attributes):
            return False
        return self.dn is None or self.dn.search(dn) is not None


class Rules:
    """The compiled rules; `file` names where the last layer came from (for messages)."""

    def __init__(self, data: dict[str, Any], file: str) -> None:
        self.file = file

        def fail(key: str, message: str) -> ConfigError:
            return ConfigError(f"{file}: {key}: {message}",
                               hint="see docs/algar.md for the rules format (`algar migrate --rules FILE`)")

        unknown = sorted(set(data) - _KEYS)
        if unknown:
            raise fail(unknown[0], f"unknown key (known: {', '.join(sorted(_KEYS))})")
        base = data.get("source_base_dn")
        if base is not None and (not isinstance(base, str) or "=" not in base):
            raise fail("source_base_dn", "must be a DN such as dc=example,dc=com, or null")
        self.source_base: str | None = base or None
        self.rules: list[Rule] = []
        raw = data.get("categories", [])
        if not isinstance(raw, list):
            raise fail("categories", "must be a list of rules")
        by_category: dict[str, list[Rule]] = {c: [] for c in CATEGORIES}
        for index, item in enumerate(raw):
            where = f"categories[{index}]"
            if not isinstance(item, dict):
                raise fail(where, "must be an object")
            extra = sorted(set(item) - _RULE_KEYS)
            if extra:
                raise fail(f"{where}.{extra[0]}", f"unknown key (known: {', '.join(sorted(_RULE_KEYS))})")
            category = item.get("category")
            if category not in CATEGORIES or category == "other":
                raise fail(f"{where}.category", f"must be one of {', '.join(CATEGORIES[:-1])} (other is what is left)")
            if not any(k in item for k in ("objectclass", "dn", "attribute")):
                raise fail(where, "needs at least one of objectclass, dn, attribute")
            pattern = None
            if "dn" in item:
                if not isinstance(item["dn"], str):
                    raise fail(f"{where}.dn", "must be a regular expression (a string)")
                try:
                    pattern = re.compile(item["dn"])
                except re.error as exc:
                    raise fail(f"{where}.dn", f"invalid regular expression: {exc}") from None
            by_category[category].append(Rule(category, _names(item, "objectclass", fail, where), pattern,
                                              _names(item, "attribute", fail, where)))
        for category in CATEGORIES:  # the order the issue gives, whatever the file order
            self.rules.extend(by_category[category])
        phases = data.get("phases", {})
        if not isinstance(phases, dict):
            raise fail("phases", "must map each category to a phase")
        self.phases: dict[str, str] = {}
        for category in CATEGORIES:
            phase = phases.get(category, "other")
            if phase not in ENTRY_PHASES:
                raise fail(f"phases.{category}", f"must be one of {', '.join(ENTRY_PHASES)}")
            self.phases[category] = phase
        for key in sorted(set(phases) - set(CATEGORIES)):
            raise fail(f"phases.{key}", f"not a category ({', '.join(CATEGORIES)})")
        oids = data.get("schema_oids", [])
        if not isinstance(oids, list) or not all(isinstance(o, str) and o for o in oids):
            raise fail("schema_oids", "must be a list of OIDs or OID patterns such as 99.*")
        self.schema_oids: list[str] = list(oids)
        acls = data.get("acl_attributes", {})
        if not isinstance(acls, dict) or not all(v in ("subtree", "entry") for v in acls.values()):
            raise fail("acl_attributes", 'must map attribute names to "subtree" or "entry"')
        self.acl_attributes: dict[str, str] = {str(k).lower(): str(v) for k, v in acls.items()}
        drop = data.get("drop_attributes", [])
        if not isinstance(drop, list) or not all(isinstance(d, str) for d in drop):
            raise fail("drop_attributes", "must be a list of attribute names")
        self.drop: set[str] = {d.lower() for d in drop}

    def category(self, dn: str, objectclasses: set[str], attributes: set[str]) -> str:
        """The entry's category: `dn` lower-cased, the sets lower-cased names."""
        for rule in self.rules:
            if rule.matches(dn, objectclasses, attributes):
                return rule.category
        return "other"

    def custom_oid(self, oid: str) -> bool:
        return any(fnmatch.fnmatchcase(oid, pattern) for pattern in self.schema_oids)

    def dropped(self, attribute: str) -> bool:
        name = attribute.lower()
        return name in self.drop or name.split(";", 1)[0] in self.drop

    def describe(self) -> dict[str, Any]:
        return {"file": self.file, "source_base_dn": self.source_base, "schema_oids": self.schema_oids,
                "phases": self.phases}


def _names(item: dict[str, Any], key: str, fail: Any, where: str) -> set[str] | None:
    if key not in item:
        return None
    value = item[key]
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
        raise fail(f"{where}.{key}", "must be a name or a list of names")
    return {v.lower() for v in value}


def _read(path: str) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except FileNotFoundError:
        from flext.core.errors import NotFound

        raise NotFound(f"no rules file {path}", hint="pass an existing JSON file to --rules") from None
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path}:{exc.lineno}: invalid JSON: {exc.msg}",
                          hint="the rules file is JSON (see docs/algar.md)") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the rules file must be a JSON object", hint="see docs/algar.md")
    return data


def load(path: str | None = None) -> Rules:
    """The default rules, with the top-level keys of `path` (if given) replacing theirs."""
    data = _read(default_file())
    if path is None:
        return Rules(data, default_file())
    override = _read(path)
    merged = {**data, **override}
    if "phases" in override and isinstance(override["phases"], dict):
        merged["phases"] = {**data["phases"], **override["phases"]}
    return Rules(merged, path)


__all__ = ["CATEGORIES", "ENTRY_PHASES", "Rule", "Rules", "default_file", "load"]

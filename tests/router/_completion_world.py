"""A config and a secret index for completion tests (router, live values, real shells).

Profiles default, staging, prod (inherits staging, current), other; aliases st, pu;
secrets: db_password (default), api_token (staging), other_token (other).
"""

from __future__ import annotations

import json
import os

from flext.core.paths import Paths

CONFIG = """\
current_profile = "prod"

[profiles.staging]
description = "the staging cluster"

[profiles.prod]
inherit = "staging"

[profiles.other]

[aliases]
st = "config show"
pu = "profile use $1"
"""

SECRET_INDEX = {
    "version": 1,
    "profiles": {
        "default": {"db_password": {"set_at": 1.0}},
        "staging": {"api_token": {"set_at": 1.0}},
        "other": {"other_token": {"set_at": 1.0}},
    },
}

PROFILES = ["default", "staging", "prod", "other"]
ALIASES = ["st", "pu"]
FORMATS = ["table", "json", "jsonl", "yaml", "csv", "plain"]


def make_world(env: dict[str, str]) -> None:
    """Write config.toml and the secret index into the isolated dirs of `env`."""
    os.makedirs(env["FLEXT_CONFIG_DIR"], exist_ok=True)
    with open(os.path.join(env["FLEXT_CONFIG_DIR"], "config.toml"), "w", encoding="utf-8") as fh:
        fh.write(CONFIG)
    index = Paths(env).secret_index
    os.makedirs(os.path.dirname(index), exist_ok=True)
    with open(index, "w", encoding="utf-8") as fh:
        json.dump(SECRET_INDEX, fh)

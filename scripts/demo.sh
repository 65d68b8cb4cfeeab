#!/usr/bin/env bash
# `make demo`: flext end to end from a fresh clone, with the single file.
#
#   1. build dist/flext (make build)
#   2. create a demo workspace with sample data and a dbt-duckdb project (./demo, git-ignored)
#   3. install a real tap, a real target and dbt from the package index (kept between demos)
#   4. run the pipeline: tap-jsonfile | target-duckdb, then `dbt build` on the loaded table
#   5. show `pipeline status` and the first rows of the transformed table
#
# DEMO_DIR overrides ./demo. flext's own config, data and history for the demo live inside
# it too, so your ~/.config/flext is never touched.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"

demo="${DEMO_DIR:-$repo/demo}"
ws="$demo/workspace"
export FLEXT_CONFIG_DIR="$demo/home/config" FLEXT_DATA_DIR="$demo/home/data" FLEXT_STATE_DIR="$demo/home/state"
export FLEXT_NO_INPUT=1

# bold headings on a terminal only, never with NO_COLOR (as flext itself does)
if [ -t 1 ] && [ -z "${NO_COLOR:-}" ] && [ "${TERM:-}" != dumb ]; then bold=$'\033[1m' plain=$'\033[0m'; else bold='' plain=''; fi
step() { printf '\n%s== %s%s\n' "$bold" "$*" "$plain"; }
show() { printf '$ %s\n' "flext $*"; "$flext" "$@"; }

step "build the single file"
make --no-print-directory build
flext="$repo/dist/flext"

step "create the demo workspace in $ws"
# keep installed plugins from an earlier demo: installs are the slow part
saved=""
if [ -d "$ws/.flext/plugins" ]; then
    saved="$(mktemp -d "$demo/.plugins.XXXXXX")"
    mv "$ws/.flext/plugins" "$saved/plugins"
fi
rm -rf "$ws"
mkdir -p "$demo"
show init "$ws" --example --name demo
if [ -n "$saved" ]; then
    mkdir -p "$ws/.flext"
    mv "$saved/plugins" "$ws/.flext/plugins"
    rmdir "$saved"
fi
cd "$ws"

step "install a real tap, a real target and dbt (each in its own venv under .flext/plugins)"
show data taps install tap-jsonfile
show data targets install target-duckdb
show data dbt install
show data taps list --installed

step "run the pipeline: tap-jsonfile | target-duckdb, then dbt build"
show pipeline show orders
show pipeline run orders

step "dbt tests on the result"
show data dbt test transform

step "pipeline status"
show pipeline status orders
show pipeline runs orders --limit 3

step "first rows of analytics.revenue_by_customer (warehouse.duckdb)"
"$ws/.flext/plugins/dbt/venv/bin/python" - "$ws/warehouse.duckdb" <<'PY'
import sys

import duckdb

con = duckdb.connect(sys.argv[1], read_only=True)
rows = con.execute("select customer, orders, revenue from analytics.revenue_by_customer order by revenue desc limit 5").fetchall()
total = con.execute("select count(*) from raw.orders").fetchone()[0]
print(f"{'CUSTOMER':<10}{'ORDERS':>8}{'REVENUE':>12}")
for customer, orders, revenue in rows:
    print(f"{customer:<10}{orders:>8}{revenue:>12.2f}")
print(f"({total} orders loaded into raw.orders)")
PY

step "done"
echo "workspace: $ws"
echo "try: cd $ws && FLEXT_CONFIG_DIR=$FLEXT_CONFIG_DIR FLEXT_DATA_DIR=$FLEXT_DATA_DIR $flext pipeline logs orders --tail 5"

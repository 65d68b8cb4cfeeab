"""`flext init --example`: sample data, two pipelines and a small dbt-duckdb project.

Generated from code (deterministic) rather than shipped as files, so the single-file
build carries no data files and the example is the same everywhere.
"""

from __future__ import annotations

import os

CUSTOMERS = 50
ORDERS = 1000

_DBT_PROJECT = """\
name: flext_demo
version: "1.0.0"
config-version: 2
profile: flext_demo
model-paths: ["models"]
target-path: target
clean-targets: [target]
models:
  flext_demo:
    +materialized: table
"""

_DBT_PROFILES = """\
flext_demo:
  target: dev
  outputs:
    dev:
      type: duckdb
      path: "{{ env_var('FLEXT_WORKSPACE', '..') }}/warehouse.duckdb"
      schema: analytics
      threads: 1
"""

_SOURCES = """\
version: 2
sources:
  - name: raw
    schema: raw
    tables:
      - name: orders
models:
  - name: revenue_by_customer
    columns:
      - name: customer
        data_tests: [unique, not_null]
      - name: orders
        data_tests: [not_null]
"""

_MODEL = """\
select customer,
       count(*) as orders,
       round(sum(amount), 2) as revenue
from {{ source('raw', 'orders') }}
group by customer
order by revenue desc
"""


def write_example(root: str) -> list[str]:
    """Write data/ and transform/ under `root`; return flext.toml lines for the pipelines."""
    data = os.path.join(root, "data")
    os.makedirs(os.path.join(data, "customers"), exist_ok=True)
    import json

    with open(os.path.join(data, "orders.jsonl"), "w", encoding="utf-8") as fh:
        for i in range(1, ORDERS + 1):
            row = {"id": i, "customer": f"c{(i * 7) % CUSTOMERS + 1:03d}", "amount": round((i * 37) % 500 + 9.99, 2),
                   "created_at": f"2026-01-{(i % 28) + 1:02d}T{i % 24:02d}:00:00Z"}
            fh.write(json.dumps(row) + "\n")
    with open(os.path.join(data, "customers", "customers.csv"), "w", encoding="utf-8") as fh:
        fh.write("id,name,city\n")
        cities = ("Lisbon", "Recife", "Porto", "Natal", "Braga")
        for i in range(1, CUSTOMERS + 1):
            fh.write(f"c{i:03d},Customer {i},{cities[i % len(cities)]}\n")
    project = os.path.join(root, "transform")
    os.makedirs(os.path.join(project, "models"), exist_ok=True)
    for rel, body in (
        ("dbt_project.yml", _DBT_PROJECT),
        ("profiles.yml", _DBT_PROFILES),
        ("models/sources.yml", _SOURCES),
        ("models/revenue_by_customer.sql", _MODEL),
    ):
        with open(os.path.join(project, rel), "w", encoding="utf-8") as fh:
            fh.write(body)
    return [
        "[pipelines.orders]",
        'tap = "tap-jsonfile"',
        'target = "target-duckdb"',
        'transform = "transform"',
        "# tap-jsonfile reads only new or changed files on the next run; the stream map gives the",
        "# stream its primary key, so a changed file updates its rows instead of adding them again",
        'tap_config = { paths = ["data/*.jsonl"], stream_name = "orders", '
        'stream_maps = { orders = { __key_properties__ = ["id"] } } }',
        'target_config = { filepath = "warehouse.duckdb", default_target_schema = "raw" }',
        "",
        "[pipelines.customers]",
        'tap = "tap-csv-folder"',
        'target = "target-jsonl"',
        'tap_config = { path = "data/customers", read_mode = "one_stream_per_file" }',
        'target_config = { destination_path = "output" }',
        "",
    ]


__all__ = ["write_example"]

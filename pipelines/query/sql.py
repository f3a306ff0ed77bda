"""DuckDB views over the lake: one per table, read through hive folders. Imports DuckDB only (no
polars, no Dagster), so `followup sql` starts in a fraction of a second."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from pipelines.core.paths import lake_root

# table -> hive partition columns (folders), in order.
TABLES: dict[str, tuple[str, ...]] = {
    "snapshots": ("org", "period"),
    "quarantine": ("org", "period"),
    "history": ("org", "period"),  # the linked snapshot rows: a view over per-org files
    "links": ("org",),
    "activities": ("org",),
    "transitions": ("org",),
    "delays": ("org",),
    "promises": ("org",),
}


# The files of a table, at their exact depth (a recursive ``**`` lists folders for longer).
def files_pattern(table: str) -> str:
    return "org=*/period=*/*.parquet" if "period" in TABLES[table] else "org=*/*.parquet"


def tables_with_data(root: Path) -> list[str]:
    """The tables that have data in this lake."""
    return [t for t in TABLES if next((root / t).glob(files_pattern(t)), None) is not None]


def tables_in(query: str) -> list[str]:
    """The lake's tables a query names (a view is made for these only: binding a view lists
    its files, ~0.2 s for a table of 3,720 periods)."""
    return [t for t in TABLES if re.search(rf"\b{t}\b", query, flags=re.IGNORECASE)]


def duckdb_connection(
    lake: str | Path | None = None,
    database: str = ":memory:",
    tables: Iterable[str] | None = None,
):
    """A DuckDB connection with one view per table that has data (``snapshots``, ``delays``…),
    or per table of ``tables`` that has data. Each table has one schema in every file
    (``checks/schemas.py``; ``followup rebuild`` upgrades an older lake), so a view reads the
    schema of one file, not of all."""
    import duckdb

    root = lake_root(lake)
    wanted = set(TABLES if tables is None else tables)
    connection = duckdb.connect(database)
    for table in tables_with_data(root):
        if table not in wanted:
            continue
        pattern = str(root / table / files_pattern(table)).replace("'", "''")
        connection.execute(
            f"CREATE OR REPLACE VIEW {table} AS SELECT * FROM "
            f"read_parquet('{pattern}', hive_partitioning = true)"
        )
    return connection

"""DuckDB views over the lake: one per table, read through hive folders. Imports DuckDB only (no
polars, no Dagster), so `followup sql` starts in a fraction of a second."""

from __future__ import annotations

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


def tables_with_data(root: Path) -> list[str]:
    """The tables that have data in this lake."""
    return [t for t in TABLES if any((root / t).glob("org=*/**/*.parquet"))]


def duckdb_connection(lake: str | Path | None = None, database: str = ":memory:"):
    """A DuckDB connection with one view per table that has data (``snapshots``, ``delays``…)."""
    import duckdb

    root = lake_root(lake)
    connection = duckdb.connect(database)
    for table in tables_with_data(root):
        pattern = str(root / table / "org=*" / "**" / "*.parquet").replace("'", "''")
        connection.execute(
            f"CREATE OR REPLACE VIEW {table} AS SELECT * FROM "
            f"read_parquet('{pattern}', hive_partitioning = true, union_by_name = true)"
        )
    return connection

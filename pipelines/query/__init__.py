"""The notebook users' API: ``from pipelines.query import History, duckdb_connection``.

Imports polars and DuckDB only (never Dagster), so a notebook starts fast.
"""

from pipelines.query.history import TABLES, History, duckdb_connection

__all__ = ["TABLES", "History", "duckdb_connection"]

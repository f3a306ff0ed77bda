"""The notebook users' API: ``from pipelines.query import History, duckdb_connection``.

Imports polars and DuckDB only (never Dagster), so a notebook starts fast; ``duckdb_connection``
alone does not even import polars (``History`` is imported when first used).
"""

from pipelines.query.sql import TABLES, duckdb_connection

__all__ = ["TABLES", "History", "duckdb_connection"]


def __getattr__(name: str):
    if name == "History":
        from pipelines.query.history import History

        return History
    raise AttributeError(f"module 'pipelines.query' has no attribute {name!r}")

"""The history for notebook users: polars LazyFrames over the lake, and DuckDB views.

Nothing here needs to know the folder layout: ``scan("transitions", org="region-x")`` reads
only that org's folder (partition pruning by path), and further filters are pushed down into
the Parquet scan by polars (row-group statistics), so one org never costs a full read.

    from pipelines import query
    q = query.History("data_lake")
    q.timeline("region-vastmanland:2022-Q2:007").collect()
    q.scan("delays", org="region-vastmanland").filter(pl.col("periods_off_plan") >= 2)
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from pipelines.core.errors import FollowupError
from pipelines.core.paths import lake_root
from pipelines.core.periods import parse_period
from pipelines.lake.store import org_slug
from pipelines.link.matching import normalise_text
from pipelines.query.sql import TABLES, tables_with_data


class History:
    """Read access to one lake. Every method returns a LazyFrame (call ``.collect()``)."""

    def __init__(self, lake: str | Path | None = None):
        self.root = lake_root(lake)

    def tables(self) -> list[str]:
        """The tables that have data in this lake."""
        return tables_with_data(self.root)

    def _files(self, table: str, org: str | None, period: str | None) -> str:
        if table not in TABLES:
            raise FollowupError(f"unknown table {table!r}; tables: {', '.join(TABLES)}")
        folder = self.root / table
        if org is not None:
            folder = folder / f"org={org_slug(org)}"
            if period is not None and "period" in TABLES[table]:
                folder = folder / f"period={parse_period(period).label}"
        if not any(folder.glob("**/*.parquet")):
            raise FollowupError(f"no {table} data in {folder}; run the pipeline first")
        return str(folder / "**" / "*.parquet")

    def scan(self, table: str, org: str | None = None, period: str | None = None) -> pl.LazyFrame:
        """One table, optionally only one org's (and period's) folder."""
        frame = pl.scan_parquet(
            self._files(table, org, period),
            hive_partitioning=True,
            missing_columns="insert",
            extra_columns="ignore",
        )
        if org is not None:  # hive columns are not inferred below the partition folder
            frame = frame.with_columns(pl.lit(org_slug(org)).alias("org"))
        if period is not None:
            frame = frame.filter(pl.col("period") == parse_period(period).label)
        return frame

    # Named shortcuts, so notebooks read naturally.
    def snapshots(self, org: str | None = None, period: str | None = None) -> pl.LazyFrame:
        return self.scan("snapshots", org, period)

    def activities(self, org: str | None = None) -> pl.LazyFrame:
        return self.scan("activities", org)

    def links(self, org: str | None = None) -> pl.LazyFrame:
        return self.scan("links", org)

    def transitions(self, org: str | None = None) -> pl.LazyFrame:
        return self.scan("transitions", org)

    def delays(self, org: str | None = None) -> pl.LazyFrame:
        return self.scan("delays", org)

    def promises(self, org: str | None = None) -> pl.LazyFrame:
        return self.scan("promises", org)

    def timeline(self, activity_id: str) -> pl.LazyFrame:
        """One activity across every report: period, date, status, comment, change, delay."""
        org = activity_id.split(":", 1)[0]
        rows = self.snapshots(org).filter(pl.col("activity_id") == activity_id)
        changes = (
            self.transitions(org)
            .filter((pl.col("activity_id") == activity_id) & pl.col("to_period").is_not_null())
            .select(pl.col("to_period").alias("period"), "change")
        )
        delays = (
            self.delays(org)
            .filter(pl.col("activity_id") == activity_id)
            .select("period", "periods_off_plan", "days_off_plan")
        )
        return (
            rows.select(
                "org",
                "activity_id",
                "period",
                "report_date",
                "goal_area",
                "activity",
                "unit",
                "status",
                "status_source",
                "comment",
            )
            .join(changes, on="period", how="left")
            .join(delays, on="period", how="left")
            .sort("report_date")
        )

    def search(self, text: str, org: str | None = None) -> pl.LazyFrame:
        """Activities whose text contains every word of ``text`` (case, å/ä/ö and OCR look-alikes
        ignored)."""
        words = normalise_text(text).split()
        if not words:
            raise FollowupError("search needs at least one word")
        folded = pl.col("canonical_text").map_elements(normalise_text, return_dtype=pl.String)
        condition = pl.lit(True)
        for word in words:
            condition = condition & folded.str.contains(word, literal=True)
        return self.activities(org).filter(condition)

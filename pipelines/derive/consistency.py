"""Cross-period consistency of the linked history (used by the Dagster asset checks)."""

from __future__ import annotations

import polars as pl

from pipelines.derive.history import order_periods


def unaccounted_activities(linked: pl.DataFrame, transitions: pl.DataFrame) -> pl.DataFrame:
    """Activities of a period with no event into the org's next period.

    Every activity reported in period t must, in period t+1, be present (unchanged, improved,
    worsened, reopened) or recorded as dropped or completed. Returns the ones that are not.
    """
    acts, periods = order_periods(linked)
    periods = periods.with_columns(
        pl.col("period").shift(-1).over("org", order_by="_idx").alias("next_period")
    )
    expected = (
        acts.select("org", "activity_id", "period")
        .unique()
        .join(periods.select("org", "period", "next_period"), on=["org", "period"])
        .filter(pl.col("next_period").is_not_null())
    )
    recorded = transitions.filter(pl.col("from_period").is_not_null()).select(
        "org", "activity_id", pl.col("from_period").alias("period"), "to_period"
    )
    return expected.join(
        recorded,
        left_on=["org", "activity_id", "period", "next_period"],
        right_on=["org", "activity_id", "period", "to_period"],
        how="anti",
    ).sort("org", "activity_id", "period")


def returned_after_completion(linked: pl.DataFrame, transitions: pl.DataFrame) -> pl.DataFrame:
    """Activities reported completed that come back: a ``reopened`` event whose earlier side
    (``from_period``) was marked completed."""
    done = (
        linked.filter(pl.col("completed"))
        .select("org", "activity_id", pl.col("period").alias("from_period"))
        .unique()
    )
    return (
        transitions.filter(pl.col("change") == "reopened")
        .select("org", "activity_id", "from_period", "to_period")
        .join(done, on=["org", "activity_id", "from_period"])
        .sort("org", "activity_id", "to_period")
    )


def unknown_share(linked: pl.DataFrame) -> dict[str, float]:
    """Share of rows with status ``unknown`` in each org's latest period."""
    acts, _ = order_periods(linked)
    latest = acts.filter(pl.col("_idx") == pl.col("_idx").max().over("org"))
    shares = latest.group_by("org").agg((pl.col("status") == "unknown").mean().alias("share"))
    return {org: round(share, 4) for org, share in shares.sort("org").iter_rows()}

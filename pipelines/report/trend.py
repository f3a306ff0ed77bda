"""Figures per period for the report's first page: key figures and the charts' data.

For every period of one organisation (oldest first) the counts per status, the share on plan,
and what changed since the period before (worsened, improved, new, no longer reported), plus the
activities off plan for two periods or more and the promises found slipped in that period.
Pure polars; works on one organisation's snapshots or on many (grouped by ``org``).
"""

from __future__ import annotations

import polars as pl

from pipelines.core.periods import period_sort_key
from pipelines.core.status import STATUS_RANK, STATUSES

KEY_FIGURES = (
    "activities",
    "on_plan_share",
    "worsened",
    "improved",
    "new",
    "dropped",
    "off_plan_long",
    "slipped",
)


def on_plan_share(green: pl.Expr, total_known: pl.Expr) -> pl.Expr:
    """Green among activities with a known status (unknown neither helps nor hurts)."""
    return pl.when(total_known > 0).then(green / total_known).otherwise(None)


def _indexed(snap: pl.DataFrame, periods: list[str] | None) -> pl.DataFrame:
    """One row per (org, activity, period) with the period's position in the org's order."""
    if periods is not None:
        snap = snap.filter(pl.col("period").is_in(periods))
    known = sorted(set(snap["period"].to_list()), key=period_sort_key)
    order = (
        snap.select("org", "period")
        .unique()
        .with_columns(
            pl.col("period")
            .replace_strict({p: i for i, p in enumerate(known)}, return_dtype=pl.Int64)
            .alias("_g")
        )
        .with_columns((pl.col("_g").rank("dense").over("org") - 1).cast(pl.Int64).alias("_pi"))
        .drop("_g")
    )
    return (
        snap.sort("source_row")
        .unique(["org", "activity_id", "period"], keep="first", maintain_order=True)
        .join(order, on=["org", "period"], how="left")
    )


def period_stats(
    snap: pl.DataFrame,
    periods: list[str] | None = None,
    delays: pl.DataFrame | None = None,
    promises: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """org, period, _pi, report_date, activities, <status> counts, on_plan_share, worsened,
    improved, new, dropped, off_plan_long, slipped — one row per org and period, oldest first.
    The first period of an org has null worsened/improved/new/dropped (nothing to compare)."""
    rows = _indexed(snap, periods)
    counts = rows.group_by("org", "period", "_pi").agg(
        pl.col("report_date").max(),
        pl.len().cast(pl.Int64).alias("activities"),
        *[(pl.col("status") == s).sum().cast(pl.Int64).alias(s) for s in STATUSES],
    )
    counts = counts.with_columns(
        on_plan_share(pl.col("green"), pl.col("green") + pl.col("yellow") + pl.col("red")).alias(
            "on_plan_share"
        )
    )
    rank = pl.col("status").replace_strict(STATUS_RANK, default=None, return_dtype=pl.Int64)
    side = rows.select("org", "activity_id", "_pi", rank.alias("_rank"))
    before = side.with_columns((pl.col("_pi") + 1).alias("_pi")).rename({"_rank": "_rank_before"})
    pairs = side.join(before, on=["org", "activity_id", "_pi"], how="full", coalesce=True)
    changes = pairs.group_by("org", "_pi").agg(
        (pl.col("_rank") > pl.col("_rank_before")).sum().cast(pl.Int64).alias("worsened"),
        (pl.col("_rank") < pl.col("_rank_before")).sum().cast(pl.Int64).alias("improved"),
        pl.col("_rank_before").is_null().and_(pl.col("_rank").is_not_null()).sum().alias("_n1"),
        pl.len().alias("_len"),
    )
    # new/dropped by presence, not by rank (unknown has no rank)
    present = rows.select("org", "activity_id", "_pi", pl.lit(True).alias("_here"))
    was = present.with_columns((pl.col("_pi") + 1).alias("_pi")).rename({"_here": "_was"})
    presence = (
        present.join(was, on=["org", "activity_id", "_pi"], how="full", coalesce=True)
        .group_by("org", "_pi")
        .agg(
            (pl.col("_here") & pl.col("_was").is_null()).sum().cast(pl.Int64).alias("new"),
            (pl.col("_was") & pl.col("_here").is_null()).sum().cast(pl.Int64).alias("dropped"),
        )
    )
    out = (
        counts.join(changes.drop("_n1", "_len"), on=["org", "_pi"], how="left")
        .join(presence, on=["org", "_pi"], how="left")
        .with_columns(
            pl.when(pl.col("_pi") == 0).then(None).otherwise(pl.col(c).fill_null(0)).alias(c)
            for c in ("worsened", "improved", "new", "dropped")
        )
    )
    long = pl.lit(0, pl.Int64)
    if delays is not None and delays.height:
        off = (
            delays.filter(pl.col("off_plan").fill_null(False) & (pl.col("periods_off_plan") >= 2))
            .group_by("org", "period")
            .agg(pl.len().cast(pl.Int64).alias("off_plan_long"))
        )
        out = out.join(off, on=["org", "period"], how="left")
        long = pl.col("off_plan_long").fill_null(0)
    out = out.with_columns(long.alias("off_plan_long"))
    slipped = pl.lit(0, pl.Int64)
    if promises is not None and promises.height:
        found = (
            promises.filter(
                pl.col("outcome").is_in(["slipped", "moved"])
                & pl.col("checked_in_period").is_not_null()
            )
            .group_by("org", pl.col("checked_in_period").alias("period"))
            .agg(pl.len().cast(pl.Int64).alias("slipped"))
        )
        out = out.join(found, on=["org", "period"], how="left")
        slipped = pl.col("slipped").fill_null(0)
    out = out.with_columns(slipped.alias("slipped"))
    return out.sort("org", "_pi").select(
        "org",
        "period",
        "_pi",
        "report_date",
        "activities",
        *STATUSES,
        *KEY_FIGURES[1:],  # the key figures after "activities"
    )


def area_stats(snap: pl.DataFrame, periods: list[str]) -> pl.DataFrame:
    """goal_area, period, <status> counts, total, on_plan_share — every goal area × period."""
    rows = _indexed(snap, periods)
    return (
        rows.group_by("goal_area", "period", "_pi")
        .agg(*[(pl.col("status") == s).sum().cast(pl.Int64).alias(s) for s in STATUSES])
        .with_columns(
            pl.sum_horizontal(*STATUSES).alias("total"),
            on_plan_share(
                pl.col("green"), pl.col("green") + pl.col("yellow") + pl.col("red")
            ).alias("on_plan_share"),
        )
        .sort("_pi", "goal_area")
    )

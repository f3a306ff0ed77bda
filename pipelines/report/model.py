"""The period-over-period report as data: one polars frame per section, no presentation.

Pairs of statuses (the matrix, worsened/improved, new/dropped) are computed from the snapshots by
``activity_id``, so any two periods can be compared (``--previous`` need not be the period just
before). Where the transitions table holds the same pair, its ``change`` label is kept (it knows
about ``completed``/``reopened``); otherwise the change is derived from ``STATUS_RANK``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import polars as pl

from pipelines.core.errors import FollowupError
from pipelines.core.periods import period_sort_key
from pipelines.core.status import STATUS_RANK, STATUSES
from pipelines.report.trend import area_stats, period_stats

Frame = pl.DataFrame | pl.LazyFrame | None

# Columns each section frame carries, in order (the views and tests rely on them).
PAIR_COLUMNS = [
    "activity_id",
    "goal_area",
    "activity",
    "unit",
    "status_previous",
    "status_source_previous",
    "status_current",
    "status_source_current",
    "comment_previous",
    "comment_current",
    "change",
]


@dataclass(frozen=True)
class ReportData:
    """Everything a report shows, for one organisation and two periods.

    ``previous`` is None when the organisation has only one period up to ``period``; the
    comparison sections are then empty.
    """

    org: str
    period: str
    previous: str | None
    header: pl.DataFrame  # role (previous|current), period, report_date, source_file, rows
    summary: pl.DataFrame  # per goal area: <status>_previous/_current/_change, totals, inferred
    matrix: pl.DataFrame  # from_status (+ "new") × to_status columns (+ "dropped"), counts
    worsened: pl.DataFrame  # PAIR_COLUMNS
    improved: pl.DataFrame  # PAIR_COLUMNS
    off_plan: pl.DataFrame  # current period's off-plan activities, longest first
    slipped: pl.DataFrame  # promises found slipped/moved at this report
    new: pl.DataFrame  # activities in this report and not in the previous one
    dropped: pl.DataFrame  # activities in the previous report and not in this one
    strip: pl.DataFrame  # long: activity_id, period, status, status_source
    strip_activities: pl.DataFrame  # activity_id, goal_area, activity, unit (latest text), ordered
    periods: list[str] = field(default_factory=list)  # the strip's periods, oldest first
    trend: pl.DataFrame | None = None  # trend.period_stats: one row per period up to this one
    areas: pl.DataFrame | None = None  # trend.area_stats: goal area × period status counts
    org_name: str | None = None  # display name from the org registry (None: use the slug)

    @property
    def display_name(self) -> str:
        return self.org_name or self.org


def _collect(frame: Frame) -> pl.DataFrame | None:
    if frame is None:
        return None
    return frame.collect() if isinstance(frame, pl.LazyFrame) else frame


def _with_ids(snapshots: pl.DataFrame) -> pl.DataFrame:
    """Rows without a link get their own id, so they show up as new/dropped, not merged."""
    if "activity_id" not in snapshots.columns:
        snapshots = snapshots.with_columns(pl.lit(None, pl.String).alias("activity_id"))
    return snapshots.with_columns(
        pl.coalesce(
            pl.col("activity_id"),
            pl.format("unlinked:{}:{}", pl.col("period"), pl.col("source_row")),
        ).alias("activity_id")
    )


def choose_periods(
    snapshots: pl.DataFrame, org: str, period: str | None, previous: str | None
) -> tuple[str, str | None, list[str]]:
    """The report's period (default: the latest), the previous one (default: the one before)
    and all the org's periods up to the report's period, oldest first."""
    known = sorted(set(snapshots["period"].to_list()), key=period_sort_key)
    if not known:
        raise FollowupError(f"no snapshots for organisation {org!r}; ingest its reports first")
    if period is None:
        period = known[-1]
    if period not in known:
        raise FollowupError(
            f"no report for {org!r} in period {period!r}; periods available: {', '.join(known)}"
        )
    upto = known[: known.index(period) + 1]
    if previous is None:
        previous = upto[-2] if len(upto) > 1 else None
    elif previous not in known:
        raise FollowupError(
            f"no report for {org!r} in period {previous!r}; periods available: {', '.join(known)}"
        )
    elif period_sort_key(previous) >= period_sort_key(period):
        raise FollowupError(
            f"the previous period {previous!r} must come before {period!r}; "
            "pass an earlier --previous"
        )
    return period, previous, upto


def _header(snap: pl.DataFrame, period: str, previous: str | None) -> pl.DataFrame:
    roles = [("current", period)] + ([("previous", previous)] if previous else [])
    parts = [
        snap.filter(pl.col("period") == p)
        .group_by("source_file")
        .agg(pl.col("report_date").max(), pl.len().cast(pl.Int64).alias("rows"))
        .with_columns(pl.lit(role).alias("role"), pl.lit(p).alias("period"))
        for role, p in roles
    ]
    return (
        pl.concat(parts)
        .select("role", "period", "report_date", "source_file", "rows")
        .sort("role", "report_date", "source_file", descending=[True, False, False])
    )


def _counts(rows: pl.DataFrame, suffix: str) -> pl.DataFrame:
    return rows.group_by("goal_area").agg(
        *[(pl.col("status") == s).sum().cast(pl.Int64).alias(f"{s}_{suffix}") for s in STATUSES],
        pl.len().cast(pl.Int64).alias(f"total_{suffix}"),
        (pl.col("status_source") == "inferred").sum().cast(pl.Int64).alias(f"inferred_{suffix}"),
        pl.col("source_row").min().alias(f"_order_{suffix}"),
    )


def _summary(cur: pl.DataFrame, prev: pl.DataFrame | None) -> pl.DataFrame:
    """Counts per goal area; goal areas in the current report's order, then vanished ones."""
    now = _counts(cur, "current")
    before = _counts(cur.clear(), "previous") if prev is None else _counts(prev, "previous")
    joined = now.join(before, on="goal_area", how="full", coalesce=True, nulls_equal=True)
    has_previous = prev is not None
    count_cols = [
        f"{s}_{w}" for s in [*STATUSES, "total", "inferred"] for w in ("previous", "current")
    ]
    joined = joined.with_columns(
        [
            pl.col(c).fill_null(0) if (has_previous or c.endswith("_current")) else pl.col(c)
            for c in count_cols
        ]
    )
    changes = [
        (pl.col(f"{s}_current") - pl.col(f"{s}_previous")).alias(f"{s}_change")
        for s in [*STATUSES, "total"]
    ]
    return (
        joined.with_columns(
            *changes,
            pl.when(pl.col("total_current") > 0)
            .then(pl.col("inferred_current") / pl.col("total_current"))
            .otherwise(None)
            .alias("inferred_share"),
        )
        .sort(
            pl.col("_order_current").is_null(),
            pl.col("_order_current"),
            pl.col("_order_previous"),
            nulls_last=True,
        )
        .select(
            "goal_area",
            *[f"{s}_{w}" for s in STATUSES for w in ("previous", "current", "change")],
            "total_previous",
            "total_current",
            "total_change",
            "inferred_current",
            "inferred_share",
        )
    )


def _side(rows: pl.DataFrame, suffix: str) -> pl.DataFrame:
    return (
        rows.sort("source_row")
        .unique("activity_id", keep="first", maintain_order=True)
        .select(
            "activity_id",
            pl.col("goal_area").alias(f"goal_area_{suffix}"),
            pl.col("activity").alias(f"activity_{suffix}"),
            pl.col("unit").alias(f"unit_{suffix}"),
            pl.col("status").alias(f"status_{suffix}"),
            pl.col("status_source").alias(f"status_source_{suffix}"),
            pl.col("comment").alias(f"comment_{suffix}"),
            pl.col("source_row").alias(f"source_row_{suffix}"),
            (
                pl.col("completed").alias(f"completed_{suffix}")
                if "completed" in rows.columns
                else pl.lit(None, pl.Boolean).alias(f"completed_{suffix}")
            ),
        )
    )


def _rank(col: str) -> pl.Expr:
    return pl.col(col).replace_strict(STATUS_RANK, default=None, return_dtype=pl.Int64)


def _pairs(
    cur: pl.DataFrame,
    prev: pl.DataFrame,
    transitions: pl.DataFrame | None,
    period: str,
    previous: str,
) -> pl.DataFrame:
    """One row per activity in either report, with both sides and the change."""
    both = _side(cur, "current").join(
        _side(prev, "previous"), on="activity_id", how="full", coalesce=True
    )
    derived = (
        pl.when(pl.col("source_row_previous").is_null())
        .then(pl.lit("new"))
        .when(pl.col("source_row_current").is_null())
        .then(pl.lit("dropped"))
        .when(_rank("status_current") > _rank("status_previous"))
        .then(pl.lit("worsened"))
        .when(_rank("status_current") < _rank("status_previous"))
        .then(pl.lit("improved"))
        .otherwise(pl.lit("unchanged"))
    )
    both = both.with_columns(derived.alias("change"))
    if transitions is not None and transitions.height:
        labelled = (
            transitions.filter(
                (pl.col("from_period") == previous) & (pl.col("to_period") == period)
            )
            .select("activity_id", pl.col("change").alias("_change_lake"))
            .unique("activity_id", keep="first")
        )
        both = both.join(labelled, on="activity_id", how="left").with_columns(
            pl.coalesce("_change_lake", "change").alias("change")
        )
    return both.with_columns(
        pl.coalesce("goal_area_current", "goal_area_previous").alias("goal_area"),
        pl.coalesce("activity_current", "activity_previous").alias("activity"),
        pl.coalesce("unit_current", "unit_previous").alias("unit"),
        pl.coalesce("source_row_current", "source_row_previous").alias("_order"),
    ).sort(pl.col("source_row_current").is_null(), "_order")


def _matrix(pairs: pl.DataFrame) -> pl.DataFrame:
    """from_status rows (the 4 statuses, then ``new``) × to_status columns (+ ``dropped``)."""
    from_values = [*STATUSES, "new"]
    keyed = pairs.with_columns(
        pl.coalesce("status_previous", pl.lit("new")).alias("_from"),
        pl.coalesce("status_current", pl.lit("dropped")).alias("_to"),
    )
    rows = []
    for f in from_values:
        sub = keyed.filter(pl.col("_from") == f)
        counts = {t: int((sub["_to"] == t).sum()) for t in [*STATUSES, "dropped"]}
        rows.append({"from_status": f, **counts})
    schema = {"from_status": pl.String, **{t: pl.Int64 for t in [*STATUSES, "dropped"]}}
    return pl.DataFrame(rows, schema=schema)


def _off_plan(
    delays: pl.DataFrame | None, cur: pl.DataFrame, org: str, period: str
) -> pl.DataFrame:
    columns = {
        "activity_id": pl.String,
        "goal_area": pl.String,
        "activity": pl.String,
        "unit": pl.String,
        "status": pl.String,
        "status_source": pl.String,
        "periods_off_plan": pl.Int64,
        "off_plan_since": pl.Date,
        "days_off_plan": pl.Int64,
        "comment": pl.String,
    }
    if delays is None or delays.height == 0:
        return pl.DataFrame(schema=columns)
    off = delays.filter(
        (pl.col("org") == org) & (pl.col("period") == period) & pl.col("off_plan").fill_null(False)
    ).select("activity_id", "periods_off_plan", "off_plan_since", "days_off_plan")
    side = _side(cur, "current").rename(
        {
            "goal_area_current": "goal_area",
            "activity_current": "activity",
            "unit_current": "unit",
            "status_current": "status",
            "status_source_current": "status_source",
            "comment_current": "comment",
        }
    )
    return (
        off.join(side, on="activity_id", how="inner")
        .filter(pl.col("status").is_in(["yellow", "red"]))  # off plan now, whatever delays says
        .sort(
            ["periods_off_plan", "days_off_plan", "source_row_current"],
            descending=[True, True, False],
            nulls_last=True,
        )
        .select([pl.col(c).cast(t) for c, t in columns.items()])
    )


def _slipped(
    promises: pl.DataFrame | None,
    cur: pl.DataFrame,
    org: str,
    period: str,
    since: dt.date | None,
    until: dt.date,
) -> pl.DataFrame:
    """Promises found slipped (or moved) at this report: checked in this period, or — when the
    promises table does not say when it checked — due between the two report dates."""
    columns = {
        "activity_id": pl.String,
        "goal_area": pl.String,
        "activity": pl.String,
        "unit": pl.String,
        "promised_in": pl.String,
        "expression": pl.String,
        "promised_by": pl.Date,
        "outcome": pl.String,
        "days_slipped": pl.Int64,
        "later_promised_by": pl.Date,
        "days_past_promise": pl.Int64,
        "comment": pl.String,
    }
    if promises is None or promises.height == 0:
        return pl.DataFrame(schema=columns)
    due = pl.col("promised_by") <= until
    if since is not None:
        due = due & (pl.col("promised_by") > since)
    checked = (
        pl.when(pl.col("checked_in_period").is_not_null())
        .then(pl.col("checked_in_period") == period)
        .otherwise(due)
    )
    found = promises.filter(
        (pl.col("org") == org) & pl.col("outcome").is_in(["slipped", "moved"]) & checked
    )
    side = _side(cur, "current").select(
        "activity_id",
        pl.col("goal_area_current").alias("goal_area"),
        pl.col("activity_current").alias("activity"),
        pl.col("unit_current").alias("unit"),
        pl.col("comment_current").alias("comment"),
        pl.col("source_row_current"),
    )
    # The latest date the same activity was promised for in a later report up to this one.
    later = (
        found.select("activity_id", "report_date", "promised_by")
        .with_row_index("_pid")
        .join(
            promises.filter((pl.col("org") == org) & (pl.col("report_date") <= until)).select(
                "activity_id",
                pl.col("report_date").alias("_r2"),
                pl.col("promised_by").alias("_by2"),
            ),
            on="activity_id",
            how="inner",
        )
        .filter((pl.col("_r2") > pl.col("report_date")) & (pl.col("_by2") > pl.col("promised_by")))
        .sort("_r2")
        .group_by("_pid")
        .agg(pl.col("_by2").last().alias("later_promised_by"))
    )
    found = (
        found.with_row_index("_pid")
        .join(later, on="_pid", how="left")
        .with_columns(
            ((pl.lit(until) - pl.col("promised_by")).dt.total_days().clip(lower_bound=0)).alias(
                "days_past_promise"
            )
        )
    )
    return (
        found.rename({"period": "promised_in"})
        .join(side, on="activity_id", how="left")
        .sort(
            ["days_past_promise", "source_row_current", "promised_by"],
            descending=[True, False, False],
            nulls_last=True,
        )
        .select([pl.col(c).cast(t) for c, t in columns.items()])
    )


def _strip(snap: pl.DataFrame, periods: list[str]) -> tuple[pl.DataFrame, pl.DataFrame]:
    rows = snap.filter(pl.col("period").is_in(periods)).with_columns(
        pl.col("period")
        .replace_strict({p: i for i, p in enumerate(periods)}, return_dtype=pl.Int64)
        .alias("_pi")
    )
    long = (
        rows.sort("_pi", "source_row")
        .unique(["activity_id", "period"], keep="first", maintain_order=True)
        .select("activity_id", "period", "status", "status_source")
    )
    # Latest wording per activity; ordered by the goal area, then by where it last appeared.
    latest = (
        rows.sort("_pi", "source_row", descending=[True, False])
        .unique("activity_id", keep="first", maintain_order=True)
        .select("activity_id", "goal_area", "activity", "unit", "_pi", "source_row")
    )
    area_order = latest.group_by("goal_area").agg(
        pl.col("_pi").max().alias("_area_pi"), pl.col("source_row").min().alias("_area_row")
    )
    activities = (
        latest.join(area_order, on="goal_area", how="left", nulls_equal=True)
        .sort(["_area_pi", "_area_row", "_pi", "source_row"], descending=[True, False, True, False])
        .select("activity_id", "goal_area", "activity", "unit")
    )
    return long, activities


def build_report_data(
    snapshots: Frame,
    transitions: Frame,
    delays: Frame,
    promises: Frame,
    org: str,
    period: str | None = None,
    previous: str | None = None,
    org_name: str | None = None,
) -> ReportData:
    """Gather the report's sections for ``org`` comparing ``previous`` with ``period``."""
    snap_all = _collect(snapshots)
    if snap_all is None:
        raise FollowupError("no snapshots given; build the snapshots table first")
    snap = _with_ids(snap_all.filter(pl.col("org") == org))
    if snap.height == 0:
        orgs = sorted(set(snap_all["org"].to_list())) if "org" in snap_all.columns else []
        hint = f"; organisations in the lake: {', '.join(orgs)}" if orgs else ""
        raise FollowupError(f"no snapshots for organisation {org!r}{hint}")
    period, previous, periods = choose_periods(snap, org, period, previous)
    trans = _collect(transitions)
    if trans is not None and trans.height:
        trans = trans.filter(pl.col("org") == org)

    cur = snap.filter(pl.col("period") == period)
    prev = snap.filter(pl.col("period") == previous) if previous else None

    if prev is not None:
        pairs = _pairs(cur, prev, trans, period, previous)
    else:
        pairs = _pairs(cur, cur.clear(), None, period, period).clear()  # nothing to compare

    def pick(change: str) -> pl.DataFrame:
        return pairs.filter(pl.col("change") == change).select(PAIR_COLUMNS)

    new = pairs.filter(pl.col("status_previous").is_null()).select(
        "activity_id",
        "goal_area",
        "activity",
        "unit",
        pl.col("status_current").alias("status"),
        pl.col("status_source_current").alias("status_source"),
        pl.col("comment_current").alias("comment"),
    )
    dropped = pairs.filter(pl.col("status_current").is_null()).select(
        "activity_id",
        "goal_area",
        "activity",
        "unit",
        pl.col("status_previous").alias("status"),
        pl.col("status_source_previous").alias("status_source"),
        pl.col("comment_previous").alias("comment"),
        pl.col("completed_previous").alias("completed"),
    )
    until = cur["report_date"].max()
    since = prev["report_date"].max() if prev is not None else None
    strip, strip_activities = _strip(snap, periods)
    delays_all, promises_all = _collect(delays), _collect(promises)
    trend = period_stats(
        snap,
        periods,
        delays_all.filter(pl.col("org") == org) if delays_all is not None else None,
        promises_all.filter(pl.col("org") == org) if promises_all is not None else None,
    )
    return ReportData(
        org=org,
        period=period,
        previous=previous,
        header=_header(snap, period, previous),
        summary=_summary(cur, prev),
        matrix=_matrix(pairs),
        worsened=pick("worsened"),
        improved=pick("improved"),
        off_plan=_off_plan(delays_all, cur, org, period),
        slipped=_slipped(promises_all, cur, org, period, since, until),
        new=new,
        dropped=dropped,
        strip=strip,
        strip_activities=strip_activities,
        periods=periods,
        trend=trend,
        areas=area_stats(snap, periods),
        org_name=org_name,
    )

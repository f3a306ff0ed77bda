"""Period-over-period history of each activity: status transitions and off-plan runs.

Input: snapshot rows that already carry ``activity_id`` (from linking) — columns org,
activity_id, period, report_date, status and, when present, completed (missing → False).

Ordering. An org's consecutive periods are the periods it reported, ordered by
:func:`pipelines.core.periods.period_sort_key` (period end date, then label — never string order).
If one activity appears twice in one report, the rows are merged: the most severe known status
wins (red > yellow > green; unknown only when no row is known) and completed if any row says so.

Transitions (:func:`transitions`), one row per activity per event, columns org, activity_id,
from_period, to_period, from_status, to_status, change, days:

- ``new``: first appearance of the activity. from_period is the org's previous period (null in
  the org's first period), from_status is null.
- ``improved`` / ``worsened``: present in two consecutive periods, both colours known, and the
  colour moved down / up the order green < yellow < red.
- ``unchanged``: present in two consecutive periods otherwise — including whenever either side
  is ``unknown``. A missing colour is missing evidence, not a change: a controller's "worsened"
  list must not fill up with activities whose cell the OCR lost. (The cost: yellow → unknown →
  red shows two ``unchanged`` rows; the run of off-plan periods in :func:`delays` still shows it.)
- ``dropped``: present in a period, absent from the org's next period (to_period = that next
  period, to_status null) and not marked completed in the period it was last seen.
- ``completed``: as dropped, but the activity was marked completed in the period it was last
  seen: it left the list because it was finished. ``completed`` and ``dropped`` are the two ways
  of leaving the list; an activity reported finished but still listed gets no event until it
  leaves (its ``completed`` flag is in the snapshot), so each completion is counted once.
- ``reopened``: the activity comes back: (a) it reappears after being absent from one or more of
  the org's periods (whether it had left completed or dropped) — from_period/from_status are
  then the period it was last seen and its status there; or (b) it is present in consecutive
  periods, marked completed in the first and not in the second.

``days`` = report date of to_period − report date of from_period; null when from_period or
to_period is null (only ``new`` in an org's first period). No event is emitted after an org's
last period (nothing is known yet).

Delays (:func:`delays`), one row per org, activity_id, period the activity was reported in:
off_plan = status is yellow or red. A run of off-plan periods is a stretch of the org's
consecutive periods in which the activity is present and not green. Within it, ``unknown``
neither breaks nor extends the run: such a row repeats the run's count and start
(periods_off_plan, off_plan_since, with days_off_plan still growing — the last evidence is off
plan) but has off_plan False, because no colour was reported. A green period ends the run
(periods_off_plan 0, off_plan_since null) and so does a period in which the activity is absent
(a gap): a reappearing activity starts from zero. periods_off_plan counts the off-plan periods of
the current run up to and including this one; off_plan_since is the report date of the run's first
off-plan period; days_off_plan = report_date − off_plan_since.

Both functions are polars expressions over sorted frames (shift + cumulative sums), no row loops.
"""

from __future__ import annotations

import polars as pl

from pipelines.core.errors import FollowupError
from pipelines.core.periods import period_sort_key
from pipelines.core.status import STATUS_RANK, STATUSES

_REQUIRED = ("org", "activity_id", "period", "report_date", "status")
_KEYS = ["org", "activity_id"]

TRANSITION_SCHEMA = {
    "org": pl.String,
    "activity_id": pl.String,
    "from_period": pl.String,
    "to_period": pl.String,
    "from_status": pl.String,
    "to_status": pl.String,
    "change": pl.String,
    "days": pl.Int64,
}
DELAY_SCHEMA = {
    "org": pl.String,
    "activity_id": pl.String,
    "period": pl.String,
    "report_date": pl.Date,
    "status": pl.String,
    "off_plan": pl.Boolean,
    "periods_off_plan": pl.Int64,
    "off_plan_since": pl.Date,
    "days_off_plan": pl.Int64,
}


def _check(snapshots: pl.DataFrame, required: tuple[str, ...] = _REQUIRED) -> None:
    missing = [c for c in required if c not in snapshots.columns]
    if missing:
        raise FollowupError(
            f"snapshot rows lack column(s) {missing}; history needs linked snapshots "
            "(org, activity_id, period, report_date, status)"
        )
    for col in ("org", "activity_id", "period", "report_date"):
        if snapshots[col].null_count():
            raise FollowupError(f"snapshot rows have an empty {col}; link/validate them first")
    bad = set(snapshots["status"].unique().to_list()) - set(STATUSES)
    if bad:
        raise FollowupError(f"unknown status value(s) {sorted(map(str, bad))}; use {STATUSES}")


def order_periods(snapshots: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Return (activity rows, org periods), both with ``_idx`` = the period's position in its org.

    Activity rows: one per org, activity_id, period (duplicates merged, see module docstring),
    with report_date, status, completed, _idx — sorted by org, activity_id, _idx.
    Org periods: org, period, report_date (the latest if a period has several), _idx, _n (the
    number of periods the org reported).
    """
    _check(snapshots)
    labels = snapshots["period"].unique().to_list()
    rank = {label: i for i, label in enumerate(sorted(labels, key=period_sort_key))}
    ranks = pl.DataFrame(
        {"period": list(rank), "_rank": list(rank.values())},
        schema={"period": pl.String, "_rank": pl.Int64},
    )
    periods = (
        snapshots.group_by("org", "period")
        .agg(pl.col("report_date").max())
        .join(ranks, on="period")
        .sort("org", "_rank")
        .with_columns(_idx=pl.int_range(pl.len(), dtype=pl.Int64).over("org"))
        .with_columns(_n=pl.len().over("org").cast(pl.Int64))
        .drop("_rank")
    )
    completed = (
        pl.col("completed").fill_null(False) if "completed" in snapshots.columns else pl.lit(False)
    )
    rank_expr = pl.col("status").replace_strict(STATUS_RANK, default=-1, return_dtype=pl.Int8)
    by_rank = {rank: status for status, rank in STATUS_RANK.items()} | {-1: "unknown"}
    acts = (
        snapshots.select(*_KEYS, "period", _rank=rank_expr, completed=completed)
        .join(
            periods.select("org", "period", "report_date", "_idx"),
            on=["org", "period"],
            how="left",
        )
        .sort(*_KEYS, "_idx")
    )
    duplicate = (
        (pl.col("_idx") == pl.col("_idx").shift(1))
        & (pl.col("activity_id") == pl.col("activity_id").shift(1))
        & (pl.col("org") == pl.col("org").shift(1))
    )
    if acts.select(duplicate.any()).item():
        acts = (
            acts.group_by(*_KEYS, "period", "report_date", "_idx")
            .agg(pl.col("_rank").max(), pl.col("completed").any())
            .sort(*_KEYS, "_idx")
        )
    acts = acts.select(
        *_KEYS,
        "period",
        "report_date",
        status=pl.col("_rank").replace_strict(by_rank, return_dtype=pl.String),
        completed=pl.col("completed"),
        _idx=pl.col("_idx"),
    )
    return acts, periods


def _same_activity(offset: int) -> pl.Expr:
    return (
        (pl.col("org") == pl.col("org").shift(offset))
        & (pl.col("activity_id") == pl.col("activity_id").shift(offset))
    ).fill_null(False)


def _neighbour(periods: pl.DataFrame, prefix: str) -> pl.DataFrame:
    return periods.select(
        "org",
        pl.col("_idx").alias(f"{prefix}_idx"),
        pl.col("period").alias(f"{prefix}_period"),
        pl.col("report_date").alias(f"{prefix}_date"),
    )


def transitions(snapshots: pl.DataFrame) -> pl.DataFrame:
    """Status events between an org's consecutive reports (rules in the module docstring)."""
    if snapshots.height == 0:
        _check(snapshots)
        return pl.DataFrame(schema=TRANSITION_SCHEMA)
    acts, periods = order_periods(snapshots)
    prev_same, next_same = _same_activity(1), _same_activity(-1)
    acts = acts.with_row_index("_row").with_columns(
        _prev_idx=pl.when(prev_same).then(pl.col("_idx").shift(1)),
        _prev_period=pl.when(prev_same).then(pl.col("period").shift(1)),
        _prev_date=pl.when(prev_same).then(pl.col("report_date").shift(1)),
        _prev_status=pl.when(prev_same).then(pl.col("status").shift(1)),
        _prev_completed=pl.when(prev_same).then(pl.col("completed").shift(1)),
        _next_idx=pl.when(next_same).then(pl.col("_idx").shift(-1)),
    )

    # Entry events: how each reported row got here (new, reopened or a status comparison).
    entries = acts.join(
        _neighbour(periods, "_before").with_columns(pl.col("_before_idx") + 1),
        left_on=["org", "_idx"],
        right_on=["org", "_before_idx"],
        how="left",
        maintain_order="left",
    )
    first = pl.col("_prev_idx").is_null()
    gap = pl.col("_prev_idx") < pl.col("_idx") - 1
    from_rank = pl.col("_prev_status").replace_strict(STATUS_RANK, default=None)
    to_rank = pl.col("status").replace_strict(STATUS_RANK, default=None)
    change = (
        pl.when(first)
        .then(pl.lit("new"))
        .when(gap | (pl.col("_prev_completed") & ~pl.col("completed")))
        .then(pl.lit("reopened"))
        .when(from_rank.is_null() | to_rank.is_null())
        .then(pl.lit("unchanged"))
        .when(to_rank < from_rank)
        .then(pl.lit("improved"))
        .when(to_rank > from_rank)
        .then(pl.lit("worsened"))
        .otherwise(pl.lit("unchanged"))
    )
    from_date = pl.when(first).then(pl.col("_before_date")).otherwise(pl.col("_prev_date"))
    entries = entries.select(
        *_KEYS,
        from_period=pl.when(first).then(pl.col("_before_period")).otherwise(pl.col("_prev_period")),
        to_period=pl.col("period"),
        from_status=pl.col("_prev_status"),
        to_status=pl.col("status"),
        change=change,
        days=(pl.col("report_date") - from_date).dt.total_days(),
        _order=pl.col("_row").cast(pl.Int64) * 2,
    )

    # Exit events: the activity is missing from the org's next period.
    leaving = acts.filter(
        pl.col("_next_idx").is_null() | (pl.col("_next_idx") > pl.col("_idx") + 1)
    ).join(
        _neighbour(periods, "_after").with_columns(pl.col("_after_idx") - 1),
        left_on=["org", "_idx"],
        right_on=["org", "_after_idx"],
        how="inner",  # no event after the org's last period
        maintain_order="left",
    )
    exits = leaving.select(
        *_KEYS,
        from_period=pl.col("period"),
        to_period=pl.col("_after_period"),
        from_status=pl.col("status"),
        to_status=pl.lit(None, dtype=pl.String),
        change=pl.when(pl.col("completed")).then(pl.lit("completed")).otherwise(pl.lit("dropped")),
        days=(pl.col("_after_date") - pl.col("report_date")).dt.total_days(),
        _order=pl.col("_row").cast(pl.Int64) * 2 + 1,  # right after the row it leaves
    )
    return pl.concat([entries, exits]).sort("_order").drop("_order").cast(TRANSITION_SCHEMA)


def delays(snapshots: pl.DataFrame) -> pl.DataFrame:
    """Off-plan runs per activity and period (rules in the module docstring)."""
    if snapshots.height == 0:
        _check(snapshots)
        return pl.DataFrame(schema=DELAY_SCHEMA)
    acts, _ = order_periods(snapshots)
    off = pl.col("status").is_in(["yellow", "red"])
    consecutive = _same_activity(1) & (pl.col("_idx") == pl.col("_idx").shift(1) + 1)
    # A run ends at a green period and at a gap (or a new activity); unknown is transparent.
    starts = ~consecutive.fill_null(False) | (pl.col("status") == "green")
    return (
        acts.with_columns(_off=off, _start=starts)
        .with_columns(_cum=pl.col("_off").cast(pl.Int64).cum_sum())
        .with_columns(
            # off-plan count before the current run began, carried down the run
            _base=pl.when(pl.col("_start"))
            .then(pl.col("_cum") - pl.col("_off").cast(pl.Int64))
            .forward_fill()
        )
        .with_columns(periods_off_plan=pl.col("_cum") - pl.col("_base"))
        .with_columns(
            off_plan_since=pl.when(pl.col("periods_off_plan") > 0).then(
                pl.when(pl.col("_off") & (pl.col("periods_off_plan") == 1))
                .then(pl.col("report_date"))
                .forward_fill()
            )
        )
        .select(
            *_KEYS,
            "period",
            "report_date",
            "status",
            off_plan=pl.col("_off"),
            periods_off_plan="periods_off_plan",
            off_plan_since="off_plan_since",
            days_off_plan=(pl.col("report_date") - pl.col("off_plan_since")).dt.total_days(),
        )
        .cast(DELAY_SCHEMA)
    )

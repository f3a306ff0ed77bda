"""The report's data: sections computed from the hand-written sample history.

Expected values are counted by hand from ``pipelines/synthetic/report_sample.py`` (T2 → T3):
A: a1 yellow→red, a2 yellow→yellow, a3 red→green, a4 green→gone (completed);
B: b1 green→yellow (inferred), b2 yellow→yellow, b3 new green;
C: c1 red→yellow, c2 green→unknown, c3 new red (inferred), c4 yellow→gone.
"""

from __future__ import annotations

import polars as pl
import pytest

from pipelines.core.errors import FollowupError
from pipelines.report.model import build_report_data
from pipelines.synthetic.report_sample import ORG, A, B, C


def _row(frame: pl.DataFrame, area: str) -> dict:
    return frame.filter(pl.col("goal_area") == area).row(0, named=True)


def test_defaults_compare_the_latest_period_with_the_one_before(report_data):
    assert (report_data.period, report_data.previous) == ("2022-T3", "2022-T2")
    assert report_data.periods == ["2022-T1", "2022-T2", "2022-T3"]
    header = report_data.header.sort("role")
    assert header["source_file"].to_list() == ["uppfoljning-2022-T3.pdf", "uppfoljning-2022-T2.pdf"]
    assert [d.isoformat() for d in header["report_date"]] == ["2023-01-20", "2022-09-12"]


def test_summary_counts_per_goal_area(report_data):
    s = report_data.summary
    assert s["goal_area"].to_list() == [A, B, C]  # the report's own order
    a, b, c = (_row(s, x) for x in (A, B, C))
    assert (a["green_previous"], a["yellow_previous"], a["red_previous"]) == (1, 2, 1)
    assert (a["green_current"], a["yellow_current"], a["red_current"]) == (1, 1, 1)
    assert a["yellow_change"] == -1 and a["total_change"] == -1
    assert (b["yellow_current"], b["yellow_change"], b["inferred_current"]) == (2, 1, 1)
    assert b["inferred_share"] == pytest.approx(1 / 3)
    assert (c["green_change"], c["unknown_current"], c["unknown_change"]) == (-1, 1, 1)
    assert a["inferred_share"] == 0


def test_matrix_and_its_margins_agree_with_the_summary(report_data):
    m = {r["from_status"]: r for r in report_data.matrix.iter_rows(named=True)}
    assert (m["green"]["yellow"], m["green"]["unknown"], m["green"]["dropped"]) == (1, 1, 1)
    assert (m["yellow"]["yellow"], m["yellow"]["red"], m["yellow"]["dropped"]) == (2, 1, 1)
    assert (m["red"]["green"], m["red"]["yellow"]) == (1, 1)
    assert (m["new"]["green"], m["new"]["red"]) == (1, 1)
    assert sum(m["unknown"][k] for k in ("green", "yellow", "red", "unknown", "dropped")) == 0
    s = report_data.summary
    for status in ("green", "yellow", "red", "unknown"):
        assert report_data.matrix[status].sum() == s[f"{status}_current"].sum()
        row = m[status]
        moved = sum(row[k] for k in ("green", "yellow", "red", "unknown", "dropped"))
        assert moved == s[f"{status}_previous"].sum()


def test_worsened_improved_new_dropped(report_data):
    assert report_data.worsened["activity_id"].to_list() == ["a1", "b1"]
    b1 = report_data.worsened.row(1, named=True)
    assert b1["status_source_current"] == "inferred"
    assert b1["comment_previous"] == "Enligt plan."
    assert b1["comment_current"].startswith("Arbetet har försenats")
    assert report_data.improved["activity_id"].to_list() == ["a3", "c1"]
    assert report_data.new["activity_id"].to_list() == ["b3", "c3"]
    dropped = report_data.dropped
    assert dropped["activity_id"].to_list() == ["a4", "c4"]
    assert dropped["completed"].to_list() == [True, False]
    # green → unknown is not a change of rank: neither worse nor better
    assert "c2" not in report_data.worsened["activity_id"].to_list()
    assert "c2" not in report_data.improved["activity_id"].to_list()


def test_off_plan_is_this_period_only_longest_first(report_data):
    off = report_data.off_plan
    assert off["activity_id"].to_list() == ["a2", "a1", "b2", "c1", "b1", "c3"]
    assert off["periods_off_plan"].to_list() == [3, 2, 2, 2, 1, 1]
    assert off.row(0, named=True)["days_off_plan"] == 255
    assert "a3" not in off["activity_id"].to_list()  # back on plan


def test_only_promises_found_slipped_at_this_report(report_data):
    slipped = report_data.slipped
    assert slipped["activity_id"].to_list() == ["b2"]
    row = slipped.row(0, named=True)
    assert (row["expression"], row["days_slipped"], row["promised_in"]) == (
        "till hösten 2022",
        51,
        "2022-T2",
    )


def test_strip_has_one_cell_per_activity_and_period(report_data):
    strip = report_data.strip
    assert report_data.strip_activities.height == 11
    # appearances: a1-a3, b1, b2, c1, c2 in all three periods; a4, c4 in two; b3, c3 in one
    assert strip.height == 7 * 3 + 2 * 2 + 2 * 1
    a1 = strip.filter(pl.col("activity_id") == "a1").sort("period")["status"].to_list()
    assert a1 == ["green", "yellow", "red"]


def test_any_earlier_period_can_be_the_previous_one(tables):
    data = build_report_data(**tables, org=ORG, period="2022-T3", previous="2022-T1")
    # T1 → T3, counted by hand: a1 green→red, b2 unknown→yellow, c1 green→yellow, c2 yellow→unknown
    assert sorted(data.worsened["activity_id"].to_list()) == ["a1", "b1", "c1"]
    assert sorted(data.improved["activity_id"].to_list()) == ["a3"]
    assert data.matrix.filter(pl.col("from_status") == "unknown")["yellow"].item() == 1
    assert data.header.filter(pl.col("role") == "previous")["period"].item() == "2022-T1"


def test_an_older_period_and_lazy_frames(tables):
    lazy = {k: v.lazy() for k, v in tables.items()}
    data = build_report_data(**lazy, org=ORG, period="2022-T2")
    assert (data.period, data.previous) == ("2022-T2", "2022-T1")
    assert data.periods == ["2022-T1", "2022-T2"]
    # T1 → T2: a1 green→yellow, c1 green→red; c2 yellow→green; b2 unknown→yellow is no change
    assert data.worsened["activity_id"].to_list() == ["a1", "c1"]
    assert data.improved["activity_id"].to_list() == ["c2"]
    assert data.new.height == 0 and data.dropped.height == 0
    assert data.slipped["activity_id"].to_list() == ["a2"]  # the promise checked in T2


def test_single_period_has_no_comparison(tables):
    snaps = tables["snapshots"].filter(pl.col("period") == "2022-T1")
    data = build_report_data(snaps, None, None, None, org=ORG)
    assert data.previous is None
    assert data.summary["green_previous"].null_count() == data.summary.height
    assert data.worsened.height == 0 and data.new.height == 0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"org": "region-okand"}, "no snapshots for organisation 'region-okand'"),
        ({"org": ORG, "period": "2021-T3"}, "periods available: 2022-T1, 2022-T2, 2022-T3"),
        ({"org": ORG, "period": "2022-T2", "previous": "2022-T3"}, "must come before"),
        ({"org": ORG, "previous": "2020-Q1"}, "no report for"),
    ],
)
def test_user_mistakes_are_one_line_followup_errors(tables, kwargs, message):
    with pytest.raises(FollowupError, match=message):
        build_report_data(**tables, **kwargs)


def test_the_lakes_change_label_wins_for_the_same_pair(tables):
    transitions = tables["transitions"].with_columns(
        pl.when(pl.col("activity_id") == "c2")
        .then(pl.lit("worsened"))
        .otherwise(pl.col("change"))
        .alias("change")
    )
    data = build_report_data(
        tables["snapshots"], transitions, tables["delays"], tables["promises"], org=ORG
    )
    assert data.worsened["activity_id"].to_list() == ["a1", "b1", "c2"]


def test_rows_without_goal_area_or_link(tables):
    snaps = tables["snapshots"].with_columns(
        pl.when(pl.col("activity_id") == "c3")
        .then(None)
        .otherwise(pl.col("goal_area"))
        .alias("goal_area"),
        pl.when(pl.col("activity_id") == "b3")
        .then(None)
        .otherwise(pl.col("activity_id"))
        .alias("activity_id"),
    )
    data = build_report_data(snaps, None, None, None, org=ORG)
    assert data.summary["goal_area"].to_list() == [A, B, C, None]
    assert data.summary.filter(pl.col("goal_area").is_null())["red_current"].item() == 1
    assert data.new.height == 2  # an unlinked row is new, never merged with another
    assert data.strip_activities.height == 11


def test_key_figure_trend_per_period(report_data):
    trend = {r["period"]: r for r in report_data.trend.iter_rows(named=True)}
    assert list(trend) == ["2022-T1", "2022-T2", "2022-T3"]
    # share on plan: green among green/yellow/red (unknown left out)
    assert trend["2022-T1"]["on_plan_share"] == pytest.approx(4 / 8)
    assert trend["2022-T2"]["on_plan_share"] == pytest.approx(3 / 9)
    assert trend["2022-T3"]["on_plan_share"] == pytest.approx(2 / 8)
    assert trend["2022-T1"]["worsened"] is None  # nothing before the first report
    t3 = trend["2022-T3"]
    assert (t3["worsened"], t3["improved"]) == (
        report_data.worsened.height,
        report_data.improved.height,
    )
    assert (t3["new"], t3["dropped"]) == (report_data.new.height, report_data.dropped.height)
    assert t3["slipped"] == 1
    areas = report_data.areas.filter(pl.col("period") == "2022-T3")
    assert areas["total"].sum() == 9


def test_off_plan_lists_only_yellow_and_red_now(tables):
    from pipelines.report.model import build_report_data
    from pipelines.synthetic.report_sample import ORG

    delays = tables["delays"]
    # a stale delays row says b3 (green in T3) is off plan: the report must not list it
    stale = (
        delays.filter(pl.col("period") == "2022-T3")
        .head(1)
        .with_columns(pl.lit("b3").alias("activity_id"), pl.lit(True).alias("off_plan"))
    )
    data = build_report_data(
        tables["snapshots"],
        tables["transitions"],
        pl.concat([delays, stale]),
        tables["promises"],
        org=ORG,
    )
    assert "b3" not in data.off_plan["activity_id"].to_list()
    assert set(data.off_plan["status"].to_list()) <= {"yellow", "red"}


def test_slipped_promise_shows_later_date_and_days_past_the_first(tables):
    import datetime as dt

    from pipelines.report.model import build_report_data
    from pipelines.synthetic.report_sample import ORG

    promises = tables["promises"]
    later = promises.filter(pl.col("activity_id") == "b2").with_columns(
        pl.lit("2022-T3").alias("period"),
        pl.lit(dt.date(2023, 1, 20)).alias("report_date"),
        pl.lit(dt.date(2023, 6, 30)).alias("promised_by"),
        pl.lit("open").alias("outcome"),
        pl.lit(None, pl.String).alias("checked_in_period"),
        pl.lit(None, pl.Int64).alias("days_slipped"),
    )
    data = build_report_data(
        tables["snapshots"],
        tables["transitions"],
        tables["delays"],
        pl.concat([promises, later]),
        org=ORG,
    )
    row = data.slipped.row(0, named=True)
    assert row["activity_id"] == "b2"
    assert row["promised_by"] == dt.date(2022, 11, 30)
    assert row["later_promised_by"] == dt.date(2023, 6, 30)
    # counted from the first promised date to this report's date (2023-01-20)
    assert row["days_past_promise"] == (dt.date(2023, 1, 20) - dt.date(2022, 11, 30)).days

"""The national-scale benchmark's code paths on a tiny lake, so its SQL and steps cannot rot.

DuckDB's transitions and delays are an independent implementation of pipelines.derive.history's rules:
both must give the same rows, in the same order, on the simulated lake and on hand-made edge
cases. The incremental path (a new quarter onto a linked history) must give the same tables as
deriving everything again.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from benchmarks import national_scale as ns
from pipelines.derive.history import delays, transitions
from pipelines.derive.tables import history_tables, link_snapshots
from pipelines.lake.store import Lake


@pytest.fixture(scope="module")
def lake_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("national")
    info = ns.generate(out, orgs=3, quarters=3, activities=10, regenerate=False, derive=False)
    assert not info["cached"]
    return out


def test_generated_lake_has_one_file_per_org_period_and_is_reused(lake_dir):
    periods = Lake(lake_dir / "lake").periods("snapshots")
    assert len(periods) == 3 * 3
    assert {org for org, _ in periods} == {ns.org_name(k) for k in range(3)}
    incoming = Lake(lake_dir / "incoming").periods("snapshots")
    assert len(incoming) == 3 and {p for _, p in incoming} == {"2022-Q4"}
    again = ns.generate(lake_dir, orgs=3, quarters=3, activities=10, regenerate=False, derive=False)
    assert again["cached"]


def test_duckdb_agrees_with_the_project_on_the_simulated_lake(lake_dir):
    link = ns.step_link(lake_dir)
    assert link["rows"] > 0
    ns.step_transitions_delays(lake_dir)
    result = ns.step_duckdb(lake_dir)
    assert result["checks"] == {"transitions": "identical", "delays": "identical"}
    linked = pl.read_parquet(ns._paths(lake_dir)["history"])
    sql = ns.duckdb_history(ns._paths(lake_dir)["history"])
    assert ns.differences(transitions(linked), sql["transitions"]) is None
    assert ns.differences(delays(linked), sql["delays"]) is None


def _row(org, aid, period, day, status, completed=False):
    return {
        "org": org,
        "activity_id": aid,
        "period": period,
        "report_date": day,
        "status": status,
        "completed": completed,
    }


def test_duckdb_agrees_on_edge_cases(tmp_path):
    d = dt.date
    rows = [
        # unknown inside an off-plan run, then green, then a gap and back
        _row("a", "x", "2022-Q1", d(2022, 4, 10), "yellow"),
        _row("a", "x", "2022-Q2", d(2022, 7, 10), "unknown"),
        _row("a", "x", "2022-Q3", d(2022, 10, 10), "red"),
        _row("a", "x", "2022-Q4", d(2023, 1, 10), "green"),
        _row("a", "x", "2023-Q2", d(2023, 7, 10), "red"),
        # twice in one report: the most severe known status, completed if any says so
        _row("a", "y", "2022-Q1", d(2022, 4, 10), "green"),
        _row("a", "y", "2022-Q1", d(2022, 4, 10), "red", True),
        _row("a", "y", "2022-Q2", d(2022, 7, 10), "unknown"),
        # leaves completed, comes back: completed then reopened
        _row("a", "z", "2022-Q2", d(2022, 7, 10), "green", True),
        _row("a", "z", "2022-Q4", d(2023, 1, 10), "yellow"),
        _row("a", "w", "2022-Q3", d(2022, 10, 10), "yellow"),
        _row("a", "w", "2023-Q1", d(2023, 4, 10), "yellow"),
        _row("a", "w", "2023-Q2", d(2023, 7, 10), "yellow"),
        # another org with tertials and a half year: ordered by end date, never by label
        _row("b", "x", "2022-T1", d(2022, 5, 5), "red"),
        _row("b", "x", "2022-H1", d(2022, 7, 5), "red"),
        _row("b", "x", "2022-T2", d(2022, 9, 5), "green", True),
        _row("b", "v", "2022-T2", d(2022, 9, 5), "unknown"),
        _row("b", "v", "2022-FY", d(2023, 1, 20), "yellow"),
        _row("b", "v", "2022-T3", d(2023, 1, 20), "red"),
    ]
    frame = pl.DataFrame(rows)
    path = tmp_path / "history.parquet"
    frame.write_parquet(path)
    sql = ns.duckdb_history(path)
    project = transitions(frame)
    assert set(project["change"]) >= {"new", "worsened", "improved", "unchanged", "reopened"}
    assert set(project["change"]) >= {"dropped", "completed"}
    assert ns.differences(project, sql["transitions"]) is None
    assert ns.differences(delays(frame), sql["delays"]) is None


def test_differences_reports_the_first_differing_cell():
    a = pl.DataFrame({"x": [1, 2, 3], "y": ["a", None, "c"]})
    assert ns.differences(a, a.clone()) is None
    assert "column y" in ns.differences(a, a.with_columns(y=pl.lit("a")))
    assert "rows" in ns.differences(a, a.head(2))


@pytest.mark.parametrize("history_quarters", [1, 2])
def test_adding_a_quarter_gives_the_tables_of_a_full_rebuild(lake_dir, history_quarters):
    history, tables, new_rows = ns._prepare_short_history(lake_dir, history_quarters)
    added, _ = ns.add_quarter(history, tables, new_rows)
    everything = pl.concat(
        [history.snapshots_with_ids.select(new_rows.columns), new_rows], how="diagonal_relaxed"
    )
    full = link_snapshots(everything)
    assert added["_snapshots"]["activity_id"].equals(full.snapshots["activity_id"])
    expected = history_tables(full.snapshots)
    for name in ("transitions", "delays"):
        assert ns.differences(expected[name], added[name]) is None, name
    keys = ["org", "activity_id", "period", "promised_by", "expression"]
    assert ns.differences(expected["promises"].sort(keys), added["promises"].sort(keys)) is None
    assert added["transitions"].filter(pl.col("to_period") == new_rows["period"][0]).height


def test_add_quarter_step_writes_every_org_table(lake_dir):
    ns.step_link(lake_dir)
    ns.step_transitions_delays(lake_dir)
    ns.step_promises(lake_dir)
    result = ns.step_add_quarter(lake_dir, 3, 3)
    assert result["files"] == 3 * len(ns.TABLES)
    assert result["rows_after"] == result["history_rows"] + result["new_rows"]
    written = Lake(ns._paths(lake_dir)["work"] / "added_to_3q")
    assert pl.read_parquet(written.table_path("delays", ns.org_name(0))).height

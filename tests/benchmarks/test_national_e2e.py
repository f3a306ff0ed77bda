"""The end-to-end half of the national-scale benchmark on a tiny lake: the generated lake is one
the CLI accepts (registered, committed, derived), the benchmark prints every figure of issue #15
as numbers, and its lake copies never write through to the original."""

from __future__ import annotations

import datetime as dt
import json
import numbers
import os
import subprocess

import polars as pl
import pytest

from benchmarks import national_e2e as e2e
from benchmarks import national_scale as ns
from pipelines.core.periods import parse_period
from pipelines.lake.store import Lake

ORGS, QUARTERS = 2, 2
ISSUE_KEYS = (
    "one_file_empty_s",
    "one_file_full_s",
    "one_file_full_peak_mb",
    "one_file_empty_peak_mb",
    "sql_select1_s",
    "rebuild_s",
    "transitions_delays_vs_duckdb",
    "orgs",
    "quarters",
)


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    out = tmp_path_factory.mktemp("national-e2e")
    info = ns.generate(out, ORGS, QUARTERS, activities=6, regenerate=False, file_rows=5)
    assert not info["cached"] and info["derive_seconds"] > 0
    return out


def test_generated_periods_are_registered_committed_and_derived(out):
    lake = Lake(out / "lake")
    status = subprocess.run(
        [str(e2e.followup_exe()), "status", "--lake", str(lake.root)],
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "FOLLOWUP_LAKE"},
    )
    assert status.returncode == 0, status.stderr
    lines = status.stdout.strip().splitlines()
    assert len(lines) == ORGS * QUARTERS
    assert all("  ok  " in line and ".csv" in line for line in lines)
    for org, period in lake.periods("raw"):  # the raw file is kept, the version committed
        registration = lake.current_registration(org, period)
        assert (lake.root / registration.stored_as).is_file()
        assert lake.snapshot_version(org, period)["rows"] > 0
    derived = {rel.split("/")[0] for rel in e2e.derived_files(lake.root)}
    assert derived - {"snapshots", "quarantine"}, "followup rebuild derived no table"
    file, period, day = ns.incoming_file(out, ns.org_name(1))  # the quarter after the lake's
    assert file.suffix == ".xlsx" and period == "2022-Q3"
    assert dt.date.fromisoformat(day) > parse_period(period).end
    assert not lake.current_registration(ns.org_name(1), period)


def test_the_benchmark_prints_every_issue_figure_as_a_number(out, capsys):
    ns.main(
        [
            *("--orgs", str(ORGS), "--quarters", str(QUARTERS), "--activities", "6"),
            *("--file-rows", "5", "--out", str(out), "--repeat", "1", "--sql-repeat", "1"),
            *("--short-history", "1", "--issue-steps-only"),
        ]
    )
    printed = capsys.readouterr().out.strip().splitlines()
    figures = json.loads(printed[-1])
    for key in ISSUE_KEYS:
        value = figures[key]
        assert isinstance(value, numbers.Real) and not isinstance(value, bool), key
        assert value > 0, key
    assert (figures["orgs"], figures["quarters"]) == (ORGS, QUARTERS)
    assert figures["rebuild_tables_equal"] is True
    assert figures["file_rows"] == 5
    assert any(line.startswith("issue #15 target") for line in printed)
    assert "original lake untouched by the runs on its copies: yes" in printed


def _lake_with_dagster(root):
    (root / "snapshots" / "org=a").mkdir(parents=True)
    pl.DataFrame({"x": [1, 2]}).write_parquet(root / "snapshots" / "org=a" / "data.parquet")
    (root / ".dagster").mkdir()
    (root / ".dagster" / "runs.db").write_bytes(b"sqlite")
    (root / ".lock").write_bytes(b"")
    return root


def test_a_lake_copy_shares_data_files_but_not_files_written_in_place(tmp_path):
    source = _lake_with_dagster(tmp_path / "source")
    before = e2e.fingerprint(source)
    copy = tmp_path / "copy"
    e2e.copy_lake(source, copy)
    data = "snapshots/org=a/data.parquet"
    assert os.path.samefile(source / data, copy / data)
    for name in (".dagster/runs.db", ".lock"):
        assert not os.path.samefile(source / name, copy / name), name
    with (copy / ".dagster" / "runs.db").open("r+b") as handle:  # as SQLite writes: in place
        handle.write(b"SQLITE")
    assert (source / ".dagster" / "runs.db").read_bytes() == b"sqlite"
    assert e2e.changed_files(before, e2e.fingerprint(source)) == []
    with (source / data).open("ab") as handle:  # a write in place to a shared file is caught
        handle.write(b"x")
    assert e2e.changed_files(before, e2e.fingerprint(source)) == [data]


def test_table_comparison_finds_a_rewritten_file_that_differs(tmp_path):
    source = _lake_with_dagster(tmp_path / "source")
    copy = tmp_path / "copy"
    e2e.copy_lake(source, copy)
    data = copy / "snapshots" / "org=a" / "data.parquet"
    same = e2e.compare_tables(e2e.derived_files(source), e2e.derived_files(copy))
    assert same["equal"] and same["files"] == 1 and same["rewritten"] == 0
    data.unlink()  # rewritten with the same rows (a new file): still equal
    pl.DataFrame({"x": [1, 2]}).write_parquet(data)
    same = e2e.compare_tables(e2e.derived_files(source), e2e.derived_files(copy))
    assert same["equal"] and same["rewritten"] == 1
    data.unlink()
    pl.DataFrame({"x": [1, 3]}).write_parquet(data)
    differs = e2e.compare_tables(e2e.derived_files(source), e2e.derived_files(copy))
    assert not differs["equal"] and differs["different"] == ["snapshots/org=a/data.parquet"]
    data.unlink()
    assert e2e.compare_tables(e2e.derived_files(source), e2e.derived_files(copy))["missing"]


def test_run_cli_reports_a_failure_and_the_childs_own_peak(tmp_path):
    run = e2e.run_cli(["sql", "SELEC 1", "--lake", str(tmp_path)], tmp_path / "log")
    assert run.returncode != 0 and "SELEC" in run.stderr
    assert run.seconds > 0 and 20 < run.peak_mb < 2000
    with pytest.raises(SystemExit, match="SELEC"):
        run.check("followup sql")

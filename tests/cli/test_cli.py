"""The installed `followup` command, run as a user would (a real subprocess)."""

import os
import subprocess
import sys
from pathlib import Path

import polars as pl

from checks.schemas import CANONICAL_COLUMNS
from pipelines.derive.refresh import read_history
from pipelines.lake.store import Lake

FOLLOWUP = str(Path(sys.executable).with_name("followup"))


def run(*args, cwd=None):
    env = {**os.environ, "DAGSTER_DISABLE_TELEMETRY": "1"}
    env.pop("DAGSTER_HOME", None)
    return subprocess.run(
        [FOLLOWUP, *map(str, args)], capture_output=True, text=True, env=env, cwd=cwd, timeout=300
    )


def test_parse_writes_canonical_columns(swedish_csv, tmp_path):
    out = tmp_path / "rows.csv"
    done = run("parse", swedish_csv, "--out", out)
    assert done.returncode == 0, done.stderr
    rows = pl.read_csv(out)
    assert rows.columns[: len(CANONICAL_COLUMNS)] == CANONICAL_COLUMNS
    assert rows["activity"][0] == "Genomföra projektet omställning Västmanland"
    assert rows["status"].to_list() == ["green", "yellow", "red", "unknown"]


def test_parse_to_parquet_and_formula_safe_csv(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text('Aktivitet;Kommentar\n=HYPERLINK("http://x");+1\n', encoding="utf-8")
    done = run("parse", path, "--out", tmp_path / "rows.csv", "--period", "2022-Q2")
    assert done.returncode == 0, done.stderr
    text = (tmp_path / "rows.csv").read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in text and ",'+1," in text
    assert run("parse", path, "--out", tmp_path / "rows.parquet").returncode == 0
    assert pl.read_parquet(tmp_path / "rows.parquet")["activity"][0].startswith("=HYPERLINK")


def test_user_errors_are_one_line_with_exit_code_2(tmp_path):
    missing = run("parse", tmp_path / "nope.csv")
    assert missing.returncode == 2 and "no such file" in missing.stderr
    assert "Traceback" not in missing.stderr
    bad = tmp_path / "r.csv"
    bad.write_text("a;b\n1;2\n", encoding="utf-8")
    done = run("ingest", bad, "--org", "x", "--period", "2022-Q9", "--lake", tmp_path / "lake")
    assert done.returncode == 2 and "2022-Q9" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "lake" / "snapshots").exists()


def test_ingest_through_dagster_then_again_is_a_no_op(swedish_csv, tmp_path):
    lake = tmp_path / "lake"
    first = run("ingest", swedish_csv, "--org", "region-test", "--lake", lake)
    assert first.returncode == 0, first.stderr
    assert "2022-Q2 new" in first.stdout
    assert (lake / ".dagster").is_dir()  # Dagster's own storage lives in the lake
    snapshot = lake / "snapshots/org=region-test/period=2022-Q2/data.parquet"
    assert pl.read_parquet(snapshot).height == 4
    second = run("ingest", swedish_csv, "--org", "region-test", "--lake", lake)
    assert second.returncode == 0 and "unchanged" in second.stdout


def test_demo_populates_the_lake(tmp_path):
    lake = tmp_path / "lake"
    done = run("demo", "--lake", lake)
    assert done.returncode == 0, done.stderr
    history = read_history(Lake(lake))
    assert history["period"].n_unique() >= 2
    assert history["org"].unique().to_list() == ["region-vastmanland"]

"""`followup review` on the terminal: whole ids at any width, and the same rows as CSV."""

import io

import polars as pl
import pytest

from pipelines.cli import main
from pipelines.query import History


@pytest.mark.parametrize("columns", ["40", "200"])
def test_review_prints_whole_ids_at_any_width(demo_lake, capsys, monkeypatch, columns):
    monkeypatch.setenv("COLUMNS", columns)
    assert main(["review", "--lake", str(demo_lake)]) == 0
    output = capsys.readouterr().out
    flagged = History(demo_lake).links().filter(pl.col("needs_review")).collect()
    assert flagged.height > 0
    lines = output.splitlines()
    for activity_id in flagged["activity_id"]:
        assert any(f"linked to {activity_id}" in line for line in lines), activity_id


def test_review_out_csv_writes_the_candidates(demo_lake, capsys, tmp_path):
    assert main(["review", "--lake", str(demo_lake), "--out", "csv"]) == 0
    rows = pl.read_csv(io.StringIO(capsys.readouterr().out))
    flagged = History(demo_lake).links().filter(pl.col("needs_review")).collect()
    assert rows.select("org", "period", "source_row").unique().height == flagged.height
    assert set(rows["linked_activity_id"]) == set(flagged["activity_id"])
    assert rows.filter(pl.col("is_current")).height == flagged.height
    path = tmp_path / "review.parquet"
    assert main(["review", "--lake", str(demo_lake), "--out", str(path)]) == 0
    written = pl.read_parquet(path)
    assert written["candidate_activity_id"].to_list() == rows["candidate_activity_id"].to_list()

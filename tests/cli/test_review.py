"""`followup review` on the terminal: whole ids at any width, the candidates' probability and
evidence, and the same rows as CSV (real ingests into real lakes)."""

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
    # a flagged link has its current candidate among the rows; a flagged new row has none
    linked = flagged.filter(pl.col("method") != "new")
    assert rows.filter(pl.col("is_current")).height == linked.height
    path = tmp_path / "review.parquet"
    assert main(["review", "--lake", str(demo_lake), "--out", str(path)]) == 0
    written = pl.read_parquet(path)
    assert written["candidate_activity_id"].to_list() == rows["candidate_activity_id"].to_list()


PERIODS = {
    "2024-Q1": (
        "2024-04-10",
        [
            ("Genomföra en medarbetarenkät", "Grönt", "Frågorna tas fram."),
            ("Minska sjukfrånvaron bland medarbetarna", "Gult", "8,4 procent i mars."),
            ("Erbjuda friskvårdsbidrag till alla anställda", "Grönt", "Pågår."),
        ],
    ),
    "2024-Q2": (
        "2024-07-10",
        [
            ("Arbetsmiljöenkät", "Grönt", "Svaren analyseras."),
            ("Sänka sjukfrånvaron", "Gult", "7,9 procent i juni."),
            ("Erbjuda friskvårdsbidrag till alla anställda", "Grönt", "Pågår."),
        ],
    ),
}


def write_reports(folder):
    paths = []
    for period, (date, rows) in PERIODS.items():
        path = folder / f"kommun-r_{period}_{date}.csv"
        lines = ["Målområde;Aktivitet;Verksamhet;Status;Kommentar"]
        lines += [f"Attraktiv arbetsgivare;{a};HR-enheten;{s};{c}" for a, s, c in rows]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def test_review_shows_probability_evidence_and_whole_ids(tmp_path, capsys, monkeypatch):
    lake = tmp_path / "lake"
    for path in write_reports(tmp_path):
        assert main(["ingest", str(path), "--org", "kommun-r", "--lake", str(lake)]) == 0
    out_csv = tmp_path / "review.csv"
    assert main(["review", "--lake", str(lake), "--out", str(out_csv)]) == 0
    rows = pl.read_csv(out_csv)
    assert {"candidate_probability", "evidence", "candidate_activity_id"} <= set(rows.columns)
    assert rows.height >= 1
    top = rows.filter(pl.col("rank") == 1).row(0, named=True)
    assert top["candidate_activity_id"] == "kommun-r:2024-Q1:001"  # the survey, reworded
    assert 0 < top["candidate_probability"] < 1 and "words" in top["evidence"]
    capsys.readouterr()
    monkeypatch.setenv("COLUMNS", "60")
    assert main(["review", "--lake", str(lake)]) == 0
    shown = capsys.readouterr().out
    assert "kommun-r:2024-Q1:001" in shown  # whole, even at 60 columns

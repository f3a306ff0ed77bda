"""The notebook users' query layer and `followup sql/report/review`, on the demo's real lake."""

import re

import polars as pl
import pytest

from pipelines.cli import main
from pipelines.core.errors import FollowupError
from pipelines.query import History, duckdb_connection

ORG = "region-vastmanland"


@pytest.fixture(scope="module")
def history(demo_lake):
    return History(demo_lake)


def test_tables_and_lazy_scans(history):
    assert set(history.tables()) == {
        "snapshots",
        "quarantine",
        "history",  # the linked rows, a file per org and period
        "links",
        "activities",
        "transitions",
        "delays",
        "promises",
    }
    linked = history.scan("history").collect()  # every org's files read as one table
    assert linked.height == history.snapshots().collect().height
    assert linked["activity_id"].null_count() == 0
    frame = history.snapshots(ORG)
    assert isinstance(frame, pl.LazyFrame)
    periods = frame.select("period").unique().collect()["period"].sort().to_list()
    assert periods == ["2022-Q2", "2022-Q3", "2022-Q4", "2023-Q1"]
    assert history.snapshots(ORG, "2022-Q2").collect().height == 80


def test_one_org_reads_only_its_own_folder(history, demo_lake, tmp_path):
    plan = history.transitions(ORG).explain()
    assert f"org={ORG}" in plan
    with pytest.raises(FollowupError, match="no transitions data"):
        history.transitions("another-org")


def test_timeline_of_a_linked_activity(history):
    links = history.links(ORG).collect()
    kept = links.group_by("activity_id").len().filter(pl.col("len") == 4)["activity_id"].sort()[0]
    timeline = history.timeline(kept).collect()
    assert timeline["period"].to_list() == ["2022-Q2", "2022-Q3", "2022-Q4", "2023-Q1"]
    assert timeline["report_date"].is_sorted()
    assert timeline["change"][0] == "new"
    assert set(timeline["change"][1:]) <= {"improved", "worsened", "unchanged", "reopened"}
    assert timeline["periods_off_plan"].null_count() == 0


def test_search_ignores_case_diacritics_and_ocr_lookalikes(history):
    found = history.search("psykisk OHALSA handlingsplan", ORG).collect()
    assert found.height >= 1
    assert all("handlingsplan" in t.lower() for t in found["canonical_text"])
    with pytest.raises(FollowupError):
        history.search("  ")


def test_duckdb_views_agree_with_polars(history, demo_lake):
    connection = duckdb_connection(demo_lake)
    counts = dict(
        connection.execute("SELECT change, count(*) FROM transitions GROUP BY change").fetchall()
    )
    polars_counts = dict(history.transitions().group_by("change").len().collect().iter_rows())
    assert counts == polars_counts


def test_sql_command_prints_and_writes(demo_lake, tmp_path, capsys):
    query = "SELECT period, count(*) AS n FROM snapshots GROUP BY period ORDER BY period"
    assert main(["sql", query, "--lake", str(demo_lake)]) == 0
    assert "2022-Q2" in capsys.readouterr().out
    out = tmp_path / "n.csv"
    assert main(["sql", query, "--lake", str(demo_lake), "--out", str(out)]) == 0
    assert pl.read_csv(out)["n"].to_list()[0] == 80
    assert main(["sql", "SELEC nonsense", "--lake", str(demo_lake)]) == 2
    assert "SQL: Parser Error" in capsys.readouterr().err


def test_sql_shell_reads_statements_from_stdin(demo_lake, monkeypatch, capsys):
    lines = iter(["SELECT count(*) AS n", "FROM activities;", ".quit"])
    monkeypatch.setattr("builtins.input", lambda prompt="": next(lines))
    assert main(["sql", "--lake", str(demo_lake)]) == 0
    output = capsys.readouterr().out
    assert "views: activities" in output and re.search(r"│\s*n\s*│", output)


def test_report_command_in_both_languages(demo_lake, tmp_path, capsys):
    sv = tmp_path / "r.html"
    assert main(["report", "--lake", str(demo_lake), "--org", ORG, "--out", str(sv)]) == 0
    assert "2022-Q4 → 2023-Q1" in capsys.readouterr().out
    assert "Sammanfattning" in sv.read_text(encoding="utf-8")
    en = tmp_path / "r.xlsx"
    assert (
        main(
            [
                "report",
                "--lake",
                str(demo_lake),
                "--org",
                ORG,
                "--period",
                "2022-Q3",
                "--previous",
                "2022-Q2",
                "--lang",
                "en",
                "--out",
                str(en),
            ]
        )
        == 0
    )
    assert en.stat().st_size > 5000
    assert main(["report", "--lake", str(demo_lake), "--org", "nobody", "--out", str(sv)]) == 2
    assert "no snapshots for organisation 'nobody'" in capsys.readouterr().err


def test_review_lists_links_with_candidates(demo_lake, capsys):
    assert main(["review", "--lake", str(demo_lake)]) == 0
    output = capsys.readouterr().out
    flagged = History(demo_lake).links().filter(pl.col("needs_review")).collect()
    assert f"{flagged.height} links need review" in output
    assert "← linked" in output

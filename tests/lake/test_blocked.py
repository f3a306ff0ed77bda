"""Blocked means blocked: a period whose blocking check failed is in no derived table and no
report at any later run, until a valid file replaces it (through the CLI and through Dagster)."""

import dagster as dg
import polars as pl
import pytest

from pipelines.cli import main
from pipelines.derive.refresh import read_history
from pipelines.ingest.period import register_report
from pipelines.lake.store import Lake
from tests.orchestration.runs import materialise as materialise_period

ORG = "region-blocked"
DERIVED = ("links", "transitions", "delays", "promises")


def report(path, statuses: list[str]):
    lines = ["Målområde;Aktivitet;Verksamhet;Status;Kommentar"]
    lines += [
        f"Trygghet;Aktivitet {i} om trafiksäkerhet;Samhällsbyggnad;{s};Läget vid rapporten {i}"
        for i, s in enumerate(statuses, start=1)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def no_pdf(monkeypatch):
    """The PDF (Chromium, seconds per report) is not what these tests are about."""
    monkeypatch.setattr("pipelines.report.render.find_chromium", lambda: None)


@pytest.fixture
def files(tmp_path):
    return {
        "good": report(tmp_path / "good.csv", ["Grönt", "Gult", "Rött", "Grönt"]),
        # 3 of 4 rows rejected: the one valid row would be "worsened" if it leaked
        "bad": report(tmp_path / "bad.csv", ["Rött", "blå", "lila", "brun"]),
        "fixed": report(tmp_path / "fixed.csv", ["Gult", "Gult", "Rött", "Grönt"]),
        "later": report(tmp_path / "later.csv", ["Grönt", "Grönt", "Grönt", "Grönt"]),
    }


def periods_in(lake, table: str) -> set[str]:
    frame = pl.read_parquet(lake / table / f"org={ORG}" / "data.parquet")
    column = "to_period" if table == "transitions" else "period"
    return set(frame[column].drop_nulls().to_list())


def history_periods(lake) -> set[str]:
    return set(read_history(Lake(lake))["period"].to_list())


def ingest(lake, path, period) -> int:
    return main(["ingest", str(path), "--org", ORG, "--period", period, "--lake", str(lake)])


def test_blocked_period_stays_out_through_the_cli(tmp_path, files, capsys):
    lake = tmp_path / "lake"
    assert ingest(lake, files["good"], "2022-Q1") == 0
    assert ingest(lake, files["bad"], "2022-Q2") == 1
    assert "75% of rows quarantined" in capsys.readouterr().err
    assert ingest(lake, files["bad"], "2022-Q2") == 1  # the same file again: still blocked
    assert "is blocked" in capsys.readouterr().err
    assert ingest(lake, files["later"], "2022-Q3") == 0  # a later run derives everything again

    assert history_periods(lake) == {"2022-Q1", "2022-Q3"}
    for table in DERIVED:
        assert "2022-Q2" not in periods_in(lake, table), table
    transitions = pl.read_parquet(lake / "transitions" / f"org={ORG}" / "data.parquet")
    assert "2022-Q2" not in transitions["from_period"].drop_nulls().to_list()
    assert not (lake / "reports" / f"org={ORG}" / "period=2022-Q2").exists()
    assert not (lake / "snapshots" / f"org={ORG}" / "period=2022-Q2" / "data.parquet").exists()
    scanned = pl.scan_parquet(str(lake / "snapshots/**/*.parquet"), hive_partitioning=True)
    assert set(scanned.collect()["period"].to_list()) == {"2022-Q1", "2022-Q3"}
    # the blocked file's rows are kept where they can be inspected
    quarantine = pl.read_parquet(lake / "quarantine" / f"org={ORG}" / "period=2022-Q2/data.parquet")
    assert quarantine.filter(pl.col("kind") == "rejected").height == 3
    assert (
        lake / "versions" / f"org={ORG}" / "period=2022-Q2" / "v1" / "snapshot.parquet"
    ).exists()

    capsys.readouterr()
    assert main(["status", "--lake", str(lake)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3
    blocked = [line for line in lines if "2022-Q2" in line]
    assert len(blocked) == 1 and "BLOCKED" in blocked[0] and "bad.csv" in blocked[0]
    assert "rows=1" in blocked[0] and "quarantined=3" in blocked[0]
    assert "75% of rows quarantined" in blocked[0]

    assert ingest(lake, files["fixed"], "2022-Q2") == 0  # a valid file replaces it
    assert history_periods(lake) == {"2022-Q1", "2022-Q2", "2022-Q3"}
    assert "2022-Q2" in periods_in(lake, "transitions")
    capsys.readouterr()
    assert main(["status", "--lake", str(lake)]) == 0
    assert "BLOCKED" not in capsys.readouterr().out

    # a blocked file replacing a valid one takes the period out of everything at once
    assert ingest(lake, files["bad"], "2022-Q2") == 1
    assert history_periods(lake) == {"2022-Q1", "2022-Q3"}
    for table in DERIVED:
        assert "2022-Q2" not in periods_in(lake, table), table
    assert not list((lake / "reports" / f"org={ORG}" / "period=2022-Q2").glob("uppfoljning.*"))


def materialise(lake: Lake, period: str, instance):
    return materialise_period(lake, ORG, period, instance)


def test_blocked_period_stays_out_through_dagster(tmp_path, files):
    lake = Lake(tmp_path / "lake")
    with dg.instance_for_test() as instance:
        register_report(lake, files["good"], ORG, "2022-Q1")
        assert materialise(lake, "2022-Q1", instance).success
        register_report(lake, files["bad"], ORG, "2022-Q2")
        failed = materialise(lake, "2022-Q2", instance)
        assert not failed.success
        [check] = failed.get_asset_check_evaluations()
        assert not check.passed and "75% of rows quarantined" in check.description
        assert check.metadata["blocked"].value is True
        register_report(lake, files["later"], ORG, "2022-Q3")
        assert materialise(lake, "2022-Q3", instance).success  # a later run
        # the blocked partition materialised again (e.g. a retry from the UI): still blocked
        again = materialise(lake, "2022-Q2", instance)
        assert not again.success
        assert [e.asset_key.path[-1] for e in again.get_asset_materialization_events()] == [
            "period_snapshot"
        ]
    assert history_periods(lake.root) == {"2022-Q1", "2022-Q3"}
    for table in DERIVED:
        assert "2022-Q2" not in periods_in(lake.root, table), table
    assert not (lake.root / "reports" / f"org={ORG}" / "period=2022-Q2").exists()

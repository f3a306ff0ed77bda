"""The lake can be rebuilt from raw/ alone: delete every table derived from it, run again, and
every Parquet file comes back byte for byte."""

import shutil

from pipelines.cli import main
from tests.reliability.lake_state import lake_files

DERIVED = (
    "snapshots",
    "quarantine",
    "versions",
    "history",
    "links",
    "activities",
    "transitions",
    "delays",
    "promises",
)


def test_rebuild_from_raw_gives_identical_tables(tmp_path, swedish_csv, monkeypatch):
    monkeypatch.setattr("pipelines.report.render.find_chromium", lambda: None)
    lake = tmp_path / "lake"
    assert main(["demo", "--lake", str(lake)]) == 0
    assert main(["ingest", str(swedish_csv), "--org", "region-test", "--lake", str(lake)]) == 0
    before = {k: v for k, v in lake_files(lake).items() if k.endswith(".parquet")}
    for table in DERIVED:
        assert any(k.startswith(f"{table}/") for k in before), table
    kept = {k for k in lake_files(lake) if k.startswith("raw/")}
    for table in DERIVED:
        shutil.rmtree(lake / table)
    # what stays: the files as delivered, the reports and the editable org names (orgs.yaml)
    assert {k.split("/")[0] for k in lake_files(lake)} <= {
        "raw",
        "reports",
        "data_lake",
        "orgs.yaml",
    }
    assert main(["rebuild", "--lake", str(lake)]) == 0
    after = {k: v for k, v in lake_files(lake).items() if k.endswith(".parquet")}
    assert after == before
    assert kept == {k for k in lake_files(lake) if k.startswith("raw/")}


def test_rebuild_of_an_empty_lake_says_so(tmp_path, capsys):
    assert main(["rebuild", "--lake", str(tmp_path / "nothing")]) == 2
    assert "no registered reports" in capsys.readouterr().err

"""The history can be rebuilt from raw/ alone: delete every derived table, run again, compare."""

import shutil

from pipelines.cli import main
from tests.reliability.lake_state import lake_files

DERIVED = ("snapshots", "quarantine", "history")


def test_rebuild_from_raw_gives_identical_tables(tmp_path, swedish_csv):
    lake = tmp_path / "lake"
    assert main(["demo", "--lake", str(lake)]) == 0
    assert main(["ingest", str(swedish_csv), "--org", "region-test", "--lake", str(lake)]) == 0
    before = {k: v for k, v in lake_files(lake).items() if k.endswith(".parquet")}
    assert any(k.startswith("history/") for k in before)
    for table in DERIVED:
        shutil.rmtree(lake / table)
    assert main(["rebuild", "--lake", str(lake)]) == 0
    after = {k: v for k, v in lake_files(lake).items() if k.endswith(".parquet")}
    assert after == before


def test_rebuild_of_an_empty_lake_says_so(tmp_path, capsys):
    assert main(["rebuild", "--lake", str(tmp_path / "nothing")]) == 2
    assert "no registered reports" in capsys.readouterr().err

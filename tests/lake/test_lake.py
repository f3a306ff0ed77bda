import datetime as dt

import polars as pl
import pytest

from pipelines.core.errors import FollowupError
from pipelines.ingest.period import build_snapshot, register_report
from pipelines.lake.store import Lake, atomic_write_parquet, org_slug


def test_atomic_write_leaves_no_temporary_files(tmp_path):
    path = tmp_path / "t" / "data.parquet"
    atomic_write_parquet(pl.DataFrame({"a": [1]}), path)
    atomic_write_parquet(pl.DataFrame({"a": [2]}), path)
    assert [p.name for p in path.parent.iterdir()] == ["data.parquet"]
    assert pl.read_parquet(path)["a"].to_list() == [2]


def test_org_slug():
    assert org_slug("Region Västmanland") == "region-vastmanland"
    for bad in ["../x", "a/b", "..", "a\\b", ""]:
        with pytest.raises(FollowupError):
            org_slug(bad)


def test_same_file_twice_changes_nothing(lake_dir, swedish_csv):
    lake = Lake(lake_dir)
    registration, changed = register_report(lake, swedish_csv)
    assert changed
    assert build_snapshot(lake, registration.org, registration.period)["outcome"] == "new"
    before = {p: p.stat().st_mtime_ns for p in lake_dir.rglob("*") if p.is_file()}
    again, changed = register_report(lake, swedish_csv)
    assert not changed and again == registration
    assert build_snapshot(lake, registration.org, registration.period)["outcome"] == "unchanged"
    after = {p: p.stat().st_mtime_ns for p in lake_dir.rglob("*") if p.is_file()}
    assert before == after


def test_a_new_file_replaces_the_period_and_keeps_the_old_version(lake_dir, swedish_csv, tmp_path):
    lake = Lake(lake_dir)
    reg, _ = register_report(lake, swedish_csv)
    build_snapshot(lake, reg.org, reg.period)
    fixed = tmp_path / "fixed" / swedish_csv.name
    fixed.parent.mkdir()
    fixed.write_text(swedish_csv.read_text(encoding="utf-8").replace("GULT", "Grönt"), "utf-8")
    reg2, changed = register_report(lake, fixed)
    assert changed and reg2.source_sha256 != reg.source_sha256
    assert build_snapshot(lake, reg.org, reg.period)["outcome"] == "replaced"
    current = pl.scan_parquet(lake.table_glob("snapshots"), hive_partitioning=True).collect()
    assert current["source_sha256"].unique().to_list() == [reg2.source_sha256]  # once per period
    old = pl.read_parquet(
        lake.partition_dir("versions", reg.org, reg.period) / "v1/snapshot.parquet"
    )
    assert old["source_sha256"].unique().to_list() == [reg.source_sha256]
    assert lake.snapshot_version(reg.org, reg.period)["version"] == 2
    assert len(list(lake.partition_dir("raw", reg.org, reg.period).glob("*.csv"))) == 2


def test_unreadable_file_is_refused_before_anything_is_written(lake_dir, tmp_path):
    bad = tmp_path / "org_2022-07-07.csv"
    bad.write_text("Nothing;Here\n1;2\n", encoding="utf-8")
    with pytest.raises(FollowupError):
        register_report(Lake(lake_dir), bad)
    assert not lake_dir.exists() or not any(
        p.is_file() and p.name != ".lock" for p in lake_dir.rglob("*")
    )


def test_registration_records_who_when_and_which_file(lake_dir, swedish_csv):
    reg, _ = register_report(Lake(lake_dir), swedish_csv, report_date="2022-07-08")
    assert reg.report_day == dt.date(2022, 7, 8)
    assert reg.source_file == swedish_csv.name
    assert (lake_dir / reg.stored_as).read_bytes() == swedish_csv.read_bytes()
    assert reg.registered_by and reg.registered_at

"""One schema per table, whatever the reader: a lake of an OCR'd report, a PDF, a CSV and an XLSX
is read by the README's polars and DuckDB scans as it stands; an older lake is upgraded."""

import datetime as dt
import json
import os
import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest

from checks.schemas import SCHEMA_VERSION, TABLES
from pipelines.cli import main
from pipelines.derive.refresh import derive_orgs, read_history
from pipelines.ingest.period import build_snapshot, parse_file, register_report, split_valid
from pipelines.lake.store import Lake, atomic_write_json, atomic_write_parquet
from pipelines.read import ReaderResult
from tests.read.pdf_factory import make_report_pdf, sample_rows

SAMPLES = Path(__file__).resolve().parents[2] / "pipelines" / "sample_data"
OCR = SAMPLES / "region-vastmanland_2022-07-07_ocr.txt"
CSV = SAMPLES / "region-vastmanland_2022-Q4_2023-01-14_synthetic.csv"
XLSX = SAMPLES / "region-vastmanland_2022-Q3_2022-10-10_synthetic.xlsx"
TABLE_NAMES = ["snapshots", "quarantine", "links", "activities", "transitions", "delays"]


def mixed_files(folder: Path) -> list[tuple[Path, str | None, str | None]]:
    """(file, org, period): the real OCR text, a generated PDF, the synthetic CSV and XLSX."""
    pdf = make_report_pdf(folder / "kommun-pdf_2022-07-01.pdf", sample_rows(10))
    return [(OCR, None, None), (XLSX, None, None), (CSV, None, None), (pdf, "kommun-pdf", None)]


@pytest.fixture(scope="module")
def mixed_lake(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("mixed")
    lake = Lake(root / "data_lake")
    for path, org, period in mixed_files(root):
        registration, _ = register_report(lake, path, org, period)
        build_snapshot(lake, registration.org, registration.period)
    derive_orgs(lake, workers=1)
    return root


def test_every_file_of_a_table_has_the_tables_schema(mixed_lake):
    formats = set()
    for table in TABLE_NAMES:
        expected = list(TABLES[table].polars_schema.items())
        files = sorted((mixed_lake / "data_lake" / table).rglob("*.parquet"))
        assert files, table
        for path in files:
            assert list(pl.read_parquet_schema(path).items()) == expected, path
    for record in (mixed_lake / "data_lake" / "snapshots").rglob("_version.json"):
        version = json.loads(record.read_text("utf-8"))
        assert version["schema_version"] == SCHEMA_VERSION
        formats.add(version["format"])
    assert formats == {"ocr-text", "pdf", "csv", "xlsx"}


def test_the_readme_scans_work_on_a_mixed_lake(mixed_lake, monkeypatch):
    monkeypatch.chdir(mixed_lake)  # the README's paths are relative to where the lake is
    snapshots = pl.scan_parquet(
        "data_lake/snapshots/**/*.parquet", hive_partitioning=True
    ).collect()
    assert snapshots.select("org", "period").unique().height == 4
    by_reader = snapshots.group_by("source_file").agg(pl.col("page").is_not_null().any())
    assert by_reader.height == 4
    con = duckdb.connect()
    counted = con.sql(
        "SELECT count(*) FROM read_parquet('data_lake/snapshots/**/*.parquet', "
        "hive_partitioning=true)"
    ).fetchall()[0][0]
    assert counted == snapshots.height
    for table in TABLE_NAMES:
        scanned = pl.scan_parquet(f"data_lake/{table}/**/*.parquet", hive_partitioning=True)
        frame = scanned.collect()
        query = (
            f"SELECT * FROM read_parquet('data_lake/{table}/**/*.parquet', hive_partitioning=true)"
        )
        assert con.sql(query).pl().height == frame.height, table
    # provenance is typed and null where a reader has none
    pdf = snapshots.filter(pl.col("org") == "kommun-pdf")
    assert pdf["page"].null_count() == 0 and pdf["spreadsheet_row"].null_count() == pdf.height
    sheet = snapshots.filter(pl.col("source_file") == XLSX.name)
    assert sheet["spreadsheet_row"].null_count() == 0 and sheet["page"].null_count() == sheet.height


def test_status_source_is_reported_only_where_the_document_showed_a_status(mixed_lake):
    lake = mixed_lake / "data_lake"
    # as read (the committed versions, before any inference), for every reader alike
    read = pl.concat(
        [pl.read_parquet(p) for p in sorted((lake / "versions").rglob("snapshot.parquet"))]
    )
    assert read["source_file"].n_unique() == 4
    reported = read.filter(pl.col("status_source") == "reported")
    assert set(reported["status"].to_list()) <= {"green", "yellow", "red"}
    assert reported["status_raw"].null_count() == 0
    unknown = read.filter(pl.col("status") == "unknown")
    assert unknown.height and set(unknown["status_source"].to_list()) == {"absent"}
    # the PDF factory's fourth status is an empty cell: nothing shown
    pdf = read.filter(pl.col("org") == "kommun-pdf")
    assert pdf.filter(pl.col("status_raw").is_null())["status_source"].to_list() == ["absent"] * 2
    # after the derive step an unknown row is inferred or still absent, never reported
    history = read_history(Lake(lake))
    was_unknown = history.join(
        unknown.select("source_sha256", "source_row"), on=["source_sha256", "source_row"]
    )
    assert was_unknown.height == unknown.height
    assert set(was_unknown["status_source"].to_list()) <= {"absent", "inferred"}


def test_a_readers_other_columns_are_kept_as_json_not_as_new_columns(tmp_path):
    path = tmp_path / "region-x_2022-07-07.csv"
    path.write_text("Aktivitet;Status\nA;Grönt\n", encoding="utf-8")
    rows, result, meta = parse_file(path)
    odd = pl.DataFrame(
        {
            **{c: result.rows[c] for c in result.rows.columns},
            "cell_font": ["Calibri"],
            "confidence": [0.8],
        }
    )
    from pipelines.ingest.period import with_meta

    shaped = with_meta(
        ReaderResult(rows=odd, format="csv"),
        "region-x",
        "2022-Q2",
        dt.date(2022, 7, 7),
        path.name,
        "0" * 64,
    )
    valid, _ = split_valid(shaped)
    assert "cell_font" not in valid.columns
    assert json.loads(valid["reader_extra"][0]) == {"cell_font": "Calibri"}
    assert valid["reader_confidence"].to_list() == [0.8]


def write_old_lake(lake: Lake, path: Path) -> tuple[str, str]:
    """A lake as schema version 1 wrote it: the reader's own columns, versions/ only for
    replaced periods, no schema_version in _version.json."""
    registration, _ = register_report(lake, path)
    rows, result, _ = parse_file(
        lake.root / registration.stored_as,
        registration.format,
        registration.org,
        registration.period,
        registration.report_day,
    )
    valid, quarantine = split_valid(rows, result)
    own = valid.select([c for c in valid.columns if valid[c].null_count() < valid.height])
    own = own.with_columns(pl.lit("Calibri").alias("cell_font"))  # a column no schema knows
    org, period = registration.org, registration.period
    atomic_write_parquet(quarantine, lake.table_path("quarantine", org, period))
    atomic_write_parquet(own, lake.table_path("snapshots", org, period))
    record = {
        "version": 1,
        **registration.__dict__,
        "rows": own.height,
        "quarantined": 0,
        "warnings": 0,
        "committed_at": "2024-01-01T00:00:00+00:00",
        "committed_by": "x",
    }
    atomic_write_json(lake.partition_dir("snapshots", org, period) / "_version.json", record)
    return org, period


def test_rebuild_upgrades_a_lake_of_an_older_version(tmp_path, monkeypatch):
    monkeypatch.setattr("pipelines.report.render.find_chromium", lambda: None)
    lake = Lake(tmp_path / "lake")
    old = [write_old_lake(lake, p) for p in (OCR, XLSX)]
    before = {period: lake.table_path("snapshots", org, period).read_bytes() for org, period in old}
    with pytest.raises(pl.exceptions.SchemaError):  # the symptom, on the old lake
        pl.scan_parquet(lake.table_glob("snapshots"), hive_partitioning=True).collect()
    assert main(["rebuild", "--lake", str(lake.root)]) == 0
    for org, period in old:
        record = lake.snapshot_version(org, period)
        assert record["schema_version"] == SCHEMA_VERSION and record["version"] == 2
        kept = lake.partition_dir("versions", org, period) / "v1" / "snapshot.parquet"
        assert kept.read_bytes() == before[period]  # nothing lost: the old version is kept
        schema = pl.read_parquet_schema(lake.table_path("snapshots", org, period))
        assert list(schema.items()) == list(TABLES["snapshots"].polars_schema.items())
    frame = pl.scan_parquet(lake.table_glob("snapshots"), hive_partitioning=True).collect()
    assert frame["period"].n_unique() == 2
    assert frame["activity_id"].null_count() == 0
    assert main(["rebuild", "--lake", str(lake.root)]) == 0  # upgraded once, then unchanged
    assert lake.snapshot_version(*old[0])["version"] == 2
    assert not [p for p in lake.root.rglob("*") if ".tmp-" in p.name]
    assert os.environ.get("FOLLOWUP_CRASH_AT") is None
    shutil.rmtree(lake.root)

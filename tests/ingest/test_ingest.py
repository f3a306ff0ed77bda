import datetime as dt
import json

import polars as pl
import pytest

from checks.schemas import CANONICAL_COLUMNS, QUARANTINE_COLUMNS
from pipelines.core.errors import FollowupError
from pipelines.ingest.period import infer_meta, parse_file, split_valid


def test_metadata_from_file_name(tmp_path):
    meta = infer_meta(tmp_path / "region-vastmanland_2022-07-07_ocr.txt")
    assert (meta.org, meta.period, meta.report_date) == (
        "region-vastmanland",
        "2022-Q2",
        dt.date(2022, 7, 7),
    )
    meta = infer_meta(tmp_path / "Region Västmanland_2022-T2_2022-09-20.xlsx")
    assert (meta.org, meta.period) == ("region-vastmanland", "2022-T2")


def test_missing_report_date_is_the_period_end(tmp_path):
    meta = infer_meta(tmp_path / "r.csv", org="x", period="2022-T2")
    assert meta.report_date == dt.date(2022, 8, 31)


def test_report_date_in_the_future_is_refused(tmp_path):
    with pytest.raises(FollowupError, match="in the future"):
        infer_meta(
            tmp_path / "r.csv", org="x", report_date="2030-01-01", today=dt.date(2026, 11, 29)
        )


def test_org_with_path_characters_is_refused(tmp_path):
    with pytest.raises(FollowupError, match="not a valid organisation"):
        infer_meta(tmp_path / "r.csv", org="../etc")


def test_parse_gives_canonical_columns_first(swedish_csv):
    rows, _, _ = parse_file(swedish_csv)
    assert rows.columns[: len(CANONICAL_COLUMNS)] == CANONICAL_COLUMNS
    assert rows["org"].unique().to_list() == ["region-test"]
    assert rows["report_date"].dtype == pl.Date


def test_bad_rows_are_quarantined_with_reasons_and_nothing_is_lost(tmp_path):
    path = tmp_path / "org_2022-07-07.csv"
    path.write_text(
        "Aktivitet;Verksamhet;Status\nBra rad;Välfärd;Grönt\n;Välfärd;Gult\nTredje;Välfärd;blå\n"
        "Fjärde;Välfärd;Rött\n",
        encoding="utf-8",
    )
    rows, result, _ = parse_file(path)
    valid, quarantine = split_valid(rows, result)
    assert valid["activity"].to_list() == ["Bra rad", "Fjärde"]
    assert quarantine.columns == QUARANTINE_COLUMNS
    assert quarantine["source_row"].to_list() == [2, 3]
    assert quarantine["reason"].to_list() == [
        "activity is empty",
        "status word 'blå' is not Grönt/Gult/Rött (green/yellow/red)",
    ]
    assert json.loads(quarantine["row_json"][1])["activity"] == "Tredje"
    assert valid.height + quarantine.height == rows.height

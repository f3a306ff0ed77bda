import openpyxl
import pytest
from openpyxl.styles import PatternFill

from pipelines.core.errors import ReportFormatError
from pipelines.read import READER_COLUMNS, read_report


def test_swedish_csv_with_semicolons(swedish_csv):
    result = read_report(swedish_csv)
    rows = result.rows
    assert result.format == "csv"
    assert rows.columns[: len(READER_COLUMNS)] == READER_COLUMNS
    assert rows["source_row"].to_list() == [1, 2, 3, 4]
    assert rows["status"].to_list() == ["green", "yellow", "red", "unknown"]
    assert rows["unit"].to_list() == ["Hållbarhet", "Hållbarhet", "Folkhälsa", "Välfärd"]
    assert rows["comment"][3] is None
    assert rows["goal_area"][2] == "Ett välmående Västmanland"


def test_english_headers_any_case_and_spacing(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text(
        "  GOAL   AREA ,Activity,UNIT,status,Comment\nA,Do things,Unit 1,Y,late\n",
        encoding="utf-8",
    )
    rows = read_report(path).rows
    assert rows.row(0, named=True) | {} == {
        "source_row": 1,
        "goal_area": "A",
        "activity": "Do things",
        "unit": "Unit 1",
        "status": "yellow",
        "status_source": "reported",
        "comment": "late",
        "status_raw": "Y",
        "completed_reported": False,
        "sheet": None,
        "spreadsheet_row": 2,
    }


def test_cp1252_and_utf16_text_keep_swedish_letters(tmp_path):
    text = "Aktivitet;Verksamhet;Status\nStödja små företag;Välfärd;Grönt\n"
    for encoding in ("cp1252", "utf-16"):
        path = tmp_path / f"r-{encoding}.csv"
        path.write_bytes(text.encode(encoding))
        rows = read_report(path).rows
        assert rows["activity"].to_list() == ["Stödja små företag"], encoding
        assert rows["status"].to_list() == ["green"]


def test_unknown_status_word_is_kept_for_validation_to_reject(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("Aktivitet;Status\nX;blå\n", encoding="utf-8")
    assert read_report(path).rows["status"].to_list() == ["blå"]


def test_missing_activity_column_is_a_clear_error(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("Verksamhet;Status\nVälfärd;Grönt\n", encoding="utf-8")
    with pytest.raises(ReportFormatError, match="no header row with an activity column"):
        read_report(path)


def test_empty_file_is_refused(tmp_path):
    path = tmp_path / "r.csv"
    path.write_bytes(b"")
    with pytest.raises(ReportFormatError, match="empty"):
        read_report(path)


def test_xlsx_title_rows_and_coloured_status_cells(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Uppföljning T2 2022"])
    sheet.append([])
    sheet.append(["Målområde", "Aktivitet", "Verksamhet", "Status", "Kommentar"])
    colours = {
        "00B050": "green",
        "92D050": "green",
        "FFC000": "yellow",
        "FFFF00": "yellow",
        "FF0000": "red",
        "C00000": "red",
    }
    for index, colour in enumerate(colours, start=1):
        sheet.append(["Område", f"Aktivitet {index}", "Välfärd", None, "ok"])
        sheet.cell(row=sheet.max_row, column=4).fill = PatternFill("solid", fgColor="FF" + colour)
    sheet.append(["Område", "Med text", "Välfärd", "Gult", None])
    sheet.append(["Område", "Utan färg", "Välfärd", None, None])
    path = tmp_path / "r.xlsx"
    workbook.save(path)
    result = read_report(path)
    assert result.format == "xlsx"
    assert result.rows["status"].to_list() == [*colours.values(), "yellow", "unknown"]
    assert result.rows["spreadsheet_row"][0] == 4


def test_xlsx_without_sheets_content_or_broken_zip(tmp_path):
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    with pytest.raises(ReportFormatError, match="XLSX"):
        read_report(broken)

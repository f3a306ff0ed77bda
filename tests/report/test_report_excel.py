"""The Excel workbook, read back with openpyxl: sheets, numbers, colours, and text kept as text."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from pipelines.synthetic.report_sample import FORMULA_COMMENT, SCRIPT_COMMENT, A, B

SV_SHEETS = [
    "Nyckeltal",
    "Rapporter",
    "Sammanfattning",
    "Övergångar",
    "Försämrade",
    "Förbättrade",
    "Utanför plan",
    "Löften",
    "Nya",
    "Inte längre rapporterade",
    "Statushistorik",
]


@pytest.fixture(scope="module")
def books(rendered):
    return {lang: openpyxl.load_workbook(rendered[f"{lang}.xlsx"]) for lang in ("sv", "en")}


def _find(ws, text: str, column: int | None = None):
    for row in ws.iter_rows():
        for cell in row:
            if cell.value == text and column in (None, cell.column):
                return cell
    raise AssertionError(f"{text!r} not on sheet {ws.title}")


def test_one_sheet_per_section_with_swedish_names(books):
    assert books["sv"].sheetnames == SV_SHEETS
    assert books["en"].sheetnames[:4] == ["Key figures", "Reports", "Summary", "Transitions"]


def test_a_formula_looking_comment_stays_a_string(books):
    ws = books["sv"]["Utanför plan"]
    cell = _find(ws, FORMULA_COMMENT)
    assert cell.data_type == "s"
    assert isinstance(cell.value, str) and cell.value.startswith("=HYPERLINK(")
    assert _find(books["sv"]["Försämrade"], SCRIPT_COMMENT).data_type == "s"


def test_summary_numbers_are_numbers(books):
    ws = books["sv"]["Sammanfattning"]
    a = _find(ws, A)
    values = [ws.cell(a.row, a.column + i).value for i in range(1, 19)]
    assert values[:15] == [1, 1, 0, 2, 1, -1, 1, 1, 0, 0, 0, 0, 4, 3, -1]
    b = _find(ws, B)
    share = ws.cell(b.row, b.column + 17)
    assert share.value == pytest.approx(1 / 3) and "%" in share.number_format
    total = _find(ws, "Totalt", column=1)  # the total row, not the "Totalt" spanner
    assert ws.cell(total.row, total.column + 13).value == 9


def test_status_cells_are_coloured_and_headers_bold(books):
    ws = books["sv"]["Försämrade"]
    red = _find(ws, "Rött")
    assert red.fill.fgColor.rgb.upper().endswith("FFC7CE")  # a light tint, dark red text
    assert red.font.color.rgb.upper().endswith("8A0005")
    assert red.border.left.color.rgb.upper().endswith("FF0000")  # the report's red as a marker
    inferred = _find(ws, "Gult*")
    assert inferred.fill.fgColor.rgb.upper().endswith("FFEB9C")
    assert inferred.border.left.color.rgb.upper().endswith("FFC000")
    header = _find(ws, "Aktivitet")
    assert header.font.bold
    assert _find(ws, "* härledd från kommentaren (ingen färg i rapporten)")
    spanner = _find(books["sv"]["Sammanfattning"], "Grönt")
    assert spanner.fill.fgColor.rgb.upper().endswith("C6EFCE")


def test_dates_are_excel_dates(books):
    ws = books["sv"]["Rapporter"]
    cell = _find(ws, "uppfoljning-2022-T3.pdf")
    date = ws.cell(cell.row, cell.column - 1)
    assert date.is_date and date.value.date() == dt.date(2023, 1, 20)


def test_key_figures_sheet_with_native_charts(rendered, books):
    import zipfile

    ws = books["sv"]["Nyckeltal"]
    share = _find(ws, "Andel enligt plan", column=1)
    assert ws.cell(share.row, 2).value == pytest.approx(2 / 8)  # 2 green of 8 with a colour
    assert ws.cell(share.row, 3).value == pytest.approx(3 / 9)
    assert "%" in ws.cell(share.row, 2).number_format
    worsened = _find(ws, "Försämrade", column=1)
    assert [ws.cell(worsened.row, c).value for c in (2, 3, 4)] == [2, 2, 0]
    with zipfile.ZipFile(rendered["sv.xlsx"]) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        xml = "".join(z.read(n).decode() for n in charts)
    assert len(charts) == 1 + 3  # share on plan, then one per goal area
    assert "lineChart" in xml and 'grouping val="percentStacked"' in xml

import openpyxl
import polars as pl
import pytest
from openpyxl.styles import PatternFill

from pipelines.core.errors import ReportFormatError
from pipelines.read import READER_COLUMNS, read_report
from tests.read.spreadsheet_variants import VARIANTS, make_all


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


# --- template variants (tests/read/spreadsheet_variants.py) ------------------------------

FIELDS = ["goal_area", "activity", "unit", "status", "completed_reported", "comment"]


@pytest.fixture(scope="module")
def variants(tmp_path_factory):
    return make_all(tmp_path_factory.mktemp("sheet-variants"))


@pytest.mark.parametrize("index", range(len(VARIANTS)), ids=[v.__name__ for v in VARIANTS])
def test_every_row_field_and_status_of_every_variant(variants, index):
    variant = variants[index]
    result = read_report(variant.path)
    got = result.rows.select(FIELDS).to_dicts()
    assert len(got) == len(variant.expected), variant.name
    for position, (row, want) in enumerate(zip(got, variant.expected, strict=True), start=1):
        assert row == want, f"{variant.name}, row {position}"
    assert result.rows["source_row"].to_list() == list(range(1, len(got) + 1))
    messages = [w.message for w in result.warnings]
    for expected in variant.warnings:
        assert any(expected in m for m in messages), (expected, messages)
    # Nothing else went wrong silently or noisily: no warnings beyond the expected ones.
    assert len(messages) == len(variant.warnings), messages
    # A status the document shows is reported; no status shown is not.
    shown = result.rows.filter(pl.col("status") != "unknown")
    assert set(shown["status_source"]) <= {"reported"}
    assert shown["status_raw"].null_count() == 0


# --- codes, legends, colours that cannot be resolved --------------------------------------


def _workbook(header, rows, title="Uppföljning"):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    return workbook, sheet


def test_a_code_without_legend_is_not_guessed_but_quarantined_with_its_reason(tmp_path):
    from pipelines.ingest.period import parse_file, split_valid

    workbook, _ = _workbook(
        ["Åtgärd", "Ansvarig", "Status"],
        [["Rusta upp badplatsen", "Fritid", 1], ["Ny cykelbana", "Gata", 3]],
    )
    path = tmp_path / "kommun_2024-06-30.xlsx"
    workbook.save(path)
    rows, result, _ = parse_file(path)
    assert result.rows["status"].to_list() == ["1", "3"]
    (warning,) = result.warnings
    assert "status code(s) 1, 3 (cells C2, C3)" in warning.message
    assert "no legend" in warning.message
    valid, quarantine = split_valid(rows, result)
    assert valid.is_empty()
    rejected = quarantine.filter(pl.col("kind") == "rejected")
    assert rejected["source_row"].to_list() == [1, 2]
    assert all("'1'" in r or "'3'" in r for r in rejected["reason"])


def test_a_legend_table_on_another_sheet_explains_the_codes(tmp_path):
    workbook, sheet = _workbook(
        ["Insats", "Förvaltning", "Bedömning", "Kommentar"],
        [["Rusta upp badplatsen", "Fritid", 3, "Klart i juni"], ["Ny cykelbana", "Gata", 1, None]],
    )
    legend = workbook.create_sheet("Förklaring")
    legend.append(["Kod", "Betydelse"])
    legend.append([1, "Allvarlig avvikelse – målet nås inte"])
    legend.append([2, "Mindre avvikelse"])
    legend.append([3, "Enligt plan"])
    path = tmp_path / "r.xlsx"
    workbook.save(path)
    result = read_report(path)
    assert result.rows["status"].to_list() == ["green", "red"]  # this org's 1 is red
    assert result.rows["status_raw"].to_list() == ["3", "1"]
    (warning,) = result.warnings
    assert "sheet 'Förklaring' has no activity table" in warning.message
    assert "its status legend was used" in warning.message
    assert "legend: 1 = red, 2 = yellow, 3 = green" in result.tables[0].notes


def test_a_legend_that_contradicts_itself_is_not_used(tmp_path):
    workbook, sheet = _workbook(
        ["Aktivitet", "Status"], [["Ny cykelbana", 1], [None, None], ["1 = Grönt"], ["1 = Rött"]]
    )
    path = tmp_path / "r.xlsx"
    workbook.save(path)
    result = read_report(path)
    assert result.rows["status"].to_list() == ["1"]
    messages = " | ".join(w.message for w in result.warnings)
    assert "status code 1 is explained differently" in messages and "A4" in messages


def test_theme_colour_without_a_theme_is_a_warning_naming_the_cell(tmp_path):
    import zipfile

    from openpyxl.styles import Color

    workbook, sheet = _workbook(["Aktivitet", "Enhet", "Status"], [["Ny cykelbana", "Gata", None]])
    sheet["C2"].fill = PatternFill("solid", fgColor=Color(theme=9, tint=0.4))
    saved = tmp_path / "with-theme.xlsx"
    workbook.save(saved)
    path = tmp_path / "r.xlsx"
    with zipfile.ZipFile(saved) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            if "theme" not in item.filename:
                data = source.read(item).replace(
                    b'<Override PartName="/xl/theme/theme1.xml"', b"<X"
                )
                target.writestr(item, data)
    result = read_report(path)
    assert result.rows["status"].to_list() == ["unknown"]
    (warning,) = result.warnings
    assert warning.message.startswith("sheet 'Uppföljning' cell C2: theme colour 9")
    assert warning.source_row == 1


def test_a_word_the_file_does_not_know_keeps_the_row_for_quarantine(tmp_path):
    workbook, sheet = _workbook(["Aktivitet", "Status"], [["Ny cykelbana", "Pausad"]])
    path = tmp_path / "r.xlsx"
    workbook.save(path)
    rows = read_report(path).rows
    assert rows["status"].to_list() == ["Pausad"] and rows["status_raw"].to_list() == ["Pausad"]


def test_blocks_with_repeated_headers_and_goal_area_titles_on_one_sheet(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for goal, activities in (
        ("Ren luft", ["Mäta partiklar", "Byta bussar"]),
        ("Rent vatten", ["Skydda åsen"]),
    ):
        sheet.append([f"Målområde: {goal}"])
        sheet.append(["Aktivitet", "Ansvarig", "Status"])
        for activity in activities:
            sheet.append([activity, "Miljö", "Pågår"])
        sheet.append([])
    path = tmp_path / "r.xlsx"
    workbook.save(path)
    result = read_report(path)
    assert result.rows.select("goal_area", "activity").rows() == [
        ("Ren luft", "Mäta partiklar"),
        ("Ren luft", "Byta bussar"),
        ("Rent vatten", "Skydda åsen"),
    ]
    assert "1 repeated header row(s) skipped" in result.tables[0].notes
    assert result.warnings == []


def test_a_styled_column_down_to_the_last_row_costs_nothing(tmp_path):
    workbook, sheet = _workbook(["Aktivitet", "Status"], [["Ny cykelbana", "Klar"]])
    sheet.cell(row=1_048_576, column=2).fill = PatternFill("solid", fgColor="FFEEEEEE")
    path = tmp_path / "r.xlsx"
    workbook.save(path)
    rows = read_report(path).rows
    assert rows.select("activity", "status", "completed_reported").rows() == [
        ("Ny cykelbana", "green", True)
    ]


def test_phrases_sep_line_hidden_and_numbering_columns(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text(
        "sep=;\n"
        ";Aktivitet;Ansvarig;Förvaltning;Status T1;Status T2;Kommentar\n"
        "1.1;Ny simhall;Eva Ek;Fritid;Grön;Gul – ny tidplan;Bygglov överklagat\n"
        "1.2;Fler lärare;Per Al;Skola;Gul;2 - Avvikelse;\n"
        "1.3;Ny park;Eva Ek;Teknik;Grön;Gul/Röd;Oklart\n",
        encoding="utf-8",
    )
    result = read_report(path)
    rows = result.rows
    assert rows.select("activity", "unit", "status", "comment").rows() == [
        ("Ny simhall", "Fritid", "yellow", "Bygglov överklagat"),  # the latest period's status
        ("Fler lärare", "Skola", "yellow", None),
        ("Ny park", "Teknik", "Gul/Röd", "Oklart"),  # parts disagree: not guessed
    ]
    assert rows["spreadsheet_row"].to_list() == [3, 4, 5]
    notes = result.tables[0].notes
    assert "column(s) A hold numbering (1, 1.2, A3 …), not read" in notes
    assert "'Ansvarig' also names the unit; 'Förvaltning' was read" in notes


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Ansvarig nämnd", "unit"),  # a noun phrase names what its last word names
        ("Analys och kommentar", "comment"),
        ("Statuskommentar", "comment"),  # so does a compound
        ("Aktivitetsnamn", "activity"),
        ("Kommentar till status", "comment"),  # the word before the preposition
        ("Status (1-4)", "status"),
        ("Måluppfyllelse %", "status"),
        ("Kommentar T2 2024", "comment"),
        ("Slutdatum", None),
        ("Kort beskrivning", "activity"),  # a loose match: "Aktivitet" wins over it
        ("Startdatum", None),
    ],
)
def test_header_cells_as_templates_write_them(header, field):
    from pipelines.read.spreadsheet import field_of

    assert field_of(header) == field


def test_traffic_light_icon_sets_show_the_status_of_codes_without_legend(tmp_path):
    from openpyxl.formatting.rule import IconSetRule

    workbook, sheet = _workbook(
        ["Åtgärd", "Enhet", "Status"],
        [["Ny simhall", "Fritid", 1], ["Ny park", "Teknik", 2], ["Ny skola", "Skola", 3]]
        + [["Nytt torg", "Teknik", None]],
    )
    # Percent thresholds (0/33/67 of the range), reversed: the lowest code shows green.
    sheet.conditional_formatting.add(
        "C2:C5", IconSetRule("3TrafficLights1", "percent", [0, 33, 67], reverse=True)
    )
    other = workbook.create_sheet("Grått")
    other.append(["Åtgärd", "Status"])
    other.append(["Ny bro", 2])
    other.conditional_formatting.add("B2", IconSetRule("3ArrowsGray", "num", [0, 1, 2]))
    path = tmp_path / "r.xlsx"
    workbook.save(path)
    result = read_report(path)
    assert result.rows["status"].to_list() == ["green", "yellow", "red", "unknown", "2"]
    assert result.rows["status_raw"][:3].to_list() == ["#00B050", "#FFC000", "#FF0000"]
    assert result.tables[0].status_encoding.startswith("conditional formatting (icon set")
    messages = " | ".join(w.message for w in result.warnings)
    assert "sheet 'Grått' cell B2: conditional formatting has an icon set not evaluated" in messages


def test_text_beside_the_table_is_a_warning_not_lost_silently(tmp_path):
    workbook, sheet = _workbook(
        ["Aktivitet", "Enhet", "Status"],
        [["Ny simhall", "Fritid", "Klar"], [], [None, None, None, None, None, "Källa: nämnden"]],
    )
    path = tmp_path / "r.xlsx"
    workbook.save(path)
    result = read_report(path)
    assert result.rows["activity"].to_list() == ["Ny simhall"]
    (warning,) = result.warnings
    assert "text outside the table's columns A–C was not read: F4 'Källa: nämnden'" in (
        warning.message
    )


def test_white_and_grey_backgrounds_are_no_status_and_no_warning(tmp_path):
    workbook, sheet = _workbook(
        ["Aktivitet", "Enhet", "Status"],
        [["Ny simhall", "Fritid", None], ["Ny park", "Teknik", "●"], ["Ny skola", "Skola", None]],
    )
    for row in range(1, 40):  # a template painted white to hide the grid, grey header
        for column in range(1, 30):
            colour = "FFD9D9D9" if row == 1 else "FFFFFFFF"
            sheet.cell(row=row, column=column).fill = PatternFill("solid", fgColor=colour)
    sheet["C3"].fill = PatternFill("solid", fgColor="FF00B050")  # a black ● on green
    sheet["C4"].fill = PatternFill("solid", fgColor="FFFFC000")
    path = tmp_path / "r.xlsx"
    workbook.save(path)
    result = read_report(path)
    assert result.rows["status"].to_list() == ["unknown", "green", "yellow"]
    assert result.warnings == []


@pytest.mark.parametrize("headed", ["words", "colours"])
def test_status_as_a_mark_under_green_yellow_red_columns(tmp_path, headed):
    header = ["Aktivitet", "Ansvarig", "Kommentar", "Grön", "Gul", "Röd"]
    workbook, sheet = _workbook(
        header,
        [
            ["Ny simhall", "Fritid", "Bygget pågår", "X", None, None],
            ["Ny park", "Teknik", None, None, "x", None],
            ["Ny skola", "Skola", "Stoppad", None, None, "X"],
            ["Nytt torg", "Teknik", None, None, None, None],
            ["Ny bro", "Teknik", None, "X", "X", None],
        ],
    )
    if headed == "colours":
        for column, colour in ((4, "FF00B050"), (5, "FFFFC000"), (6, "FFFF0000")):
            sheet.cell(row=1, column=column).value = None
            sheet.cell(row=1, column=column).fill = PatternFill("solid", fgColor=colour)
    path = tmp_path / "r.xlsx"
    workbook.save(path)
    result = read_report(path)
    assert result.rows["status"].to_list() == ["green", "yellow", "red", "unknown", "unknown"]
    assert result.rows["status_raw"][0] == "X in D"
    (warning,) = result.warnings
    assert "cells D6, E6: more than one status column is marked" in warning.message
    assert result.tables[0].status_encoding.startswith("marked column")


def test_numbered_status_words_of_a_dropdown(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text(
        "Aktivitet;Status\nNy simhall;1. Enligt plan\nNy park;2) Försenad\n", encoding="utf-8"
    )
    assert read_report(path).rows["status"].to_list() == ["green", "yellow"]


def test_the_real_layout_exported_to_a_workbook(tmp_path):
    """Blank activity and status headers, goal areas as 'AKTIVITETER MÅLOMRÅDE – …' rows,
    a colour legend line, statuses as fills (other words than the bundled report's)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["AKTIVITETER MÅLOMRÅDE – Levande landsbygd"])
    sheet.append(["Grönt = löper enligt plan   Gult = avvikelse   Rött = når ej målet"])
    sheet.append([None, "Verksamhet", None, "Kommentar"])
    rows = [
        ("Stödja bygdegårdar", "Kultur", "00B050", "Två gårdar har fått stöd."),
        ("Bredband till byarna", "Infrastruktur", "FFC000", "Grävningen är försenad."),
    ]
    for activity, unit, colour, comment in rows:
        sheet.append([activity, unit, None, comment])
        sheet.cell(row=sheet.max_row, column=3).fill = PatternFill("solid", fgColor="FF" + colour)
    sheet.append(["forts. AKTIVITETER MÅLOMRÅDE – Trygga vägar"])
    sheet.merge_cells(start_row=sheet.max_row, end_row=sheet.max_row, start_column=1, end_column=4)
    sheet.append(["Grönt = löper enligt plan   Gult = avvikelse   Rött = når ej målet"])
    sheet.append(["Bygga gång- och cykelväg", "Infrastruktur", None, "Projektet stoppades."])
    sheet.cell(row=sheet.max_row, column=3).fill = PatternFill("solid", fgColor="FFC00000")
    path = tmp_path / "r.xlsx"
    workbook.save(path)
    result = read_report(path)
    assert result.rows.select("goal_area", "activity", "unit", "status").rows() == [
        ("Levande landsbygd", "Stödja bygdegårdar", "Kultur", "green"),
        ("Levande landsbygd", "Bredband till byarna", "Infrastruktur", "yellow"),
        ("Trygga vägar", "Bygga gång- och cykelväg", "Infrastruktur", "red"),
    ]
    assert result.warnings == []


def test_a_hidden_sheet_is_read_and_said(tmp_path):
    workbook, _ = _workbook(["Aktivitet", "Status"], [["Ny simhall", "● Grön"]], title="Synlig")
    hidden = workbook.create_sheet("Dold")
    hidden.append(["Aktivitet", "Trafikljus"])
    hidden.append(["Ny park", "Klar ✓"])
    hidden.sheet_state = "hidden"
    path = tmp_path / "r.xlsx"
    workbook.save(path)
    result = read_report(path)
    assert result.rows.select("goal_area", "status", "completed_reported").rows() == [
        ("Synlig", "green", False),
        ("Dold", "green", True),
    ]
    (warning,) = result.warnings
    assert "sheet 'Dold' is hidden in the workbook; its 1 activity rows were read" in (
        warning.message
    )


def test_a_goal_area_on_its_own_row_of_the_goal_area_column_is_carried_down(tmp_path):
    workbook, _ = _workbook(
        ["Målområde", "Aktivitet", "Status"],
        [["Ren luft"], [None, "Mäta partiklar", "Grön"], [None, "Byta bussar", "Gul"]]
        + [["Rent vatten", "Skydda åsen", "Röd"], [None, "Rena sjön", "Grön"]],
    )
    path = tmp_path / "r.xlsx"
    workbook.save(path)
    result = read_report(path)
    assert result.rows.select("goal_area", "activity").rows() == [
        ("Ren luft", "Mäta partiklar"),
        ("Ren luft", "Byta bussar"),
        ("Rent vatten", "Skydda åsen"),
        ("Rent vatten", "Rena sjön"),
    ]
    assert "goal area carried down to 3 row(s) with a blank goal-area cell" in (
        result.tables[0].notes
    )


def test_a_header_grouped_over_two_rows(tmp_path):
    workbook, sheet = _workbook(
        ["Aktivitet", "Ansvar", "Uppföljning T2", None],
        [
            [None, None, "Status", "Kommentar"],
            ["Ny simhall", "Fritid", "Gul", "Bygglovet dröjer"],
            ["Ny park", "Teknik", "Grön", None],
        ],
    )
    sheet.merge_cells("C1:D1")
    path = tmp_path / "r.xlsx"
    workbook.save(path)
    result = read_report(path)
    assert result.rows.select("activity", "unit", "status", "comment").rows() == [
        ("Ny simhall", "Fritid", "yellow", "Bygglovet dröjer"),
        ("Ny park", "Teknik", "green", None),
    ]
    assert result.tables[0].notes[:2] == ["header row 2", "header over two rows (1–2)"]
    assert result.warnings == []


def test_one_sheet_per_committee_names_the_unit(tmp_path):
    workbook, _ = _workbook(
        ["Målområde", "Aktivitet", "Status"],
        [["Ren luft", "Mäta partiklar", "Grön"]],
        title="Miljönämnden",
    )
    other = workbook.create_sheet("Tekniska förvaltningen")
    other.append(["Aktivitet", "Status"])
    other.append(["Byta bussar", "Gul"])
    path = tmp_path / "r.xlsx"
    workbook.save(path)
    result = read_report(path)
    assert result.rows.select("goal_area", "unit", "activity").rows() == [
        ("Ren luft", "Miljönämnden", "Mäta partiklar"),
        (None, "Tekniska förvaltningen", "Byta bussar"),
    ]
    assert "unit from the sheet name" in result.tables[0].notes


def test_the_next_follow_ups_empty_columns_and_emoji_statuses(tmp_path):
    workbook, _ = _workbook(
        ["Aktivitet", "Status juni", "Kommentar juni", "Status december", "Kommentar december"],
        [["Ny simhall", "🟡", "Bygglovet dröjer", None, None], ["Ny park", "✅", None, None, None]],
    )
    path = tmp_path / "r.xlsx"
    workbook.save(path)
    result = read_report(path)
    assert result.rows.select("status", "completed_reported", "comment").rows() == [
        ("yellow", False, "Bygglovet dröjer"),
        ("green", True, None),
    ]
    assert "'Status december' also names the status; 'Status juni' was read" in (
        result.tables[0].notes
    )

"""Spreadsheet template variants with known truth, written the way follow-up exports are.

XLSX files are written with openpyxl, so fills in RGB, theme colours with tint, indexed
colours, font colours and conditional-formatting rules are real workbook features, read back
through the same code paths as an organisation's file. The vocabulary (a made-up
municipality's goal areas, units, activities and comments) is deliberately not the bundled
Region Västmanland report's, so passing proves the reader is not tuned to that report.

Each variant returns the file and the rows the reader must produce (goal area, activity,
unit, status, completed_reported, comment), plus words that its warnings must contain.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
from openpyxl.formatting.rule import CellIsRule, FormulaRule
from openpyxl.styles import Color, Font, PatternFill
from openpyxl.writer.theme import theme_xml

LONG_GOAL = "Trygg uppväxt och livslångt lärande"  # 35 characters: a sheet name is cut at 31
GOAL_B = "Hållbar samhällsbyggnad"
GOAL_C = "Attraktiv arbetsgivare"


@dataclass(frozen=True)
class Activity:
    goal_area: str
    activity: str
    unit: str
    status: str  # green / yellow / red / unknown
    completed: bool
    comment: str | None


ACTIVITIES = [
    Activity(
        LONG_GOAL,
        "Införa läsfrämjande insatser i alla förskoleklasser",
        "Barn- och utbildningsförvaltningen",
        "green",
        False,
        "Samtliga skolor har startat läsgrupper under våren.",
    ),
    Activity(
        LONG_GOAL,
        "Utveckla samverkan mellan skola och socialtjänst kring elever med hög frånvaro",
        "Socialförvaltningen",
        "yellow",
        False,
        "Rutinen är försenad eftersom två tjänster varit vakanta.",
    ),
    Activity(
        LONG_GOAL,
        "Bygga ut fritidsgårdarnas öppettider under sommarlovet",
        "Kultur- och fritidsförvaltningen",
        "green",
        True,
        "Genomfört sommaren 2024 med 1 200 besök.",
    ),
    Activity(
        LONG_GOAL,
        "Ta fram en plan för digitala lärverktyg i grundskolan",
        "Barn- och utbildningsförvaltningen",
        "unknown",
        False,
        "Arbetet startar i höst.",
    ),
    Activity(
        GOAL_B,
        "Installera solceller på kommunens förvaltningsbyggnader",
        "Tekniska förvaltningen",
        "red",
        False,
        "Upphandlingen avbröts och projektet ligger still.",
    ),
    Activity(
        GOAL_B,
        "Minska matsvinnet i de kommunala köken med 20 procent",
        "Tekniska förvaltningen",
        "green",
        False,
        None,
    ),
    Activity(
        GOAL_B,
        "Inventera dagvattenledningar i tätorten",
        "Miljö- och byggnadsförvaltningen",
        "yellow",
        False,
        "Inventeringen har kommit halvvägs; resten flyttas till nästa år.",
    ),
    Activity(
        GOAL_B,
        "Anlägga laddplatser vid kommunens pendelparkeringar",
        "Tekniska förvaltningen",
        "green",
        True,
        "Tolv laddplatser är i drift.",
    ),
    Activity(
        GOAL_C,
        "Erbjuda ledarskapsutbildning för nya chefer",
        "HR-avdelningen",
        "green",
        False,
        "Två kurstillfällen har hållits.",
    ),
    Activity(
        GOAL_C,
        "Sänka sjukfrånvaron inom hemtjänsten",
        "Socialförvaltningen",
        "red",
        False,
        "Sjukfrånvaron har ökat till 11 procent.",
    ),
    Activity(
        GOAL_C,
        "Införa heltid som norm i vård och omsorg",
        "HR-avdelningen",
        "yellow",
        False,
        "Schemaläggningen tar längre tid än planerat.",
    ),
    Activity(
        GOAL_C,
        "Genomföra medarbetarenkät",
        "HR-avdelningen",
        "unknown",
        False,
        "Enkäten skickas ut i oktober.",
    ),
]
GOALS = [LONG_GOAL, GOAL_B, GOAL_C]

# Words a follow-up system exports, per (status, completed); alternated down the rows.
SYSTEM_WORDS = {
    ("green", False): ["Pågår enligt plan", "Pågår"],
    ("green", True): ["Klar", "Avslutad", "Genomförd"],
    ("yellow", False): ["Försenad", "Avvikelse"],
    ("red", False): ["Avbruten"],
    ("unknown", False): ["Ej påbörjad"],
}
FILLS = {"green": "00B050", "yellow": "FFC000", "red": "FF0000"}
PALE = {"green": "C6EFCE", "yellow": "FFEB9C", "red": "FFC7CE"}  # Excel's CF presets


@dataclass
class Variant:
    name: str
    path: Path
    expected: list[dict]  # goal_area, activity, unit, status, completed_reported, comment
    warnings: list[str] = field(default_factory=list)  # each must occur in some warning
    features: list[str] = field(default_factory=list)


def expected_row(a: Activity, *, completed: bool | None = None, goal: str | None = "same") -> dict:
    return {
        "goal_area": a.goal_area if goal == "same" else goal,
        "activity": a.activity,
        "unit": a.unit,
        "status": a.status,
        "completed_reported": a.completed if completed is None else completed,
        "comment": a.comment,
    }


def _word(a: Activity, counter: dict) -> str:
    words = SYSTEM_WORDS[(a.status, a.completed)]
    key = (a.status, a.completed)
    counter[key] = counter.get(key, 0) + 1
    return words[(counter[key] - 1) % len(words)]


# --- 1: one goal area per sheet, instructions sheet, title rows, system words -------------


def multi_sheet_words(folder: Path) -> Variant:
    workbook = openpyxl.Workbook()
    intro = workbook.active
    intro.title = "Instruktioner"
    intro.append(["Så fyller du i uppföljningen"])
    intro.append(["Ange status för varje åtgärd med något av orden i listan."])
    intro.append(["Kontakta kommunledningskontoret vid frågor."])
    counter: dict = {}
    for goal in GOALS:
        sheet = workbook.create_sheet(goal[:31])
        sheet.append(["Uppföljning delår 2 2024 – Norrfjälls kommun"])
        if goal == LONG_GOAL:
            sheet.append([goal])  # the full name, which the sheet name had to cut
        sheet.append([])
        sheet.append(["Åtgärd", "Ansvarig förvaltning", "Status", "Kommentar"])
        for a in ACTIVITIES:
            if a.goal_area == goal:
                sheet.append([a.activity, a.unit, _word(a, counter), a.comment])
    workbook.create_sheet("Diagram")
    path = folder / "norrfjall_2024-08-31_system.xlsx"
    workbook.save(path)
    return Variant(
        "multi-sheet, system words",
        path,
        [expected_row(a) for a in ACTIVITIES],
        ["sheet 'Instruktioner' has no activity table", "sheet 'Diagram' is empty"],
        ["one goal area per sheet", "instructions sheet", "title rows", "status words"],
    )


# --- 2: codes with a legend below the table, coloured by conditional formatting ----------


def codes_with_legend(folder: Path) -> Variant:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Uppföljning"
    sheet.append(["Verksamhetsplan 2024, uppföljning per tertial"])
    sheet.append(["Nr", "Målområde", "Insats", "Enhet", "Status (1-4)", "Analys"])
    codes = {("green", False): 1, ("yellow", False): 2, ("red", False): 3, ("green", True): 4}
    first = sheet.max_row + 1
    for number, a in enumerate(ACTIVITIES, start=1):
        code = codes.get((a.status, a.completed))  # unknown: the cell is left blank
        sheet.append([number, a.goal_area, a.activity, a.unit, code, a.comment])
    last = sheet.max_row
    # The goal-area cells are merged over each goal's rows, as people lay them out.
    for goal in GOALS:
        rows = [first + i for i, a in enumerate(ACTIVITIES) if a.goal_area == goal]
        sheet.merge_cells(start_row=rows[0], end_row=rows[-1], start_column=2, end_column=2)
    status_range = f"E{first}:E{last}"
    for code, status in ((1, "green"), (2, "yellow"), (3, "red"), (4, "green")):
        sheet.conditional_formatting.add(
            status_range,
            CellIsRule(operator="equal", formula=[str(code)], fill=_pale(status)),
        )
    sheet.append([])
    sheet.append(["Teckenförklaring"])
    sheet.append(["1 = Enligt plan"])
    sheet.append(["2 = Risk för avvikelse"])
    sheet.append(["3 = Kommer inte att uppnås"])
    sheet.append(["4 = Genomförd"])
    path = folder / "norrfjall_2024-T2_codes.xlsx"
    workbook.save(path)
    return Variant(
        "codes with a legend + conditional formatting",
        path,
        [expected_row(a) for a in ACTIVITIES],
        [],
        ["codes 1-4", "legend lines", "cellIs rules", "merged goal-area cells", "Nr column"],
    )


def _pale(status: str) -> PatternFill:
    colour = PALE[status]
    return PatternFill(start_color=colour, end_color=colour, fill_type="solid")


# --- 3: symbols with font colours under a blank header; goal areas as heading rows ------


def symbols_and_headings(folder: Path) -> Variant:
    workbook = openpyxl.Workbook()
    sheet = workbook.active  # keeps the default name "Sheet": not a goal area
    sheet.append(["Handlingsplan för Norrfjälls kommun"])
    sheet.append(["Insats", "Enhet", None, "Uppföljning"])
    symbols = {"green": "●", "yellow": "■", "red": "▲"}
    for index, goal in enumerate(GOALS, start=1):
        heading = f"Målområde {index}: {goal}" if index != 2 else goal
        sheet.append([heading])
        row = sheet.max_row
        if index == 2:  # a bold heading merged across the table, without a label
            sheet.cell(row=row, column=1).font = Font(bold=True)
            sheet.merge_cells(start_row=row, end_row=row, start_column=1, end_column=4)
        for a in (a for a in ACTIVITIES if a.goal_area == goal):
            symbol = symbols.get(a.status)
            sheet.append([a.activity, a.unit, symbol, a.comment])
            if symbol:
                cell = sheet.cell(row=sheet.max_row, column=3)
                if a.completed:  # a Wingdings "l" is drawn as a filled circle
                    cell.value = "l"
                    cell.font = Font(name="Wingdings", color="FF" + FILLS[a.status])
                else:
                    cell.font = Font(color="FF" + FILLS[a.status])
    path = folder / "norrfjall_2024-06-30_symbols.xlsx"
    workbook.save(path)
    return Variant(
        "symbols with font colour, blank status header, heading rows",
        path,
        [expected_row(a, completed=False) for a in ACTIVITIES],
        [],
        ["● ■ ▲ font colour", "Wingdings glyph", "blank status header", "goal-area rows"],
    )


# --- 4: theme colours with tint, another column order, unresolvable colour -------------

ORG_THEME = {"accent1": "1B5E20", "accent2": "F9A825", "accent3": "B71C1C", "accent4": "1565C0"}
THEME_SLOT = {"green": 4, "yellow": 5, "red": 6}  # Excel's index of accent1..3
TINTS = [0.0, 0.4, -0.25, 0.6]


def _org_theme() -> str:
    xml = theme_xml
    defaults = {"accent1": "4F81BD", "accent2": "C0504D", "accent3": "9BBB59", "accent4": "8064A2"}
    for slot, colour in ORG_THEME.items():
        xml = xml.replace(
            f'<a:{slot}>\n        <a:srgbClr val="{defaults[slot]}"/>',
            f'<a:{slot}>\n        <a:srgbClr val="{colour}"/>',
        )
    assert all(colour in xml for colour in ORG_THEME.values())
    return xml


def theme_fills(folder: Path) -> Variant:
    workbook = openpyxl.Workbook()
    workbook.loaded_theme = _org_theme().encode("utf-8")
    sheet = workbook.active
    sheet.title = "Export"
    sheet.append(["Fokusområde", "Aktivitet", "Kommentar", "Förvaltning", "Bedömning"])
    expected = []
    for index, a in enumerate(ACTIVITIES):
        sheet.append([a.goal_area, a.activity, a.comment, a.unit, None])
        cell = sheet.cell(row=sheet.max_row, column=5)
        if a.status in THEME_SLOT:
            colour = Color(theme=THEME_SLOT[a.status], tint=TINTS[index % len(TINTS)])
            cell.fill = PatternFill(fill_type="solid", fgColor=colour)
        expected.append(expected_row(a, completed=False))
    # One more activity whose cell is filled with the theme's blue: no traffic light.
    sheet.append([GOAL_C, "Digitalisera lönespecifikationer", None, "HR-avdelningen", None])
    blue = sheet.cell(row=sheet.max_row, column=5)
    blue.fill = PatternFill(fill_type="solid", fgColor=Color(theme=7, tint=0.0))
    expected.append(
        {
            "goal_area": GOAL_C,
            "activity": "Digitalisera lönespecifikationer",
            "unit": "HR-avdelningen",
            "status": "unknown",
            "completed_reported": False,
            "comment": None,
        }
    )
    path = folder / "norrfjall_2024-09-30_theme.xlsx"
    workbook.save(path)
    return Variant(
        "theme colours with tint",
        path,
        expected,
        [f"cell E{sheet.max_row}: fill colour #1565C0 is not a traffic light"],
        ["theme colours", "tints ±", "custom theme XML", "comment before status column"],
    )


# --- 5: indexed colours; "Status" as a blank header above a fill column ----------------

INDEXED = {"green": 17, "yellow": 13, "red": 10}  # 008000, FFFF00, FF0000 in Excel's palette


def indexed_fills(folder: Path) -> Variant:
    workbook = openpyxl.Workbook()
    for goal in GOALS:
        sheet = workbook.create_sheet(goal[:31])
        sheet.append(["Namn", "Ansvar", "Statusfärg", "Kommentarer"])
        for a in (a for a in ACTIVITIES if a.goal_area == goal):
            sheet.append([a.activity, a.unit, None, a.comment])
            if a.status in INDEXED:
                cell = sheet.cell(row=sheet.max_row, column=3)
                cell.fill = PatternFill(fill_type="solid", fgColor=Color(indexed=INDEXED[a.status]))
    workbook.remove(workbook["Sheet"])
    path = folder / "norrfjall_2024-03-31_indexed.xlsx"
    workbook.save(path)
    # No title rows here: the first sheet's goal area is its cut name.
    expected = [expected_row(a, completed=False, goal=a.goal_area[:31]) for a in ACTIVITIES]
    return Variant(
        "indexed colour fills",
        path,
        expected,
        [],
        ["indexed palette", "sheet name as goal area (cut at 31 characters)"],
    )


# --- 6: percentages coloured by conditional formatting (cellIs and expression rules) ----

PERCENT = {"green": 95, "yellow": 70, "red": 30}


def conditional_percent(folder: Path) -> Variant:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Mål"
    sheet.append(["Målområde", "Aktivitet", "Ansvarig enhet", "Måluppfyllelse %", "Kommentar"])
    first = sheet.max_row + 1
    for a in ACTIVITIES:
        sheet.append([a.goal_area, a.activity, a.unit, PERCENT.get(a.status), a.comment])
    last = sheet.max_row
    area = f"D{first}:D{last}"
    green = PatternFill(start_color="FF00B050", end_color="FF00B050", fill_type="solid")
    sheet.conditional_formatting.add(
        area, FormulaRule(formula=[f'AND(D{first}<>"",D{first}>=90)'], fill=green)
    )
    sheet.conditional_formatting.add(
        area, CellIsRule(operator="between", formula=["50", "89"], fill=_pale("yellow"))
    )
    sheet.conditional_formatting.add(
        area,
        FormulaRule(
            formula=[f"AND(ISNUMBER(D{first}),D{first}<50)"],
            font=Font(color="FF9C0006"),
            fill=_pale("red"),
        ),
    )
    # Excel reads a blank cell as 0 in cellIs rules; this rule guards against that.
    sheet.conditional_formatting.add(
        area, FormulaRule(formula=[f'AND(D{first}<>"",D{first}<50)'], fill=_pale("red"))
    )
    path = folder / "norrfjall_2024-12-31_percent.xlsx"
    workbook.save(path)
    blanks = [first + i for i, a in enumerate(ACTIVITIES) if a.status not in PERCENT]
    return Variant(
        "percentages coloured by conditional formatting",
        path,
        [expected_row(a, completed=False) for a in ACTIVITIES],
        # A blank cell under a rule that cannot be evaluated: said, not silently unknown.
        [f"cell D{row}: conditional formatting has an expression rule" for row in blanks],
        ["expression rules", "cellIs between / lessThan", "unevaluable rule falls through"],
    )


# --- 7: CSV from Swedish Excel: Windows-1252, semicolons, a legend in a title row -------


def csv_codes_and_words(folder: Path) -> Variant:
    codes = {("green", False): "1", ("yellow", False): "2", ("red", False): "3"}
    lines = [
        "Uppföljning av handlingsplanen;;;;",
        "Status: 1 = Grönt, 2 = Gult, 3 = Rött;;;;",
        ";;;;",
        "Målområde;Aktivitet;Ansvarig enhet;Status;Kommentar",
    ]
    counter: dict = {}
    for a in ACTIVITIES:
        # Completed and not-started activities carry words, the others codes.
        value = codes.get((a.status, a.completed)) or _word(a, counter)
        comment = (a.comment or "").replace(";", ",")
        lines.append(f"{a.goal_area};{a.activity};{a.unit};{value};{comment}")
    path = folder / "norrfjall_2024-Q2_codes.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    expected = []
    for a in ACTIVITIES:
        row = expected_row(a)
        if row["comment"]:
            row["comment"] = row["comment"].replace(";", ",")
        expected.append(row)
    return Variant(
        "CSV (Windows-1252) with codes and words",
        path,
        expected,
        [],
        ["cp1252", "legend in a title row", "codes and words mixed"],
    )


VARIANTS = [
    multi_sheet_words,
    codes_with_legend,
    symbols_and_headings,
    theme_fills,
    indexed_fills,
    conditional_percent,
    csv_codes_and_words,
]


def make_all(folder: Path) -> list[Variant]:
    folder.mkdir(parents=True, exist_ok=True)
    return [make(folder) for make in VARIANTS]


if __name__ == "__main__":  # python -m tests.read.spreadsheet_variants OUT_DIR
    import sys

    for variant in make_all(Path(sys.argv[1] if len(sys.argv) > 1 else "variants")):
        print(variant.path)

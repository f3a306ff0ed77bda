"""Held-out spreadsheet templates: written once, scored, never tuned on.

Run: ``uv run python benchmarks/spreadsheet_heldout.py``. Four templates of two made-up
organisations (Region Nordanå, Söderviks kommun) in layouts the test variants do not use:
a legend of letters in a title row with containsText rules, one "perspektiv" per sheet with a
summary sheet, the default Office theme's accents with tints under a compound header, and a
Swedish CSV with a sub-goal column and a comment over two lines. This file was committed
before its first run; the figures it printed then are the ones in README. The baseline is the
pre-issue-13 reader, as in ``benchmarks/spreadsheet_variants.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import openpyxl
from openpyxl.formatting.rule import Rule
from openpyxl.styles import Color, PatternFill
from openpyxl.styles.differential import DifferentialStyle

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.spreadsheet_variants import score_templates  # noqa: E402

NORDANA = [
    # goal area, activity, unit, status, completed, comment
    (
        "Jämlik hälsa",
        "Öka antalet hälsosamtal för 40-åringar",
        "Hälso- och sjukvårdsnämnden",
        "green",
        False,
        "Fler vårdcentraler erbjuder samtal.",
    ),
    (
        "Jämlik hälsa",
        "Inför digitala vårdbesök i glesbygd",
        "Hälso- och sjukvårdsnämnden",
        "yellow",
        False,
        "Tekniken är på plats men bemanningen saknas.",
    ),
    (
        "Jämlik hälsa",
        "Kartlägg väntetider till barnpsykiatrin",
        "Psykiatrinämnden",
        "unknown",
        False,
        None,
    ),
    (
        "Hållbar region",
        "Ställ om regionens fordonsflotta till fossilfritt",
        "Regionstyrelsen",
        "red",
        False,
        "Leveranserna av elbilar är stoppade.",
    ),
    (
        "Hållbar region",
        "Minska energianvändningen i sjukhusbyggnader",
        "Fastighetsnämnden",
        "green",
        False,
        "Ventilationen har bytts i två hus.",
    ),
    (
        "Kompetens",
        "Erbjud specialistutbildning för sjuksköterskor",
        "Regionstyrelsen",
        "green",
        False,
        "Tjugo platser är fyllda.",
    ),
    (
        "Kompetens",
        "Ta fram en strategi för chefsförsörjning",
        "Regionstyrelsen",
        "yellow",
        False,
        "Remissen är försenad till hösten.",
    ),
]
SODERVIK = [
    (
        "Medborgare",
        "Bygg ut fiber på landsbygden",
        "Samhällsbyggnadsförvaltningen",
        "green",
        False,
        "Tre byar anslutna.",
    ),
    (
        "Medborgare",
        "Öppna en ny förskola i Norrby",
        "Barn- och skolförvaltningen",
        "yellow",
        False,
        "Bygglovet dröjer.",
    ),
    (
        "Medborgare",
        "Inför e-tjänst för bygglov",
        "Samhällsbyggnadsförvaltningen",
        "green",
        True,
        "E-tjänsten lanserades i mars.",
    ),
    (
        "Medarbetare",
        "Sänk personalomsättningen i äldreomsorgen",
        "Vård- och omsorgsförvaltningen",
        "red",
        False,
        "Omsättningen har ökat.",
    ),
    (
        "Medarbetare",
        "Genomför friskvårdssatsning",
        "Personalavdelningen",
        "unknown",
        False,
        "Planeras till hösten.",
    ),
    (
        "Ekonomi",
        "Minska hyreskostnaderna för lokaler",
        "Ekonomiavdelningen",
        "green",
        False,
        "Två lokaler har sagts upp.",
    ),
    (
        "Ekonomi",
        "Inför automatiserad fakturahantering",
        "Ekonomiavdelningen",
        "red",
        False,
        "Projektet avbröts efter upphandlingen.",
    ),
]


def expected(rows, completed=True):
    return [
        {
            "goal_area": g,
            "activity": a,
            "unit": u,
            "status": s,
            "completed_reported": c if completed else False,
            "comment": k,
        }
        for g, a, u, s, c, k in rows
    ]


def letters_with_legend(folder: Path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Rapport"
    sheet.append(["Region Nordanå – Uppföljning av verksamhetsplan T1 2025"])
    sheet.merge_cells("A1:F1")
    sheet.append(["Status: G = enligt plan, Y = avvikelse, R = allvarlig avvikelse"])
    sheet.append([])
    sheet.append(
        ["ID", "Strategiskt mål", "Aktivitet", "Ansvarig nämnd", "Statuskommentar", "Status"]
    )
    letter = {"green": "G", "yellow": "Y", "red": "R", "unknown": None}
    previous = None
    for number, (goal, activity, unit, status, _, comment) in enumerate(NORDANA, start=1):
        shown_goal = goal if goal != previous else None  # written once per group
        previous = goal
        sheet.append([f"A{number}", shown_goal, activity, unit, comment, letter[status]])
    fills = {"G": "C6EFCE", "Y": "FFEB9C", "R": "FFC7CE"}
    for code, colour in fills.items():
        rule = Rule(
            type="containsText",
            operator="containsText",
            text=code,
            dxf=DifferentialStyle(fill=PatternFill(bgColor=colour)),
        )
        rule.formula = [f'NOT(ISERROR(SEARCH("{code}",F5)))']
        sheet.conditional_formatting.add(f"F5:F{sheet.max_row}", rule)
    path = folder / "region-nordana_2025-04-30.xlsx"
    workbook.save(path)
    return path, expected(NORDANA)


def perspective_sheets(folder: Path):
    workbook = openpyxl.Workbook()
    summary = workbook.active
    summary.title = "Sammanfattning"
    summary.append(["Bedömning", "Antal"])
    summary.append(["Pågår enligt plan", 3])
    summary.append(["Försenad", 1])
    words = {
        ("green", False): "Pågår enligt plan",
        ("yellow", False): "Försenad",
        ("green", True): "Avslutad",
        ("red", False): "Avbruten",
        ("unknown", False): "Ej påbörjad",
    }
    for perspective in ("Medborgare", "Medarbetare", "Ekonomi"):
        sheet = workbook.create_sheet(perspective)
        sheet.append(
            [
                "Aktivitetsnamn",
                "Ansvarig förvaltning",
                "Ansvarig person",
                "Bedömning",
                "Kommentar",
                "Slutdatum",
            ]
        )
        for goal, activity, unit, status, completed, comment in SODERVIK:
            if goal == perspective:
                sheet.append(
                    [activity, unit, "Kim Lund", words[(status, completed)], comment, "2025-12-31"]
                )
    path = folder / "soderviks-kommun_2025-08-31.xlsx"
    workbook.save(path)
    return path, expected(SODERVIK)


def office_theme_tints(folder: Path):
    workbook = openpyxl.Workbook()  # openpyxl's default Office theme
    sheet = workbook.active
    sheet.title = "Plan 2025"
    sheet.append(["Målområde", "Insatser", "Ansvar", "Måluppfyllelse", "Analys och kommentar"])
    theme = {"green": (6, 0.0), "yellow": (9, 0.4), "red": (5, -0.25)}  # accent3/6/2
    for goal, activity, unit, status, _, comment in NORDANA:
        sheet.append([goal, activity, unit, None, comment])
        if status in theme:
            slot, tint = theme[status]
            sheet.cell(row=sheet.max_row, column=4).fill = PatternFill(
                fill_type="solid", fgColor=Color(theme=slot, tint=tint)
            )
    path = folder / "region-nordana_2025-08-31.xlsx"
    workbook.save(path)
    return path, expected(NORDANA, completed=False)


def csv_with_subgoals(folder: Path):
    words = {
        ("green", False): "Grön",
        ("yellow", False): "Gul",
        ("green", True): "Klar",
        ("red", False): "Röd",
        ("unknown", False): "",
    }
    lines = ["Målområde;Delmål;Aktivitet;Ansvarig enhet;Status;Kommentar"]
    for index, (goal, activity, unit, status, completed, comment) in enumerate(SODERVIK):
        text = comment or ""
        if index == 1:
            text = f'"{text}\nNy tidplan tas fram."'
        lines.append(
            f"{goal};Delmål {index + 1};{activity};{unit};{words[(status, completed)]};{text}"
        )
    path = folder / "soderviks-kommun_2025-04-30.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    rows = expected(SODERVIK)
    rows[1]["comment"] = "Bygglovet dröjer.\nNy tidplan tas fram."
    return path, rows


TEMPLATES = [letters_with_legend, perspective_sheets, office_theme_tints, csv_with_subgoals]


def main() -> None:
    score_templates(TEMPLATES)


if __name__ == "__main__":
    main()

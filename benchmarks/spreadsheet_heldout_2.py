"""A second set of held-out spreadsheet templates, written after the first set was tuned on.

Run: ``uv run python benchmarks/spreadsheet_heldout_2.py``. Three templates of two more
made-up organisations (Ekholms kommun, Region Fjällmark): one sheet per committee with a
goal-area column, a key-value title block above a table whose ● symbols are coloured by
expression rules on a hidden code column, and a system's comma-separated export with both a
goal-area and a sub-goal column. Committed before its first run; README reports that run.
"""

from __future__ import annotations

import sys
from pathlib import Path

import openpyxl
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Font, PatternFill

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.spreadsheet_variants import score_templates  # noqa: E402

EKHOLM = {
    "Kommunstyrelsen": [
        ("Ett växande Ekholm", "Ta fram ny översiktsplan", "green", "Samråd hölls i maj."),
        (
            "Ett växande Ekholm",
            "Marknadsför industriområdet Norra hamnen",
            "yellow",
            "Två av fem tomter är sålda.",
        ),
        (
            "Trygghet i vardagen",
            "Utöka kameraövervakningen vid resecentrum",
            "red",
            "Tillståndet avslogs.",
        ),
    ],
    "Socialnämnden": [
        (
            "Trygghet i vardagen",
            "Starta mötesplats för äldre i Bergby",
            "green",
            "Öppnade i april.",
        ),
        (
            "Trygghet i vardagen",
            "Korta handläggningstiden för försörjningsstöd",
            "yellow",
            "Handläggningstiden är 18 dagar mot målet 14.",
        ),
        ("Ett växande Ekholm", "Inför arbetsmarknadsinsats för unga", "unknown", None),
    ],
}
FJALLMARK = [
    (
        "Tillgänglig vård",
        "Öppna närakut i Storberg",
        "Primärvården",
        "green",
        "Närakuten har öppet alla helger.",
    ),
    (
        "Tillgänglig vård",
        "Införa digital tidsbokning",
        "Primärvården",
        "yellow",
        "Införandet är försenat på tre vårdcentraler.",
    ),
    (
        "Tillgänglig vård",
        "Minska vårdköer till ortopedi",
        "Specialistvården",
        "red",
        "Kön har vuxit med 20 procent.",
    ),
    (
        "Hållbar drift",
        "Byta till LED-belysning i vårdbyggnader",
        "Regionfastigheter",
        "green",
        "Klart i två av fyra byggnader.",
    ),
    ("Hållbar drift", "Minska engångsmaterial i vården", "Specialistvården", "unknown", None),
]
SYSTEM = [
    (
        "Livskvalitet",
        "Alla barn ska ha en meningsfull fritid",
        "Utöka lovaktiviteter i ytterområden",
        "Fritidsförvaltningen",
        "Pågår",
        "green",
        False,
        "Aktiviteter finns nu i fyra områden.",
    ),
    (
        "Livskvalitet",
        "Alla barn ska ha en meningsfull fritid",
        "Bygga skatepark vid sjön",
        "Tekniska förvaltningen",
        "Avslutad",
        "green",
        True,
        "Invigd i juni.",
    ),
    (
        "Livskvalitet",
        "Äldre ska känna sig trygga",
        "Införa trygghetsvärdar",
        "Omsorgsförvaltningen",
        "Försenad",
        "yellow",
        False,
        "Rekryteringen tar längre tid, start i höst.",
    ),
    (
        "Effektiv organisation",
        "Minska sjukfrånvaron",
        "Erbjuda hälsosamtal till all personal",
        "Personalavdelningen",
        "Ej påbörjad",
        "unknown",
        False,
        "Planeras till 2026.",
    ),
    (
        "Effektiv organisation",
        "Digitalisera ärendehanteringen",
        "Införa e-arkiv",
        "Kommunledningsförvaltningen",
        "Avbruten",
        "red",
        False,
        "Upphandlingen avbröts, ny start 2026.",
    ),
]


def per_committee(folder: Path):
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    fills = {"green": "FF00B050", "yellow": "FFFFC000", "red": "FFFF0000"}
    want = []
    for committee, rows in EKHOLM.items():
        sheet = workbook.create_sheet(committee)
        sheet.append([f"Uppföljning av {committee.lower()}ens verksamhetsplan, delår 2025"])
        sheet.append(["Målområde", "Aktivitet", "Status", "Kommentar"])
        for goal, activity, status, comment in rows:
            sheet.append([goal, activity, None, comment])
            if status in fills:
                sheet.cell(row=sheet.max_row, column=3).fill = PatternFill(
                    "solid", fgColor=fills[status]
                )
            want.append(
                {
                    "goal_area": goal,
                    "activity": activity,
                    "unit": committee,
                    "status": status,
                    "completed_reported": False,
                    "comment": comment,
                }
            )
    path = folder / "ekholms-kommun_2025-08-31.xlsx"
    workbook.save(path)
    return path, want


def key_value_block(folder: Path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Uppföljning"
    sheet.append(["Region Fjällmark"])
    sheet.append(["Period", "Tertial 2, 2025"])
    sheet.append(["Ansvarig", "Regiondirektören"])
    sheet.append(["Datum", "2025-09-15"])
    sheet.append([])
    sheet.append(["Insats", "Verksamhet", "Status", "Kommentar", "Kod"])
    codes = {"green": 1, "yellow": 2, "red": 3}
    current = None
    for goal, activity, unit, status, comment in FJALLMARK:
        if goal != current:
            sheet.append([goal])
            sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
            sheet.merge_cells(
                start_row=sheet.max_row, end_row=sheet.max_row, start_column=1, end_column=4
            )
            current = goal
        sheet.append([activity, unit, "●", comment, codes.get(status)])
    last = sheet.max_row
    sheet.column_dimensions["E"].hidden = True
    for code, colour in ((1, "FF00B050"), (2, "FFFFC000"), (3, "FFFF0000")):
        sheet.conditional_formatting.add(
            f"C7:C{last}", FormulaRule(formula=[f"$E7={code}"], font=Font(color=colour))
        )
    path = folder / "region-fjallmark_2025-09-15.xlsx"
    workbook.save(path)
    want = [
        {
            "goal_area": g,
            "activity": a,
            "unit": u,
            "status": s,
            "completed_reported": False,
            "comment": k,
        }
        for g, a, u, s, k in FJALLMARK
    ]
    return path, want


def system_csv(folder: Path):
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL)
    writer.writerow(["Målområde", "Mål", "Aktivitet", "Ansvarig", "Status", "Kommentar"])
    for goal, sub, activity, unit, word, _, _, comment in SYSTEM:
        writer.writerow([goal, sub, activity, unit, word, comment])
    path = folder / "ekholms-kommun_2025-04-30.csv"
    path.write_bytes(buffer.getvalue().encode("utf-8-sig"))
    want = [
        {
            "goal_area": g,
            "activity": a,
            "unit": u,
            "status": s,
            "completed_reported": c,
            "comment": k,
        }
        for g, _, a, u, _, s, c, k in SYSTEM
    ]
    return path, want


TEMPLATES = [per_committee, key_value_block, system_csv]


def main() -> None:
    score_templates(TEMPLATES)


if __name__ == "__main__":
    main()

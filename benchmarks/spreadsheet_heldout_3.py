"""A third set of held-out spreadsheet templates, written after the second was tuned on.

Run: ``uv run python benchmarks/spreadsheet_heldout_3.py``. Three templates of two more
made-up organisations (Norrå kommun, Region Sydmark): a plan with columns for two follow-ups
of which the later is still empty, statuses as coloured-circle emoji, and Excel's "Unicode
text" export (UTF-16, tabs) with codes explained by one legend line under the table.
Committed before its first run; README reports that run.
"""

from __future__ import annotations

import sys
from pathlib import Path

import openpyxl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.spreadsheet_variants import score_templates  # noqa: E402

NORRA = [
    (
        "Barn och unga",
        "Erbjuda läxhjälp på biblioteken",
        "Kulturförvaltningen",
        "Grönt",
        "green",
        "Läxhjälpen finns på tre bibliotek.",
    ),
    (
        "Barn och unga",
        "Minska väntetiden till elevhälsan",
        "Utbildningsförvaltningen",
        "Gult",
        "yellow",
        "Två kuratorstjänster är vakanta.",
    ),
    (
        "Miljö och klimat",
        "Ställa om kommunens bilar till el",
        "Serviceförvaltningen",
        "Rött",
        "red",
        "Leveranserna är stoppade.",
    ),
    (
        "Miljö och klimat",
        "Plantera 500 träd i centrum",
        "Serviceförvaltningen",
        None,
        "unknown",
        None,
    ),
]
SYDMARK = [
    (
        "Patientsäkerhet",
        "Införa digital läkemedelslista",
        "Hälso- och sjukvården",
        "🟢",
        "green",
        "Listan används på alla avdelningar.",
    ),
    (
        "Patientsäkerhet",
        "Minska vårdrelaterade infektioner",
        "Vårdhygien",
        "🟡",
        "yellow",
        "Minskningen är mindre än planerat.",
    ),
    (
        "Kompetensförsörjning",
        "Rekrytera barnmorskor",
        "HR",
        "🔴",
        "red",
        "Inga sökande till de utlysta tjänsterna.",
    ),
    (
        "Kompetensförsörjning",
        "Utbilda undersköterskor till specialister",
        "HR",
        "🟢",
        "green",
        "Tolv går utbildningen.",
    ),
]
UNICODE_TEXT = [
    ("God ekonomi", "Se över lokalbehovet", "Ekonomienheten", 1, "green", "Inventeringen är klar."),
    (
        "God ekonomi",
        "Minska inköp utanför avtal",
        "Upphandlingsenheten",
        3,
        "red",
        "Andelen har ökat till 12 procent.",
    ),
    (
        "Attraktiv kommun",
        "Ta fram en ny webbplats",
        "Kommunikationsenheten",
        2,
        "yellow",
        "Lanseringen flyttas till våren.",
    ),
    (
        "Attraktiv kommun",
        "Anordna medborgardialoger",
        "Kommunikationsenheten",
        None,
        "unknown",
        "Första dialogen hålls i november.",
    ),
]


def two_follow_ups(folder: Path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Verksamhetsplan 2025"
    sheet.append(["Norrå kommun – verksamhetsplan 2025"])
    sheet.append(
        [
            "Målområde",
            "Aktivitet",
            "Ansvarig förvaltning",
            "Status juni",
            "Kommentar juni",
            "Status december",
            "Kommentar december",
        ]
    )
    for goal, activity, unit, word, _, comment in NORRA:
        sheet.append([goal, activity, unit, word, comment, None, None])
    path = folder / "norra-kommun_2025-06-30.xlsx"
    workbook.save(path)
    return path, [
        {
            "goal_area": g,
            "activity": a,
            "unit": u,
            "status": s,
            "completed_reported": False,
            "comment": k,
        }
        for g, a, u, _, s, k in NORRA
    ]


def emoji_statuses(folder: Path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Uppföljning"
    sheet.append(["Fokusområde", "Insats", "Ansvarig", "Status", "Kommentar"])
    for goal, activity, unit, emoji, _, comment in SYDMARK:
        sheet.append([goal, activity, unit, emoji, comment])
    path = folder / "region-sydmark_2025-08-31.xlsx"
    workbook.save(path)
    return path, [
        {
            "goal_area": g,
            "activity": a,
            "unit": u,
            "status": s,
            "completed_reported": False,
            "comment": k,
        }
        for g, a, u, _, s, k in SYDMARK
    ]


def unicode_text(folder: Path):
    lines = ["Strategiskt mål\tAktivitet\tAnsvarig enhet\tStatus\tKommentar"]
    for goal, activity, unit, code, _, comment in UNICODE_TEXT:
        lines.append(f"{goal}\t{activity}\t{unit}\t{'' if code is None else code}\t{comment}")
    lines.append("")
    lines.append("Statusförklaring: 1 = Grön, 2 = Gul, 3 = Röd")
    path = folder / "norra-kommun_2025-04-30.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-16"))
    return path, [
        {
            "goal_area": g,
            "activity": a,
            "unit": u,
            "status": s,
            "completed_reported": False,
            "comment": k,
        }
        for g, a, u, _, s, k in UNICODE_TEXT
    ]


TEMPLATES = [two_follow_ups, emoji_statuses, unicode_text]


def main() -> None:
    score_templates(TEMPLATES)


if __name__ == "__main__":
    main()

"""Small follow-up reports of made-up organisations, as CSV files for an inbox.

The deployment's test and throughput benchmark drop many organisations' files at once. Their
vocabulary (goal areas, units, activities, header words) is made up here and is not the
bundled report's; each organisation gets its own header words and goal areas from a seed, and a
later period keeps most activities, changes some statuses and drops or adds a few, as real
follow-ups do. SYNTHETIC data, labelled so in every file's name (``..._syntetisk.csv``).
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

GOAL_AREAS = [
    "Trygg och säker uppväxt",
    "Ett hållbart näringsliv",
    "Attraktiv kommun att bo i",
    "God hälsa hela livet",
    "Klimatsmart samhällsbyggnad",
    "Kompetens för framtiden",
    "Delaktighet och demokrati",
]
UNITS = [
    "Barn- och utbildningsförvaltningen",
    "Socialförvaltningen",
    "Samhällsbyggnadsförvaltningen",
    "Kultur- och fritidsförvaltningen",
    "Kommunledningskontoret",
    "Miljöenheten",
    "Vård och omsorg",
]
VERBS = ["Införa", "Utveckla", "Kartlägga", "Samordna", "Utreda", "Genomföra", "Förstärka"]
OBJECTS = [
    "digital ansökan om bygglov",
    "rutiner för tidig upptäckt av skolfrånvaro",
    "samverkan med föreningslivet i ytterområdena",
    "energieffektivisering i kommunens lokaler",
    "ett nytt system för synpunktshantering",
    "mötesplatser för äldre på landsbygden",
    "praktikplatser för unga vuxna",
    "laddinfrastruktur vid kommunens arbetsplatser",
    "en plan för grönytor i centralorten",
    "stöd till nyanlända företagare",
    "uppföljning av hemtjänstens kvalitet",
    "ett gemensamt lokalförsörjningsprogram",
]
# Header words of the readers' vocabulary (pipelines/read/columns.py), varied per organisation.
HEADERS = [
    ("Målområde", "Aktivitet", "Verksamhet", "Status", "Kommentar"),
    ("Fokusområde", "Åtgärd", "Ansvarig förvaltning", "Bedömning", "Analys och kommentar"),
    ("Målområde", "Insats", "Förvaltning", "Status", "Statuskommentar"),
]
STATUS_WORDS = {"green": "Grönt", "yellow": "Gult", "red": "Rött"}
COMMENTS = {
    "green": ["Arbetet löper enligt plan.", "Genomförs under hösten som planerat."],
    "yellow": ["Försenat på grund av vakanser, ny tidplan tas fram.", "Avvikelse mot tidplanen."],
    "red": ["Kommer inte att genomföras i år, saknar finansiering.", "Pausat efter beslut."],
}


def org_name(k: int) -> str:
    return f"syntetisk-kommun-{k + 1:03d}"


def _activities(rng: random.Random, count: int) -> list[tuple[str, str, str]]:
    areas = rng.sample(GOAL_AREAS, 3)
    pairs = rng.sample([(v, o) for v in VERBS for o in OBJECTS], count)
    return [(rng.choice(areas), f"{v} {o}", rng.choice(UNITS)) for v, o in pairs]


def write_org_reports(
    inbox: Path, k: int, periods: list[tuple[str, dt.date]], activities: int = 8
) -> list[Path]:
    """One CSV per period for organisation ``k``: ``<org>_<period>_<date>_syntetisk.csv``.

    Each file is written aside and renamed into place, as a careful copy into an inbox is.
    """
    rng = random.Random(1000 + k)
    header = HEADERS[k % len(HEADERS)]
    plan = _activities(rng, activities + len(periods))
    current = plan[:activities]
    written = []
    for index, (period, day) in enumerate(periods):
        if index:  # the next follow-up: one activity ends, one is new
            current = current[1:] + [plan[activities + index]]
        lines = [";".join(header)]
        for area, activity, unit in current:
            status = rng.choices(["green", "yellow", "red"], weights=[6, 3, 1])[0]
            comment = rng.choice(COMMENTS[status])
            lines.append(";".join([area, activity, unit, STATUS_WORDS[status], comment]))
        path = inbox / f"{org_name(k)}_{period}_{day.isoformat()}_syntetisk.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        aside = path.with_name(f".{path.name}.part")
        aside.write_text("\n".join(lines) + "\n", encoding="utf-8")
        aside.rename(path)
        written.append(path)
    return written

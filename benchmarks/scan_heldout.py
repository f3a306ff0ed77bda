"""Held-out scans for the scan reader: templates and words it was not built on.

Written and committed before its first run; the first run's figures are in the README. Two
made-up organisations, five templates that vary what the tuning templates
(``tests/read/scan_factory.py::TEMPLATES``) do not: Word-style rules drawn as filled
rectangles, CMYK fills, legend cells, status words written on the fill, no header row on
continued pages, no heading on continued pages, white-filled unknown cells, 300 and 150 dpi,
a 1.5° turn, heavy JPEG, a multi-page TIFF.

Run: ``uv run python benchmarks/scan_heldout.py``. Prints, per template and in total, the
activities whose goal area, unit and comment are all right, statuses right, and the words
right as OCR read them and after the Swedish repair (the baseline beside it: statuses through
the OCR-text route are 0, as OCR text has no colours).
"""

from __future__ import annotations

import random
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reportlab.lib.pagesizes import A4  # noqa: E402

from pipelines.read import read_report  # noqa: E402
from tests.read.pdf_factory import STATUS_WORDS, ReportRow  # noqa: E402
from tests.read.scan_factory import Template, make_scan, word_accuracy  # noqa: E402

ORGS = {
    "fjällregionen": {
        "areas": ("Hälsa och omsorg på lika villkor", "Infrastruktur för hela länet"),
        "units": ("Hälso- och sjukvårdsförvaltningen", "Regional utveckling", "Kollektivtrafiken"),
        "activities": (
            "Öppna en närakut i Kiruna under kvällstid",
            "Förlänga busslinje 44 till flygplatsen",
            "Ersätta journalsystemet på länets vårdcentraler",
            "Utreda snabbladdning längs E10",
            "Rekrytera sjuksköterskor till glesbygdens hälsocentraler",
            "Ta fram en regional vattenförsörjningsplan",
        ),
        "comments": (
            "Närakuten öppnade i mars; bemanningen är ännu inte fullständig.",
            "Trafikverket har inte fattat beslut om vändslingan, vilket försenar starten.",
            "Införandet skjuts till hösten 2024 efter leverantörens förseningar.",
            "Förstudien är klar och redovisades för regionstyrelsen i juni.",
            "Sju av tolv tjänster är tillsatta.",
            "Remissvar inväntas från kommunerna senast den 30 september.",
        ),
    },
    "sjöstads kommun": {
        "areas": ("Lärande och arbete", "En hållbar och trygg stad"),
        "units": ("Utbildningsnämnden", "Samhällsbyggnadsnämnden", "Arbetsmarknadsenheten"),
        "activities": (
            "Minska ogiltig frånvaro i grundskolans högstadium",
            "Bygga ut cykelparkeringen vid resecentrum",
            "Erbjuda feriejobb till alla sökande ungdomar",
            "Anlägga en dagvattendamm i Norra hamnen",
            "Införa trygghetsvandringar i samtliga stadsdelar",
            "Digitalisera bygglovsprocessen",
        ),
        "comments": (
            "Frånvaron har minskat från 6,1 till 4,8 procent jämfört med föregående läsår.",
            "Bygget pågår och beräknas vara klart i november.",
            "Samtliga 212 sökande erbjöds plats; 187 tackade ja.",
            "Detaljplanen har överklagats till mark- och miljödomstolen.",
            "Genomförda i fyra av sju stadsdelar.",
            "E-tjänsten lanseras i januari, handläggningstiden har redan halverats.",
        ),
    },
}


def _rows(org: str, n: int, seed: int) -> list[ReportRow]:
    words = ORGS[org]
    rng = random.Random(seed)
    statuses = ("yellow", "green", "red", "unknown", "green")
    half = -(-n // 2)
    return [
        ReportRow(
            goal_area=words["areas"][i // half],
            activity=f"{words['activities'][i % len(words['activities'])]} ({seed}.{i + 1})",
            unit=rng.choice(words["units"]),
            status=statuses[(i + seed) % len(statuses)],
            comment=" ".join(rng.sample(words["comments"], rng.randint(1, 2))),
        )
        for i in range(n)
    ]


HELDOUT = (
    (
        "fjällregionen",
        Template(
            "word-rules-cmyk-cells-legend",
            {
                "header": ("Namn", "Enhet", "Måluppfyllelse", "Kommentar"),
                "border_style": "rects",
                "colour_space": "cmyk",
                "legend": "cells",
                "heading": lambda area: f"Strategiskt mål 2: {area}",
                "rows_per_page": 4,
            },
        ),
        {"dpi": 300, "angle": 0.3},
    ),
    (
        "fjällregionen",
        Template(
            "words-on-fill-no-repeated-header",
            {
                "header": ("Aktivitet", "Ansvarig", "Status", "Uppföljning"),
                "status_words": STATUS_WORDS,
                "repeat_header": False,
                "continued_heading": "none",
                "rows_per_page": 3,
            },
        ),
        {"dpi": 200, "angle": -1.5},
    ),
    (
        "sjöstads kommun",
        Template(
            "portrait-white-unknown",
            {
                "header": ("Åtgärder", "Nämnd", "Bedömning", "Kommentarer"),
                "page_size": A4,
                "column_widths": (180, 110, 55, 180),
                "unknown_fill": "#FFFFFF",
                "status_mark": "square",
                "heading": lambda area: f"Mål 1. {area}",
                "rows_per_page": 5,
            },
        ),
        {"dpi": 150, "angle": 0.8, "jpeg_quality": 50},
    ),
    (
        "sjöstads kommun",
        Template(
            "real-layout-visionsmal",
            {
                "header": ("", "Verksamhet", "", "Kommentar"),
                "legend": "swatches",
                "heading": lambda area: f"AKTIVITETER VISIONSMÅLET – {area}",
                "rows_per_page": 4,
            },
        ),
        {"dpi": 200, "angle": -0.6, "noise": 10.0},
    ),
    (
        "fjällregionen",
        Template(
            "tiff-area-rows",
            {
                "header": ("Insatser", "Förvaltning", "Prognos", "Analys"),
                "heading_in_table": True,
                "status_mark": "dot",
                "legend": "in_table",
                "rows_per_page": 4,
            },
        ),
        {"dpi": 200, "angle": 0.5, "suffix": ".tif"},
    ),
)


def main() -> None:
    totals = {"rows": 0, "right": 0, "status": 0, "words": 0, "words_raw": 0, "all_words": 0}
    with tempfile.TemporaryDirectory() as tmp:
        for number, (org, template, scan) in enumerate(HELDOUT, start=1):
            truth = _rows(org, 8, seed=number)
            options = {k: v for k, v in scan.items() if k != "suffix"}
            path = Path(tmp) / f"heldout-{number}{scan.get('suffix', '.pdf')}"
            make_scan(path, truth, template, seed=number, **options)
            try:
                got = read_report(path).rows.to_dicts()
            except Exception as exc:  # a first run reports what failed, not a traceback
                print(f"{template.name}: {type(exc).__name__}: {exc}")
                got = []
            raw = [
                {"activity": r["activity_raw"], "unit": r["unit_raw"], "comment": r["comment_raw"]}
                for r in got
            ]
            pairs = list(zip(truth, got, strict=False))
            right = sum(
                all(g[f] == getattr(w, f) for f in ("goal_area", "activity", "unit", "comment"))
                for w, g in pairs
            )
            statuses = sum(g["status"] == w.status for w, g in pairs)
            words, total = word_accuracy(truth, got)
            words_raw, _ = word_accuracy(truth, raw)
            print(
                f"{template.name} ({org}, {scan['dpi']} dpi): rows {len(got)}/{len(truth)}, "
                f"all fields right {right}/{len(truth)}, statuses {statuses}/{len(truth)}, "
                f"words {words_raw / total:.1%} as read, {words / total:.1%} repaired"
            )
            for want, have in pairs:
                wrong = [
                    f"{f}: {getattr(want, f)!r} -> {have[f]!r}"
                    for f in ("goal_area", "activity", "unit", "status", "comment")
                    if have[f] != getattr(want, f)
                ]
                if wrong:
                    print("   ", "; ".join(wrong))
            for key, value in (
                ("rows", len(truth)),
                ("right", right),
                ("status", statuses),
                ("words", words),
                ("words_raw", words_raw),
                ("all_words", total),
            ):
                totals[key] += value
    n = totals["rows"]
    print(
        f"total: {totals['right']}/{n} activities with goal area, activity, unit and comment "
        f"right ({totals['right'] / n:.1%}); statuses {totals['status']}/{n} "
        f"({totals['status'] / n:.1%}); words {totals['words_raw'] / totals['all_words']:.1%} as "
        f"read, {totals['words'] / totals['all_words']:.1%} repaired. Baseline (OCR text): "
        "0 statuses."
    )


if __name__ == "__main__":
    main()

"""Held-out PDF templates: random layouts from a fixed seed, in a vocabulary of their own.

Run: ``uv run python benchmarks/pdf_heldout.py [templates] [seed]`` (default 100 templates,
seed 20261203). Each template is drawn by ``tests/read/pdf_variants.random_template``: column
order (sometimes a goal-area column), header words from the synonym lists, blank header cells
or no header row at all, portrait or landscape (some stored rotated), status as fill, dot,
square, ● or ■ glyph, or status words (with or without a fill), the goal-area heading in one of
five forms above the table or in a full-width table row, a document title, legends, page
breaks, rows split over pages. The rows use the vocabulary below (a made-up coastal
municipality), which appears neither in the bundled report nor in the test variants.

This file was committed before its first run; the figures it printed then are the ones in
README. It prints, for the reader and for the baseline (the header-row reader as it was on main
before issue 13, loaded from git at ``BASELINE_COMMIT``): templates read without error, share
of rows found (by activity text), share with goal area, unit and comment all right, share of
shown statuses (green/yellow/red) right, share of every status right, templates read entirely
right, and rows lost with no warning.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.old_code import module_at  # noqa: E402
from pipelines.read import read_report  # noqa: E402
from tests.read.pdf_factory import make_report_pdf  # noqa: E402
from tests.read.pdf_variants import Vocabulary, random_template  # noqa: E402

BASELINE_COMMIT = "c048bda"
WORDS = Vocabulary(
    goal_areas=(
        "Livskraftig besöksnäring året runt",
        "Jämställd service i hela kommunen",
        "Trygga bostadsområden",
        "Friska hav och sjöar",
        "Digital välfärd för alla",
        "Goda förutsättningar för företagande",
    ),
    units=(
        "Hamnförvaltningen",
        "Individ- och familjeomsorgen",
        "Samhällsbyggnad",
        "Turistbyrån",
        "Överförmyndarenheten",
        "IT-enheten",
        "Kostenheten",
        "Fritidsgårdarna",
    ),
    verbs=("Bygga ut", "Modernisera", "Samlokalisera", "Certifiera", "Digitalisera"),
    objects=(
        "gästhamnens servicebyggnad med tillgänglig toalett",
        "anmälningsvägarna för orosanmälningar från skolan",
        "kommunens vattenskyddsområden längs kusten",
        "skolmåltiderna enligt ny kostpolicy med mer fisk",
        "e-tjänsten för bygglov och strandskyddsdispens",
        "samarbetet med föreningslivet kring sommarlovsaktiviteter",
    ),
    comments=(
        "Entreprenören är upphandlad och arbetet startar efter högsäsongen.",
        "Länsstyrelsen har ännu inte yttrat sig över förslaget.",
        "Ett första steg är klart; resten väntar på budgetbeslut.",
        "Tidplanen hålls trots sjukskrivningar i projektgruppen.",
        "Kostnaderna blev högre än beräknat och en ny kalkyl tas fram.",
        "Brukarenkäten visar nöjdare invånare än förra året.",
    ),
)


def baseline_reader(folder: Path):
    """The reader of ``BASELINE_COMMIT`` as a module, or None without git."""
    return module_at(BASELINE_COMMIT, "pipelines/read/pdf.py", folder, "baseline_pdf")


def score(result, expected) -> dict[str, int]:
    """Counts for one template: rows found, fields right, statuses right, silent losses."""
    rows = result.rows.to_dicts() if result is not None else []
    by_activity = {row["activity"]: row for row in rows}
    found = [by_activity.get(want.activity) for want in expected]
    fields = sum(
        1
        for got, want in zip(found, expected, strict=True)
        if got is not None
        and (got["goal_area"], got["unit"], got["comment"])
        == (want.goal_area, want.unit, want.comment or None)
    )
    shown = [(g, w) for g, w in zip(found, expected, strict=True) if w.status != "unknown"]
    lost = sum(got is None for got in found)
    warned = result is not None and bool(result.warnings)
    return {
        "rows": len(expected),
        "found": len(expected) - lost,
        "fields": fields,
        "shown": len(shown),
        "shown_right": sum(1 for g, w in shown if g is not None and g["status"] == w.status),
        "status_right": sum(
            1 for g, w in zip(found, expected, strict=True) if g and g["status"] == w.status
        ),
        "perfect": int(
            len(rows) == len(expected)
            and all(
                g is not None
                and (g["goal_area"], g["unit"], g["comment"], g["status"])
                == (w.goal_area, w.unit, w.comment or None, w.status)
                for g, w in zip(found, expected, strict=True)
            )
        ),
        "silently_lost": 0 if (warned or result is None) else lost,
        "read": int(result is not None),
    }


def main(templates: int = 100, seed: int = 20261203) -> None:
    rng = random.Random(seed)
    totals: dict[str, dict[str, int]] = {}
    skipped = 0
    seconds = {"reader": 0.0, "baseline": 0.0}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        baseline = baseline_reader(folder)
        readers = {"reader": lambda p: read_report(p)}
        if baseline is not None:
            readers["baseline"] = lambda p: baseline.read(p, "pdf")
        for number in range(templates):
            variant = random_template(rng, WORDS)
            path = folder / f"template{number:03d}.pdf"
            try:
                make_report_pdf(path, variant.rows, **variant.options)
            except ValueError:  # a word wider than its column: the template cannot be drawn
                skipped += 1
                continue
            for name, read in readers.items():
                start = time.perf_counter()
                try:
                    result = read(path)
                except Exception:  # the baseline refuses layouts without its header row
                    result = None
                seconds[name] += time.perf_counter() - start
                counts = score(result, variant.rows)
                total = totals.setdefault(name, dict.fromkeys(counts, 0))
                for key, value in counts.items():
                    total[key] += value
    drawn = templates - skipped
    print(f"held-out PDF templates: seed {seed}, {drawn} drawn ({skipped} not drawable)")
    header = (
        f"{'reader':<10}{'read':>7}{'rows':>7}{'found':>8}{'fields':>8}{'shown st.':>11}"
        f"{'all st.':>9}{'perfect':>9}{'silent':>8}{'s/tmpl':>8}"
    )
    print(header)
    for name, t in totals.items():
        print(
            f"{name:<10}{t['read']:>4}/{drawn:<3}{t['rows']:>6}"
            f"{t['found'] / t['rows']:>8.1%}{t['fields'] / t['rows']:>8.1%}"
            f"{t['shown_right'] / max(t['shown'], 1):>11.1%}"
            f"{t['status_right'] / t['rows']:>9.1%}"
            f"{t['perfect']:>5}/{drawn:<3}{t['silently_lost']:>8}"
            f"{seconds[name] / max(drawn, 1):>8.2f}"
        )


if __name__ == "__main__":
    main(*(int(arg) for arg in sys.argv[1:3]))

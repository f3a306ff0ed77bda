"""The scan reader on the bundled report's own words: its 80 hand-transcribed rows
(``tests/data/region-vastmanland_2022-07-07_truth.csv``) drawn in its layout (blank activity
and status headers, filled status cells, ``AKTIVITETER MÅLOMRÅDE – …`` headings), scanned at
200 dpi with a ±0.5° turn, grain and JPEG compression.

The real scan is not available (the report reached us as OCR text), so this measures the real
wording — long comments, dates, names, å/ä/ö — in a generated scan. The statuses are not in the
transcription; they are assigned in turn (green, yellow, red, none). Not used for tuning.

Run: ``uv run python benchmarks/scan_real_text.py``.
"""

from __future__ import annotations

import csv
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipelines.read import read_report  # noqa: E402
from tests.read.pdf_factory import ReportRow  # noqa: E402
from tests.read.scan_factory import TEMPLATES, Template, make_scan, word_accuracy  # noqa: E402

TRUTH = ROOT / "tests" / "data" / "region-vastmanland_2022-07-07_truth.csv"
STATUSES = ("green", "yellow", "red", "unknown")


def main() -> None:
    with TRUTH.open(encoding="utf-8") as handle:
        rows = [
            ReportRow(
                r["goal_area"],
                r["activity"],
                r["unit"],
                STATUSES[i % len(STATUSES)],
                r["comment"],
            )
            for i, r in enumerate(csv.DictReader(handle))
        ]
    template = Template("real", {**TEMPLATES[0].options, "rows_per_page": 7})
    with tempfile.TemporaryDirectory() as tmp:
        path = make_scan(Path(tmp) / "real.pdf", rows, template, dpi=200, angle=0.5, seed=7)
        start = time.perf_counter()
        result = read_report(path)
        wall = time.perf_counter() - start
    got = result.rows.to_dicts()
    raw = [
        {"activity": r["activity_raw"], "unit": r["unit_raw"], "comment": r["comment_raw"]}
        for r in got
    ]
    right, total = word_accuracy(rows, got)
    right_raw, _ = word_accuracy(rows, raw)
    fields = ("goal_area", "activity", "unit", "comment")
    pairs = list(zip(rows, got, strict=False))
    all_right = sum(all(g[f] == getattr(w, f) for f in fields) for w, g in pairs)
    statuses = sum(g["status"] == w.status for w, g in pairs)
    print(f"the bundled report's 80 rows, scanned: {result.pages} pages, {wall:.0f} s wall")
    print(
        f"  rows found {len(got)}/{len(rows)}; all of goal area, activity, unit, comment right: "
        f"{all_right}/{len(rows)}; statuses {statuses}/{len(rows)}"
    )
    print(f"  words right: {right_raw / total:.2%} as read, {right / total:.2%} after repair")
    for want, have in pairs:
        wrong = [
            f"{f}: {getattr(want, f)!r} -> {have[f]!r}"
            for f in fields
            if have[f] != getattr(want, f)
        ]
        if wrong:
            print("   ", "; ".join(wrong)[:400])


if __name__ == "__main__":
    main()

"""How well the OCR reader and the Swedish repair recover the real report.

Reads the bundled OCR report, compares it row by row with the hand transcription in
tests/data and prints: rows whose activity/unit/goal area match exactly, word-level accuracy of
the repaired text (activity, unit, goal area, comment) before and after repair, the words that
were right in the OCR but made wrong by the repair, and the time to parse the report (cold: with
loading the Swedish word list; warm: the list already loaded).

    uv run python benchmarks/ocr_repair_accuracy.py
"""

from __future__ import annotations

import difflib
import sys
import time
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

REPORT = ROOT / "pipelines/sample_data/region-vastmanland_2022-07-07_ocr.txt"
TRUTH = ROOT / "tests/data/region-vastmanland_2022-07-07_truth.csv"
FIELDS = ("goal_area", "activity", "unit", "comment")


def _key(word: str) -> str:
    from pipelines.swedish.units import fold_key

    return fold_key(word) or word


def word_scores(before: str, after: str, truth: str) -> tuple[int, int, int, list[str]]:
    """(truth words, right after repair, right before repair, words made wrong by the repair).

    ``before`` and ``after`` have the same tokens (the repair works word by word); ``after`` is
    aligned to the truth on folded words so that a repaired word lines up with its truth.
    """
    before_words, after_words, truth_words = before.split(), after.split(), truth.split()
    if len(before_words) != len(after_words):
        before_words = after_words  # tidying changed the tokens; count no "made wrong" here
    matcher = difflib.SequenceMatcher(
        a=[_key(w) for w in after_words], b=[_key(w) for w in truth_words], autojunk=False
    )
    right = right_before = 0
    made_wrong = []
    for tag, a0, a1, b0, b1 in matcher.get_opcodes():
        if tag not in {"equal", "replace"} or a1 - a0 != b1 - b0:
            continue
        for i, j in zip(range(a0, a1), range(b0, b1), strict=True):
            now, was, want = after_words[i], before_words[i], truth_words[j]
            right += now == want
            right_before += was == want
            if was == want and now != want:
                made_wrong.append(f"{was} -> {now}")
    return len(truth_words), right, right_before, made_wrong


def main() -> None:
    start = time.perf_counter()
    from pipelines.read import read_report

    result = read_report(REPORT)
    cold = time.perf_counter() - start
    from pipelines.read import ocr_text
    from pipelines.swedish import repair

    for cached_function in (
        repair.repair_word,
        repair._repair_lower,
        repair._analyse,
        repair._compound,
        repair._best_word,
        repair.zipf,
        ocr_text._stems,
        ocr_text._folded_repaired,
    ):
        cached_function.cache_clear()  # keep only the loaded word list
    start = time.perf_counter()
    read_report(REPORT)
    warm = time.perf_counter() - start
    start = time.perf_counter()
    read_report(REPORT)
    cached = time.perf_counter() - start

    from pipelines.read.ocr_text import tidy_text

    rows = result.rows
    truth = pl.read_csv(TRUTH, infer_schema_length=0)
    print(f"rows read: {rows.height}   rows in the transcription: {truth.height}")
    n = min(rows.height, truth.height)
    for field in ("goal_area", "activity", "unit"):
        same = sum(rows[field][i] == truth[field][i] for i in range(n))
        print(f"{field:10s} exact: {same}/{truth.height}")
    ratio = [
        difflib.SequenceMatcher(a=rows["comment"][i] or "", b=truth["comment"][i] or "").ratio()
        for i in range(n)
    ]
    exact = sum(rows["comment"][i] == truth["comment"][i] for i in range(n))
    print(
        f"comment    exact: {exact}/{truth.height}   mean similarity {sum(ratio) / n:.3f}  "
        f"min {min(ratio):.3f}"
    )

    total = right = right_before = 0
    made_wrong: list[str] = []
    wrong_after: list[str] = []
    for i in range(n):
        for field in FIELDS:
            raw_col = f"{field}_raw"
            before = tidy_text(rows[raw_col][i]) or ""
            after = rows[field][i] or ""
            want = truth[field][i] or ""
            if field in {"unit", "goal_area"}:
                before = after if field == "goal_area" else before
            t, r, rb, mw = word_scores(before, after, want)
            total, right, right_before = total + t, right + r, right_before + rb
            made_wrong.extend(mw)
            if r < t:
                got = set(after.split())
                wrong_after.extend(w for w in want.split() if w not in got)
    print(
        f"words right before repair: {100 * right_before / total:.1f}%   "
        f"after repair: {100 * right / total:.1f}%   ({right}/{total})"
    )
    print(
        f"words right in the OCR made wrong by the repair: {len(made_wrong)}"
        + (f"  {made_wrong}" if made_wrong else "")
    )
    print(f"words still wrong (sample): {wrong_after[:40]}")
    print(
        f"parse time: cold {cold:.2f} s (loads the word list), warm {warm:.3f} s, "
        f"cached words {cached:.3f} s"
    )
    print(f"reader warnings: {len(result.warnings)}")


if __name__ == "__main__":
    main()

"""How well the OCR reader and the Swedish repair recover reports: the real one and others.

1. The bundled real report against its hand transcription (tests/data): rows whose activity /
   unit / goal area match exactly, words right before and after repair, words the repair made
   wrong, parse time (cold: loading the Swedish word list; warm: the list loaded).
2. Texts in other vocabulary damaged with an OCR noise model (tests/read/ocr_layout.py::
   ocr_noise: å/ä/ö lose their diacritics or become 6/é/3/d, l <-> I <-> 1, rn <-> m): the
   tuning text (tests/data/ocr_variants_kommun_rows.csv, the test generator's vocabulary, looked
   at while developing) and two held-out texts (benchmarks/data/heldout_*_rows.csv; see
   OTHER_TEXTS for what was seen of them): words right in the raw OCR (the baseline) and after
   repair, and correct words the repair made wrong.
3. Whole reports rendered from both texts in every template variant (tests/read/ocr_layout.py::
   TEMPLATES), read back: rows with the right goal area, unit and comment, rows lost.

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


NOISE = {  # name -> (share of å/ä/ö without diacritics, damage: look-alikes, l/I/1, rn/m)
    "like the bundled OCR": (0.9, 0.03),
    "heavy": (0.95, 0.08),
}
OTHER_TEXTS = {
    # the test generator's vocabulary: looked at while developing
    "tuning text": ROOT / "tests/data/ocr_variants_kommun_rows.csv",
    # written as held-out; its first measurement showed two repair faults (a costly split,
    # rn/m) that were then fixed, so it has been seen
    "held-out text 1 (seen once)": ROOT / "benchmarks/data/heldout_region_plan_rows.csv",
    # held-out texts 2 and 3 were written next; each showed faults on its first measurement
    # (a unit written l for I, units under a one-line header row, short final words of goal
    # areas, one-word headings in capitals, rn/m, linking forms) that were then fixed: seen
    "held-out text 2 (seen once)": ROOT / "benchmarks/data/heldout_kommun_plan_rows.csv",
    "held-out text 3 (seen once)": ROOT / "benchmarks/data/heldout_region2_plan_rows.csv",
    # written last: only its figures were read, never its errors
    "held-out text 4 (unseen)": ROOT / "benchmarks/data/heldout_kommun2_plan_rows.csv",
}
SEEDS = range(5)


def noisy_words(path: Path, lost: float, damage: float) -> tuple[int, int, int, int]:
    """(words, right in the raw OCR, right after repair, right words made wrong), 5 seeds."""
    import random

    from pipelines.swedish.repair import repair_text
    from tests.read.ocr_layout import ocr_noise

    rows = pl.read_csv(path, infer_schema_length=0).to_dicts()
    total = raw_right = right = made_wrong = 0
    for seed in SEEDS:
        rng = random.Random(seed)
        for row in rows:
            for field in FIELDS:
                want = row[field].split()
                noisy = ocr_noise(row[field], rng, lost=lost, damage=damage).split()
                repaired = (repair_text(" ".join(noisy)) or "").split()
                for w, n, r in zip(want, noisy, repaired, strict=False):
                    total += 1
                    raw_right += n == w
                    right += r == w
                    made_wrong += n == w and r != w
    return total, raw_right, right, made_wrong


def rendered_reports(path: Path) -> tuple[int, int, int, int, float]:
    """(reports, rows, rows with the right goal area, unit and comment, rows lost, % words
    right after repair) over every template variant and two seeds. A comment is right when its
    text, å/ä/ö folded, is at least 90 % similar to the truth's (repair errors aside, it is
    that row's comment); goal area and unit must be equal after folding."""
    import tempfile

    from pipelines.read import read_report
    from pipelines.swedish.units import fold_key
    from tests.read.ocr_layout import TEMPLATES, TemplateRenderer

    rows = pl.read_csv(path, infer_schema_length=0).to_dicts()
    reports = total = right = lost = words = words_right = 0
    with tempfile.TemporaryDirectory() as tmp:
        for template in TEMPLATES:
            for seed in (1, 2):
                text = TemplateRenderer(template, seed).render(rows)
                file = Path(tmp) / "org-x_2023-03-31.txt"
                file.write_text(text, encoding="utf-8")
                got = read_report(file).rows.to_dicts()
                reports += 1
                total += len(rows)
                lost += max(0, len(rows) - len(got))
                for g, w in zip(got, rows, strict=False):
                    similar = difflib.SequenceMatcher(
                        a=fold_key(g["comment"] or ""), b=fold_key(w["comment"])
                    ).ratio()
                    right += (
                        fold_key(g["goal_area"] or "") == fold_key(w["goal_area"])
                        and fold_key(g["unit"] or "") == fold_key(w["unit"])
                        and similar >= 0.9
                    )
                    for field in FIELDS:
                        t, r, _rb, _mw = word_scores(g[field] or "", g[field] or "", w[field])
                        words, words_right = words + t, words_right + r
    return reports, total, right, lost, round(100 * words_right / max(words, 1), 1)


def other_texts() -> None:
    print()
    print("Other vocabulary, damaged with the OCR noise model (5 seeds each):")
    for label, path in OTHER_TEXTS.items():
        for noise, (lost, damage) in NOISE.items():
            total, raw_right, right, made_wrong = noisy_words(path, lost, damage)
            print(
                f"  {label}, noise {noise}: words right raw OCR {100 * raw_right / total:.1f}%"
                f"  after repair {100 * right / total:.1f}%  ({right}/{total});"
                f"  right words made wrong: {made_wrong}"
            )
    print()
    print("Whole reports rendered in every template variant (2 seeds each), read back:")
    for label, path in OTHER_TEXTS.items():
        reports, total, right, lost, words = rendered_reports(path)
        print(
            f"  {label}: {reports} reports, rows with the right goal area, unit and comment "
            f"{right}/{total} ({100 * right / total:.1f}%), rows lost {lost}, words right "
            f"after repair {words}%"
        )


if __name__ == "__main__":
    main()
    other_texts()

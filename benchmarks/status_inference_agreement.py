"""How well the comment-based status inference agrees with hand labels, beside simple baselines.

Three labelled sets (provenance in ``benchmarks/data/status/README.md``):

- held-out (``benchmarks/data/status/heldout.csv``, 175 comments): frozen before the rules were
  changed and never used for tuning: the figures the README reports;
- dev (``benchmarks/data/status/dev.csv``): the set the rules were tuned on;
- written from (``benchmarks/data/vastmanland_2022-07-07_status_labels.csv``, 80 comments): the
  bundled Region Västmanland report, which the first rules were written from: a sanity check.

The inference sees only the comment (no colour), once as written and once OCR-degraded
(å/ä→a, ö→o, as OCR text has it). Figures: deviations (yellow or red) precision and recall;
red precision and recall; completed precision, recall and F1; status accuracy where a label
``none`` (no evidence) counts as right only when nothing is inferred; beside the majority
baselines "always green" and "never completed".

    uv run python benchmarks/status_inference_agreement.py [--set heldout|dev|written-from]
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from pipelines.derive.status_inference import infer_status

DATA = Path(__file__).parent / "data"
SETS = {
    "heldout": DATA / "status" / "heldout.csv",
    "dev": DATA / "status" / "dev.csv",
    "written-from": DATA / "vastmanland_2022-07-07_status_labels.csv",
}
DESCRIPTION = {
    "heldout": "held-out set, never used for tuning",
    "dev": "development set, the rules were tuned on it",
    "written-from": "Västmanland report, the first rules were written from it",
}


def ocr_degrade(text: pl.Expr) -> pl.Expr:
    return text.str.replace_many(["å", "ä", "ö", "Å", "Ä", "Ö"], ["a", "a", "o", "A", "A", "O"])


def load_labels(path: Path) -> pl.DataFrame:
    """comment, truth (green|yellow|red|none), truth_completed (bool)."""
    return pl.read_csv(path, encoding="utf8").select(
        "comment", truth="status", truth_completed=pl.col("completed") == "yes"
    )


def predict(labels: pl.DataFrame, comment: pl.Expr) -> pl.DataFrame:
    """The labels with got (green|yellow|red|none) and got_completed from the comment alone."""
    rows = labels.select(comment=comment, status=pl.lit("unknown"), status_source=pl.lit("absent"))
    got = infer_status(rows)
    return labels.with_columns(
        got=pl.Series(got["status"]).replace("unknown", "none"),
        got_completed=got["completed"],
    )


@dataclass(frozen=True)
class Scores:
    n: int
    deviation_precision: float | None
    deviation_recall: float
    red_precision: float | None
    red_recall: float | None
    completed_precision: float | None
    completed_recall: float | None
    completed_f1: float
    accuracy: float
    coverage: float
    contradictions: int  # labelled green/yellow/red, inferred another colour


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def _f1(p: float | None, r: float | None) -> float:
    return 0.0 if not p or not r else 2 * p * r / (p + r)


def score(result: pl.DataFrame, got: str = "got", got_completed: str = "got_completed") -> Scores:
    truth_dev = result["truth"].is_in(["yellow", "red"])
    got_dev = result[got].is_in(["yellow", "red"])
    truth_red, got_red = result["truth"] == "red", result[got] == "red"
    tc, gc = result["truth_completed"], result[got_completed]
    colour = result["truth"] != "none"
    inferred = result[got] != "none"
    cp = _ratio(int((tc & gc).sum()), int(gc.sum()))
    cr = _ratio(int((tc & gc).sum()), int(tc.sum()))
    return Scores(
        n=result.height,
        deviation_precision=_ratio(int((truth_dev & got_dev).sum()), int(got_dev.sum())),
        deviation_recall=_ratio(int((truth_dev & got_dev).sum()), int(truth_dev.sum())) or 0.0,
        red_precision=_ratio(int((truth_red & got_red).sum()), int(got_red.sum())),
        red_recall=_ratio(int((truth_red & got_red).sum()), int(truth_red.sum())),
        completed_precision=cp,
        completed_recall=cr,
        completed_f1=_f1(cp, cr),
        accuracy=float((result["truth"] == result[got]).mean()),
        coverage=float(inferred.mean()),
        contradictions=int((colour & inferred & (result["truth"] != result[got])).sum()),
    )


def baseline(result: pl.DataFrame) -> Scores:
    """Majority baselines: always green, never completed."""
    return score(result.with_columns(base=pl.lit("green"), base_c=pl.lit(False)), "base", "base_c")


def _fmt(x: float | None) -> str:
    return "  n/a" if x is None else f"{x:.3f}"


def report(name: str, path: Path) -> dict[str, Scores]:
    labels = load_labels(path)
    counts = dict(labels.group_by("truth").len().sort("truth").iter_rows())
    done = int(labels["truth_completed"].sum())
    print(f"\n== {name}: {DESCRIPTION[name]} ({path.relative_to(DATA.parent.parent)})")
    print(f"   {labels.height} comments; status labels {counts}; completed {done}")
    out = {}
    variants = {"as written": pl.col("comment"), "OCR-degraded": ocr_degrade(pl.col("comment"))}
    results = {k: predict(labels, v) for k, v in variants.items()}
    rows = [("baseline (always green / never completed)", baseline(results["as written"]))]
    rows += [(f"inference, {k}", score(v)) for k, v in results.items()]
    header = (
        f"   {'':<44}{'dev P':>7}{'dev R':>7}{'red P':>7}{'red R':>7}"
        f"{'done P':>8}{'done R':>8}{'done F1':>8}{'acc':>7}{'cover':>7}{'contra':>7}"
    )
    print(header)
    for label, s in rows:
        print(
            f"   {label:<44}{_fmt(s.deviation_precision):>7}{_fmt(s.deviation_recall):>7}"
            f"{_fmt(s.red_precision):>7}{_fmt(s.red_recall):>7}{_fmt(s.completed_precision):>8}"
            f"{_fmt(s.completed_recall):>8}{_fmt(s.completed_f1):>8}{_fmt(s.accuracy):>7}"
            f"{_fmt(s.coverage):>7}{s.contradictions:>7}"
        )
        out[label] = s
    confusion = results["as written"].group_by("truth", "got").len().sort("truth", "got")
    print(
        "   confusion, as written (label → inferred):",
        ", ".join(f"{t}→{g} {c}" for t, g, c in confusion.iter_rows()),
    )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=[*SETS, "all"], default="all")
    args = parser.parse_args()
    print(
        "dev = deviation (yellow or red); done = completed; acc = status accuracy (label none is "
        "right only when nothing is inferred); cover = share with an inferred status; contra = "
        "labelled colour contradicted by another inferred colour"
    )
    for name, path in SETS.items():
        if args.set in (name, "all") and path.exists():
            report(name, path)


if __name__ == "__main__":
    main()

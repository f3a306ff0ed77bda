"""Agreement of the comment-based status rules with hand labels of the real Västmanland report.

The labels (benchmarks/data/vastmanland_2022-07-07_status_labels.csv) give, for each of the 80
activities of region-vastmanland_2022-07-07, the status and "completed" a controller would give
from the comment. Here the rules see only the comment: once as written (correct Swedish) and
once OCR-degraded (å/ä→a, ö→o, as the OCR text has it).

    uv run python benchmarks/status_inference_agreement.py
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from pipelines.derive.status_inference import infer_status

LABELS = Path(__file__).parent / "data" / "vastmanland_2022-07-07_status_labels.csv"


def ocr_degrade(text: pl.Expr) -> pl.Expr:
    return text.str.replace_many(["å", "ä", "ö", "Å", "Ä", "Ö"], ["a", "a", "o", "A", "A", "O"])


def score(labels: pl.DataFrame, comment: pl.Expr, name: str) -> None:
    frame = labels.with_columns(
        comment=comment, status=pl.lit("unknown"), status_source=pl.lit("reported")
    )
    got = infer_status(frame)
    result = labels.select(
        truth="status", truth_completed=pl.col("completed") == "yes"
    ).with_columns(got=got["status"], got_completed=got["completed"])
    n = result.height
    agree = (result["truth"] == result["got"]).sum()
    covered = (result["got"] != "unknown").sum()
    covered_agree = ((result["truth"] == result["got"]) & (result["got"] != "unknown")).sum()
    print(f"\n== {name} ({n} labelled activities)")
    print(f"accuracy (unknown counts as wrong): {agree / n:.3f}  ({agree}/{n})")
    majority = result["truth"].value_counts(sort=True).row(0)
    print(
        f"majority baseline (always {majority[0]}):  {majority[1] / n:.3f}"
        "  (the report is mostly green: judge the yellow/red rows)"
    )
    print(f"coverage (share not unknown):       {covered / n:.3f}  ({covered}/{n})")
    if covered:
        print(f"accuracy where inferred:            {covered_agree / covered:.3f}")
    per = (
        result.group_by("truth")
        .agg(
            n=pl.len(),
            correct=(pl.col("truth") == pl.col("got")).sum(),
            unknown=(pl.col("got") == "unknown").sum(),
        )
        .sort("truth")
    )
    for row in per.iter_rows(named=True):
        print(
            f"  {row['truth']:<7} recall {row['correct']}/{row['n']}"
            f" ({row['correct'] / row['n']:.2f}), left unknown {row['unknown']}"
        )
    confusion = result.group_by("truth", "got").len().sort("truth", "got")
    print(
        "  confusion (truth → inferred):",
        ", ".join(f"{t}→{g}: {c}" for t, g, c in confusion.iter_rows()),
    )
    done_ok = (result["truth_completed"] == result["got_completed"]).sum()
    tp = (result["truth_completed"] & result["got_completed"]).sum()
    print(f"completed accuracy:                 {done_ok / n:.3f}  ({done_ok}/{n})")
    print(
        f"  completed: {result['truth_completed'].sum()} labelled, "
        f"{result['got_completed'].sum()} inferred, {tp} both"
    )


def main() -> None:
    labels = pl.read_csv(LABELS, encoding="utf8")
    score(labels, pl.col("comment"), "comments as written")
    score(labels, ocr_degrade(pl.col("comment")), "OCR-degraded comments (å/ä→a, ö→o)")


if __name__ == "__main__":
    main()
